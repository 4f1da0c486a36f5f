"""Task queue in this process (embedded default): one daemon thread delivers tasks
with Cloud Tasks' semantics, so local runs and tests see what production does:

- at least once: a task whose delivery raises is retried after
  ``RetryPolicy.backoff(n)``, up to ``max_attempts`` attempts in all, and then
  dropped (``on_give_up`` is told);
- ``schedule_time`` holds a task back until then;
- ``dedupe_key`` is a task name: enqueueing it again while the task is pending or
  within ``dedupe_window_s`` after it finished raises ``TaskAlreadyExists``;
- the payload goes through JSON at enqueue (a copy, and the same errors as the wire).

``clock`` (epoch seconds) and ``sleep`` are injectable so tests can run a whole
backoff schedule instantly. Deliveries are sequential (one thread): enough for a
developer machine, and it keeps test outcomes deterministic.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from aksio.ports.tasks import (
    DEDUPE_WINDOW_S,
    RetryPolicy,
    Task,
    TaskAlreadyExists,
    TaskDelivery,
    encode_task_body,
    gives_up_after,
    task_id_for,
)

log = logging.getLogger(__name__)

Deliver = Callable[[TaskDelivery], None]
GiveUp = Callable[[TaskDelivery, Exception], None]


@dataclass
class _Pending:
    task: Task
    task_id: str
    attempt: int


class InProcessTaskQueue:
    def __init__(
        self,
        deliver: Deliver,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 (frozen, so sharing it is safe)
        *,
        on_give_up: GiveUp | None = None,
        queue: str = "local",
        dedupe_window_s: float = DEDUPE_WINDOW_S,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._deliver = deliver
        self.retry = retry
        self._on_give_up = on_give_up
        self._queue = queue
        self._dedupe_window_s = dedupe_window_s
        self._clock = clock
        self._sleep = sleep  # None: wait on the condition, so enqueue/close wake it early
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, _Pending]] = []
        self._seq = itertools.count()  # FIFO among tasks due at the same time
        self._in_flight = 0
        self._names: dict[str, float | None] = {}  # task id -> finished at (None: pending)
        self._thread: threading.Thread | None = None
        self._closed = False

    # ------------------------------------------------------------ TaskQueue
    def enqueue(self, task: Task) -> str:
        # Round-trip through the wire format: a copy the caller cannot mutate, and a
        # payload that production could not send fails here too.
        kind, payload = task.kind, json.loads(encode_task_body(task))["payload"]
        task = replace(task, payload=payload)
        due = _epoch(task.schedule_time) if task.schedule_time else self._clock()
        with self._cond:
            if self._closed:
                raise RuntimeError("task queue is closed")
            if task.dedupe_key is not None:
                task_id = task_id_for(task.dedupe_key)
                self._forget_old_names()
                if task_id in self._names:
                    raise TaskAlreadyExists(task.dedupe_key)
                self._names[task_id] = None
            else:
                task_id = uuid.uuid4().hex
            heapq.heappush(self._heap, (due, next(self._seq), _Pending(task, task_id, 1)))
            self._ensure_thread()
            self._cond.notify_all()
        log.debug("task enqueued", extra={"task_kind": kind, "task_id": task_id})
        return f"projects/local/locations/local/queues/{self._queue}/tasks/{task_id}"

    def ping(self) -> None:
        if self._closed:
            raise RuntimeError("task queue is closed")
        if self._thread is not None and not self._thread.is_alive():
            raise RuntimeError("task queue worker thread died")

    # ------------------------------------------------------------ test & shutdown
    def drain(self, timeout: float = 5.0) -> bool:
        """Wait (real time) until nothing is pending or running; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._heap or self._in_flight:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._closed:
                    return False
                self._cond.wait(remaining)
            return True

    def close(self, timeout: float = 5.0) -> None:
        """Stop the worker (after the delivery in progress); pending tasks are dropped."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            dropped = len(self._heap)
            self._heap.clear()
            self._cond.notify_all()
            thread = self._thread
        if dropped:
            log.warning("task queue closed with pending tasks", extra={"dropped": dropped})
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def __enter__(self) -> InProcessTaskQueue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ worker
    def _ensure_thread(self) -> None:
        if self._thread is None:  # started lazily: constructing the queue costs nothing
            self._thread = threading.Thread(
                target=self._run, name=f"tasks-{self._queue}", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        while True:
            pending = self._next_due()
            if pending is None:
                return
            try:
                self._attempt(pending)
            finally:
                with self._cond:
                    self._in_flight -= 1
                    self._cond.notify_all()

    def _next_due(self) -> _Pending | None:
        with self._cond:
            while not self._closed:
                if not self._heap:
                    self._cond.wait()
                    continue
                delay = self._heap[0][0] - self._clock()
                if delay <= 0:
                    self._in_flight += 1
                    return heapq.heappop(self._heap)[2]
                if self._sleep is None:
                    self._cond.wait(delay)
                else:
                    self._cond.release()
                    try:
                        self._sleep(delay)
                    finally:
                        self._cond.acquire()
            return None

    def _attempt(self, pending: _Pending) -> None:
        kind = pending.task.kind
        delivery = TaskDelivery(
            task=pending.task, attempt=pending.attempt, task_name=pending.task_id
        )
        context = {"task_kind": kind, "task_id": pending.task_id, "attempt": pending.attempt}
        try:
            self._deliver(delivery)
        except Exception as exc:
            if gives_up_after(self.retry, pending.attempt):
                log.error("task failed; giving up", exc_info=True, extra=context)
                self._finish(pending.task_id)
                if self._on_give_up is not None:
                    try:
                        self._on_give_up(delivery, exc)
                    except Exception:
                        log.exception("on_give_up hook failed", extra=context)
                return
            delay = self.retry.backoff(pending.attempt)
            extra = {**context, "retry_in_s": delay}
            log.warning("task failed; will retry", exc_info=True, extra=extra)
            with self._cond:
                if not self._closed:
                    pending.attempt += 1
                    due = self._clock() + delay
                    heapq.heappush(self._heap, (due, next(self._seq), pending))
                    self._cond.notify_all()
            return
        self._finish(pending.task_id)

    def _finish(self, task_id: str) -> None:
        with self._cond:
            if task_id in self._names:  # only named (deduped) tasks are remembered
                self._names[task_id] = self._clock()

    def _forget_old_names(self) -> None:
        cutoff = self._clock() - self._dedupe_window_s
        for name in [n for n, done in self._names.items() if done is not None and done < cutoff]:
            del self._names[name]


def _epoch(when: datetime) -> float:
    # Naive datetimes are UTC, as protobuf's Timestamp.FromDatetime reads them.
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()
