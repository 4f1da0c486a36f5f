"""The in-process queue keeps Cloud Tasks' delivery semantics. A fake clock whose
sleep advances time runs whole backoff schedules instantly."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from aksio.adapters.inprocess_tasks import InProcessTaskQueue
from aksio.ports.tasks import (
    UNLIMITED_ATTEMPTS,
    RetryPolicy,
    Task,
    TaskAlreadyExists,
    TaskDelivery,
    task_id_for,
)

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC).timestamp()


class FakeClock:
    def __init__(self) -> None:
        self.now = START
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


class Recorder:
    """A deliver callable that fails its first ``fail_first`` calls."""

    def __init__(self, clock: FakeClock, fail_first: int = 0) -> None:
        self.clock = clock
        self.fail_first = fail_first
        self.calls: list[tuple[TaskDelivery, float]] = []

    def __call__(self, delivery: TaskDelivery) -> None:
        self.calls.append((delivery, self.clock()))
        if len(self.calls) <= self.fail_first:
            raise RuntimeError(f"boom {len(self.calls)}")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_queue(clock: FakeClock) -> Iterator[Callable[..., InProcessTaskQueue]]:
    queues: list[InProcessTaskQueue] = []

    def make(deliver: Callable[[TaskDelivery], None], **kwargs: object) -> InProcessTaskQueue:
        queue = InProcessTaskQueue(deliver, clock=clock, sleep=clock.sleep, **kwargs)  # type: ignore[arg-type]
        queues.append(queue)
        return queue

    yield make
    for queue in queues:
        queue.close()


def test_delivers_once_with_attempt_one(
    clock: FakeClock, make_queue: Callable[..., InProcessTaskQueue]
) -> None:
    rec = Recorder(clock)
    queue = make_queue(rec)
    name = queue.enqueue(Task("echo", {"n": 1}))
    assert queue.drain(5)
    [(delivery, at)] = rec.calls
    assert delivery.task == Task("echo", {"n": 1})
    assert delivery.attempt == 1
    assert name == f"projects/local/locations/local/queues/local/tasks/{delivery.task_name}"
    assert at == START and clock.sleeps == []


def test_retries_with_cloud_tasks_backoff_until_success(
    clock: FakeClock, make_queue: Callable[..., InProcessTaskQueue]
) -> None:
    rec = Recorder(clock, fail_first=3)
    queue = make_queue(rec, retry=RetryPolicy(max_attempts=5, min_backoff_s=10, max_doublings=3))
    queue.enqueue(Task("flaky", {}))
    assert queue.drain(5)
    assert [d.attempt for d, _ in rec.calls] == [1, 2, 3, 4]
    assert [at - START for _, at in rec.calls] == [0, 10, 30, 70]
    assert len({d.task_name for d, _ in rec.calls}) == 1  # the same task each time


def test_gives_up_after_max_attempts(
    clock: FakeClock, make_queue: Callable[..., InProcessTaskQueue]
) -> None:
    rec = Recorder(clock, fail_first=100)
    gave_up: list[tuple[TaskDelivery, Exception]] = []
    queue = make_queue(
        rec,
        retry=RetryPolicy(max_attempts=4, min_backoff_s=1),
        on_give_up=lambda d, e: gave_up.append((d, e)),
    )
    queue.enqueue(Task("doomed", {"x": 1}))
    assert queue.drain(5)
    assert [d.attempt for d, _ in rec.calls] == [1, 2, 3, 4]
    assert clock.sleeps == [1, 2, 4]
    [(delivery, exc)] = gave_up
    assert delivery.attempt == 4 and str(exc) == "boom 4"


def test_a_failing_give_up_hook_does_not_stop_the_queue(
    clock: FakeClock, make_queue: Callable[..., InProcessTaskQueue]
) -> None:
    def hook(delivery: TaskDelivery, exc: Exception) -> None:
        raise ValueError("hook broke")

    delivered: list[str] = []

    def deliver(d: TaskDelivery) -> None:
        if d.task.kind == "bad":
            raise RuntimeError("no")
        delivered.append(d.task.kind)

    queue = make_queue(deliver, retry=RetryPolicy(max_attempts=1), on_give_up=hook)
    queue.enqueue(Task("bad", {}))
    queue.enqueue(Task("good", {}))
    assert queue.drain(5)
    assert delivered == ["good"]
    queue.ping()


def test_unlimited_attempts(
    clock: FakeClock, make_queue: Callable[..., InProcessTaskQueue]
) -> None:
    rec = Recorder(clock, fail_first=12)
    queue = make_queue(
        rec, retry=RetryPolicy(max_attempts=UNLIMITED_ATTEMPTS, min_backoff_s=1, max_backoff_s=5)
    )
    queue.enqueue(Task("patient", {}))
    assert queue.drain(5)
    assert len(rec.calls) == 13
    assert max(clock.sleeps) == 5


def test_backoff_matches_cloud_tasks_documentation() -> None:
    # Google's example: min 10 s, max 300 s, max_doublings 3.
    policy = RetryPolicy(max_attempts=10, min_backoff_s=10, max_backoff_s=300, max_doublings=3)
    assert [policy.backoff(n) for n in range(1, 9)] == [10, 20, 40, 80, 160, 240, 300, 300]


def test_schedule_time_is_honoured(
    clock: FakeClock, make_queue: Callable[..., InProcessTaskQueue]
) -> None:
    gate = threading.Event()
    rec = Recorder(clock)

    def deliver(d: TaskDelivery) -> None:
        if d.task.kind == "blocker":  # holds the worker while both tasks are enqueued
            gate.wait(5)
        rec(d)

    queue = make_queue(deliver)
    queue.enqueue(Task("blocker", {}))
    later = datetime.fromtimestamp(START, UTC) + timedelta(seconds=90)
    queue.enqueue(Task("later", {}, schedule_time=later))
    queue.enqueue(Task("now", {}))
    gate.set()
    assert queue.drain(5)
    assert [(d.task.kind, at - START) for d, at in rec.calls] == [
        ("blocker", 0),
        ("now", 0),
        ("later", 90),
    ]


def test_naive_schedule_time_is_utc(
    clock: FakeClock, make_queue: Callable[..., InProcessTaskQueue]
) -> None:
    rec = Recorder(clock)
    queue = make_queue(rec)
    naive = datetime.fromtimestamp(START + 60, UTC).replace(tzinfo=None)
    queue.enqueue(Task("later", {}, schedule_time=naive))
    assert queue.drain(5)
    assert rec.calls[0][1] == START + 60


def test_same_due_time_is_first_in_first_out(
    clock: FakeClock, make_queue: Callable[..., InProcessTaskQueue]
) -> None:
    gate = threading.Event()
    seen: list[int] = []

    def deliver(d: TaskDelivery) -> None:
        gate.wait(5)
        seen.append(d.task.payload["i"])

    queue = make_queue(deliver)
    for i in range(20):
        queue.enqueue(Task("order", {"i": i}))
    gate.set()
    assert queue.drain(5)
    assert seen == list(range(20))


def test_dedupe_key_blocks_duplicates_for_the_window(
    clock: FakeClock, make_queue: Callable[..., InProcessTaskQueue]
) -> None:
    rec = Recorder(clock)
    queue = make_queue(rec, dedupe_window_s=3600)
    name = queue.enqueue(Task("plan", {"v": 1}, dedupe_key="plan:users/u1/courses/c1"))
    assert name.endswith("/tasks/" + task_id_for("plan:users/u1/courses/c1"))
    with pytest.raises(TaskAlreadyExists):  # while pending
        queue.enqueue(Task("plan", {"v": 2}, dedupe_key="plan:users/u1/courses/c1"))
    assert queue.drain(5)
    clock.advance(3599)
    with pytest.raises(TaskAlreadyExists):  # after it ran, within the window
        queue.enqueue(Task("plan", {"v": 3}, dedupe_key="plan:users/u1/courses/c1"))
    queue.enqueue(Task("plan", {"v": 4}, dedupe_key="plan:users/u1/courses/c2"))  # other key
    clock.advance(2)
    queue.enqueue(Task("plan", {"v": 5}, dedupe_key="plan:users/u1/courses/c1"))  # window over
    assert queue.drain(5)
    assert [d.task.payload["v"] for d, _ in rec.calls] == [1, 4, 5]


def test_dedupe_window_counts_from_give_up(
    clock: FakeClock, make_queue: Callable[..., InProcessTaskQueue]
) -> None:
    queue = make_queue(Recorder(clock, fail_first=100), retry=RetryPolicy(max_attempts=2))
    queue.enqueue(Task("x", {}, dedupe_key="k"))
    assert queue.drain(5)
    with pytest.raises(TaskAlreadyExists):
        queue.enqueue(Task("x", {}, dedupe_key="k"))


def test_task_ids_are_valid_and_distinct() -> None:
    keys = ["a/b", "a:b", "a b", "", "ü" * 600, "plan:users/u1/courses/c1"]
    ids = [task_id_for(k) for k in keys]
    assert len(set(ids)) == len(keys)
    for task_id in ids:
        assert 0 < len(task_id) <= 500
        assert all(c.isascii() and (c.isalnum() or c in "-_") for c in task_id)
    assert task_id_for("a/b") == task_id_for("a/b")


def test_payload_is_copied_and_must_be_json(
    clock: FakeClock, make_queue: Callable[..., InProcessTaskQueue]
) -> None:
    rec = Recorder(clock)
    queue = make_queue(rec)
    payload: dict[str, object] = {"items": [1, 2]}
    queue.enqueue(Task("copy", payload))
    payload["items"] = "mutated"  # after enqueue: must not reach the handler
    with pytest.raises(TypeError):
        queue.enqueue(Task("bad", {"when": datetime.now(UTC)}))
    with pytest.raises(ValueError):
        queue.enqueue(Task("bad", {"x": float("nan")}))
    assert queue.drain(5)
    assert [d.task.payload for d, _ in rec.calls] == [{"items": [1, 2]}]


def test_a_handler_may_enqueue_more_tasks(
    clock: FakeClock, make_queue: Callable[..., InProcessTaskQueue]
) -> None:
    seen: list[int] = []
    queue: InProcessTaskQueue

    def deliver(d: TaskDelivery) -> None:
        n = int(d.task.payload["n"])
        seen.append(n)
        if n < 3:
            queue.enqueue(Task("chain", {"n": n + 1}))

    queue = make_queue(deliver)
    queue.enqueue(Task("chain", {"n": 0}))
    assert queue.drain(5)
    assert seen == [0, 1, 2, 3]


def test_close_is_clean_and_final(clock: FakeClock) -> None:
    queue = InProcessTaskQueue(lambda d: None, clock=clock, sleep=clock.sleep)
    assert queue.drain(0.1)  # nothing to do, no thread yet
    queue.ping()
    queue.enqueue(Task("x", {}))
    assert queue.drain(5)
    thread = queue._thread
    assert thread is not None and thread.daemon
    queue.close()
    queue.close()  # idempotent
    assert not thread.is_alive()
    with pytest.raises(RuntimeError):
        queue.enqueue(Task("x", {}))
    with pytest.raises(RuntimeError):
        queue.ping()


def test_close_drops_far_future_tasks_without_waiting() -> None:
    # Real clock and real waits: the worker must wake up for close(), not sleep an hour.
    queue = InProcessTaskQueue(lambda d: None)
    queue.enqueue(Task("x", {}, schedule_time=datetime.now(UTC) + timedelta(hours=1)))
    assert not queue.drain(0.05)
    queue.close(timeout=2)
    assert queue._thread is not None and not queue._thread.is_alive()


def test_real_clock_with_a_tiny_policy() -> None:
    attempts: list[int] = []

    def deliver(d: TaskDelivery) -> None:
        attempts.append(d.attempt)
        if d.attempt < 3:
            raise RuntimeError("transient")

    with InProcessTaskQueue(deliver, RetryPolicy(max_attempts=5, min_backoff_s=0.001)) as queue:
        queue.enqueue(Task("x", {}))
        assert queue.drain(5)
    assert attempts == [1, 2, 3]
