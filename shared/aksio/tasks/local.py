"""The in-process queue of local runs, delivering through ``handle_task_request``
with the shared secret, so local runs exercise the production code path (auth,
decoding, status mapping, give-up hooks) and differ only in who signs the call."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import flask

from aksio.adapters.inprocess_tasks import InProcessTaskQueue
from aksio.config import Settings
from aksio.ports.tasks import TASK_CONTENT_TYPE, RetryPolicy, TaskDelivery, encode_task_body
from aksio.tasks.auth import SECRET_HEADER
from aksio.tasks.registry import TaskRegistry
from aksio.tasks.worker import (
    EXECUTION_COUNT_HEADER,
    RETRY_COUNT_HEADER,
    TASK_NAME_HEADER,
    handle_task_request,
)

if TYPE_CHECKING:
    from aksio.composition import Services

log = logging.getLogger("aksio.tasks")


class TaskDeliveryFailed(Exception):
    """The worker answered outside 2xx: the queue retries, as Cloud Tasks would."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"task_worker answered {status}: {body[:500]}")
        self.status = status


def build_request(delivery: TaskDelivery, settings: Settings) -> flask.Request:
    """The request Cloud Tasks would send, with the shared secret for a token."""
    from werkzeug.datastructures import Headers
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder(
        path=urlsplit(settings.task_worker_url).path or "/",
        method="POST",
        data=encode_task_body(delivery.task),
        content_type=TASK_CONTENT_TYPE,
        headers=Headers(
            {
                SECRET_HEADER: settings.task_shared_secret,
                TASK_NAME_HEADER: delivery.task_name,
                RETRY_COUNT_HEADER: str(delivery.attempt - 1),
                EXECUTION_COUNT_HEADER: str(delivery.attempt - 1),
            }
        ),
    )
    try:
        return flask.Request(builder.get_environ())
    finally:
        builder.close()


def deliver_via_worker(
    settings: Settings, *, registry: TaskRegistry | None = None, retry: RetryPolicy | None = None
) -> Callable[[TaskDelivery], None]:
    def deliver(delivery: TaskDelivery) -> None:
        request = build_request(delivery, settings)
        response = handle_task_request(request, settings=settings, registry=registry, retry=retry)
        if not 200 <= response.status_code < 300:
            raise TaskDeliveryFailed(response.status_code, response.get_data(as_text=True))

    return deliver


def local_queue(
    services: Services, *, registry: TaskRegistry | None = None, retry: RetryPolicy | None = None
) -> InProcessTaskQueue:
    """The queue the composition root builds when ``task_queue == "inprocess"``."""
    policy = retry or services.settings.task_retry_policy()
    deliver = deliver_via_worker(services.settings, registry=registry, retry=policy)
    return InProcessTaskQueue(deliver, policy, on_give_up=_log_give_up)


def _log_give_up(delivery: TaskDelivery, exc: Exception) -> None:
    extra = {"task_kind": delivery.task.kind, "task_name": delivery.task_name}
    log.error("task dropped after its last attempt", extra={**extra, "error": str(exc)})
