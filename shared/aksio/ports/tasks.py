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
