"""Local delivery of Storage ``object.finalized`` events.

Eventarc delivers them asynchronously, at least once, with retries; locally
the in-process task queue gives the same semantics (a background thread,
backoff, a dedupe key per object generation), and the same function body
receives the same CloudEvent.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

from cloudevents.http import CloudEvent

from aksio.adapters.inprocess_tasks import InProcessTaskQueue
from aksio.documents.events import finalized_event
from aksio.ports.blobs import BlobInfo
from aksio.ports.tasks import RetryPolicy, Task, TaskAlreadyExists, TaskDelivery

log = logging.getLogger("aksio.events")

KIND = "storage.object.finalized"
RETRY = RetryPolicy(max_attempts=3, min_backoff_s=0.5, max_backoff_s=5.0)


class LocalStorageEvents:
    def __init__(self, bucket: str, handler: Callable[[CloudEvent], None]) -> None:
        self.bucket = bucket
        self._handler = handler
        self._queue = InProcessTaskQueue(self._deliver, RETRY, on_give_up=self._give_up)

    def object_finalized(self, info: BlobInfo) -> None:
        event = finalized_event(self.bucket, info)
        payload: dict[str, Any] = {"attributes": dict(event.get_attributes()), "data": event.data}
        key = f"{self.bucket}/{info.name}#{info.generation}"
        with contextlib.suppress(TaskAlreadyExists):  # the same generation, told twice
            self._queue.enqueue(Task(KIND, payload, dedupe_key=key))

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until every event was handled (tests)."""
        return self._queue.drain(timeout)

    def close(self) -> None:
        self._queue.close()

    def _deliver(self, delivery: TaskDelivery) -> None:
        payload = delivery.task.payload
        self._handler(CloudEvent(dict(payload["attributes"]), payload["data"]))

    @staticmethod
    def _give_up(delivery: TaskDelivery, exc: Exception) -> None:
        log.error(
            "storage event dropped", extra={"event": delivery.task.dedupe_key, "error": str(exc)}
        )
