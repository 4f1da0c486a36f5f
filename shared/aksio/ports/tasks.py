"""Task queue port: Cloud Tasks' model (at-least-once HTTP delivery, retries).

A task is a JSON payload addressed to a named handler of the ``task_worker``
function. ``dedupe_key`` makes enqueueing idempotent (Cloud Tasks' task name).

Adapters: ``aksio.adapters.inprocess_tasks`` (embedded default: a thread that
calls the handler with Cloud Tasks' retry and backoff semantics) and
``aksio.adapters.cloud_tasks`` (HTTP tasks with an OIDC token).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


class TaskAlreadyExists(Exception):
    """A task with the same dedupe key was created recently."""


@dataclass(frozen=True)
class RetryPolicy:
    """Cloud Tasks' RetryConfig."""

    max_attempts: int = 5
    min_backoff_s: float = 1.0
    max_backoff_s: float = 300.0
    max_doublings: int = 5

    def backoff(self, attempt: int) -> float:
        """Delay before retry number ``attempt`` (1 = the first retry)."""
        doublings = min(attempt - 1, self.max_doublings)
        linear_steps = max(0, attempt - 1 - self.max_doublings)
        delay = self.min_backoff_s * (2**doublings) + linear_steps * self.min_backoff_s * (
            2**self.max_doublings
        )
        return float(min(delay, self.max_backoff_s))


@dataclass(frozen=True)
class Task:
    kind: str
    """Name of the task_worker handler, e.g. ``generate_study_plan``."""
    payload: dict[str, Any]
    dedupe_key: str | None = None
    schedule_time: datetime | None = None


@dataclass(frozen=True)
class TaskDelivery:
    """What a handler receives: the task and which attempt this is (1-based)."""

    task: Task
    attempt: int
    task_name: str


class TaskQueue(Protocol):
    def enqueue(self, task: Task) -> str:
        """Create the task; returns its name. Raises TaskAlreadyExists on a dedupe hit."""
        ...

    def ping(self) -> None: ...


DEDUPE_WINDOW_S = 3600.0
"""Cloud Tasks refuses a task name for about an hour after that task ran or was deleted."""

UNLIMITED_ATTEMPTS = -1
"""``RetryPolicy.max_attempts`` value for "retry forever" (as Cloud Tasks' -1)."""


def task_id_for(dedupe_key: str) -> str:
    """A valid Cloud Tasks task id for ``dedupe_key``, the same for the same key.

    Task ids allow only ``[A-Za-z0-9_-]`` (at most 500). A hash comes first: Google
    advises against sequential id prefixes (they create hot spots); the readable
    remainder helps when reading the queue; the hash keeps ``a/b`` and ``a:b`` apart.
    """
    import hashlib
    import re

    digest = hashlib.sha256(dedupe_key.encode("utf-8")).hexdigest()[:16]
    readable = re.sub(r"[^A-Za-z0-9_-]+", "-", dedupe_key).strip("-")[:200]
    return f"{digest}-{readable}" if readable else digest


def gives_up_after(policy: RetryPolicy, attempt: int) -> bool:
    """True if a failure of ``attempt`` (1-based) is the last one the queue allows."""
    return policy.max_attempts > 0 and attempt >= policy.max_attempts


class PermanentTaskError(Exception):
    """Raised by a task handler when retrying cannot help (bad payload, gone resource).

    The worker answers 2xx for it (Cloud Tasks retries every other status) and logs
    an error, so the task stops instead of burning its attempts.
    """


class InvalidTaskBody(ValueError):
    """A task request body that is not ``{"kind": str, "payload": object}``."""


TASK_CONTENT_TYPE = "application/json"


def encode_task_body(task: Task) -> bytes:
    """The HTTP body every queue sends to task_worker. A payload that is not plain
    JSON raises (TypeError or ValueError) at enqueue, locally as in production."""
    import json

    body = {"kind": task.kind, "payload": task.payload}
    return json.dumps(body, separators=(",", ":"), allow_nan=False).encode("utf-8")


def decode_task_body(body: bytes) -> tuple[str, dict[str, Any]]:
    """``(kind, payload)`` from a body made by ``encode_task_body``."""
    import json

    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidTaskBody(f"body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidTaskBody("body is not a JSON object")
    kind, payload = data.get("kind"), data.get("payload")
    if not isinstance(kind, str) or not kind:
        raise InvalidTaskBody("'kind' must be a non-empty string")
    if not isinstance(payload, dict):
        raise InvalidTaskBody("'payload' must be an object")
    return kind, payload
