"""The task_worker HTTP entry: authenticate, decode, dispatch, answer.

Cloud Tasks retries every answer outside 2xx, so the status says what should
happen next, not only what happened:

- 2xx: done, or failed for good (malformed body, unknown kind,
  ``PermanentTaskError``, a payload that fails validation). Retrying those would
  only repeat the failure until max attempts, so they are answered 200 with
  ``"status": "discarded"`` and logged at ERROR for alerting.
- 401: the caller is not the queue. Cloud Tasks retries, which is what we want if
  the cause is a misconfigured token that gets fixed.
- 405: not a POST.
- 500: the handler failed in a way a retry may fix; 503 when the caller could not
  be checked (Google's keys unreachable, worker misconfigured).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import flask

from aksio.config import Settings, get_settings
from aksio.ports.tasks import (
    InvalidTaskBody,
    PermanentTaskError,
    RetryPolicy,
    Task,
    TaskDelivery,
    decode_task_body,
    gives_up_after,
)
from aksio.tasks.auth import HttpTransport, TaskAuthError, TaskAuthUnavailable, authenticate
from aksio.tasks.registry import TaskRegistry
from aksio.tasks.registry import registry as default_registry

log = logging.getLogger("aksio.tasks")

TASK_NAME_HEADER = "X-CloudTasks-TaskName"
RETRY_COUNT_HEADER = "X-CloudTasks-TaskRetryCount"
EXECUTION_COUNT_HEADER = "X-CloudTasks-TaskExecutionCount"


def handle_task_request(
    request: flask.Request,
    *,
    settings: Settings | None = None,
    registry: TaskRegistry | None = None,
    retry: RetryPolicy | None = None,
    certs_request: HttpTransport | None = None,
) -> flask.Response:
    settings = settings or get_settings()
    registry = registry or default_registry
    retry = retry or settings.task_retry_policy()  # the queue's RetryConfig (Terraform)
    registry.load()

    try:
        caller = authenticate(request.headers, settings, certs_request=certs_request)
    except TaskAuthError as exc:
        log.warning("task request refused", extra={"reason": str(exc)})
        return _error(401, "unauthenticated", "not the task queue")
    except TaskAuthUnavailable as exc:
        log.error("task request could not be authenticated", extra={"reason": str(exc)})
        return _error(503, "unavailable", "cannot authenticate task requests now")
    if request.method != "POST":
        return _error(405, "method_not_allowed", "task requests are POSTs")

    task_name = request.headers.get(TASK_NAME_HEADER, "")
    # Cloud Tasks counts retries from 0, including dispatches that never reached
    # us; that is the count its max_attempts applies to.
    attempt = _int_header(request, RETRY_COUNT_HEADER) + 1
    context: dict[str, Any] = {
        "task_name": task_name,
        "attempt": attempt,
        "executions": _int_header(request, EXECUTION_COUNT_HEADER),
        "caller": caller,
    }
    try:
        kind, payload = decode_task_body(request.get_data(cache=False))
    except InvalidTaskBody as exc:
        return _discard("invalid_body", str(exc), context)
    context["task_kind"] = kind
    registration = registry.get(kind)
    if registration is None:
        # Deploy the worker before the code that enqueues a new kind, or tasks of
        # that kind are discarded here.
        return _discard("unknown_kind", f"no handler for task kind {kind!r}", context)

    delivery = TaskDelivery(task=Task(kind, payload), attempt=attempt, task_name=task_name)
    try:
        registration.handler(payload, delivery)
    except PermanentTaskError as exc:
        return _discard("permanent_failure", str(exc), context)
    except Exception as exc:
        if _is_validation_error(exc):
            return _discard("invalid_payload", str(exc), context)
        last = gives_up_after(retry, attempt)
        log.exception("task failed", extra={**context, "will_retry": not last})
        if last and registration.on_give_up is not None:
            try:
                registration.on_give_up(payload, delivery, exc)
            except Exception:
                log.exception("task give-up hook failed", extra=context)
        return _error(500, "task_failed", "the task failed and may be retried")
    log.info("task done", extra=context)
    return _json(200, {"status": "done"})


def _discard(reason: str, message: str, context: dict[str, Any]) -> flask.Response:
    log.error("task discarded", extra={**context, "reason": reason, "error": message})
    return _json(200, {"status": "discarded", "reason": reason, "message": message})


def _is_validation_error(exc: Exception) -> bool:
    # A payload that fails its model will fail the same way on every retry.
    from pydantic import ValidationError

    return isinstance(exc, ValidationError)


def _int_header(request: flask.Request, name: str) -> int:
    try:
        return max(0, int(request.headers.get(name, "0")))
    except ValueError:
        return 0


def _error(status: int, code: str, message: str) -> flask.Response:
    return _json(status, {"error": {"code": code, "message": message}})


def _json(status: int, body: dict[str, Any]) -> flask.Response:
    return flask.Response(json.dumps(body), status=status, mimetype="application/json")
