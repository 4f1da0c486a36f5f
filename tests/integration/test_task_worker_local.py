"""Local runs: the in-process queue delivers through the same worker entry as
production (secret instead of OIDC), with Cloud Tasks' retries."""

from __future__ import annotations

from typing import Any

from aksio.adapters.inprocess_tasks import InProcessTaskQueue
from aksio.composition import Services
from aksio.config import Settings
from aksio.ports.tasks import RetryPolicy, Task, TaskDelivery
from aksio.tasks.local import TaskDeliveryFailed, build_request, deliver_via_worker, local_queue
from aksio.tasks.registry import TaskRegistry
from tests.unit.test_task_inprocess_queue import FakeClock

SETTINGS = Settings(task_queue="inprocess", task_shared_secret="local-secret", environment="test")
POLICY = RetryPolicy(max_attempts=4, min_backoff_s=1)


def test_retries_through_the_worker_until_success() -> None:
    reg = TaskRegistry()
    attempts: list[int] = []

    @reg.register("flaky")
    def flaky(payload: dict[str, Any], delivery: TaskDelivery) -> None:
        attempts.append(delivery.attempt)
        if delivery.attempt < 3:
            raise RuntimeError("not yet")

    clock = FakeClock()
    deliver = deliver_via_worker(SETTINGS, registry=reg, retry=POLICY)
    with InProcessTaskQueue(deliver, POLICY, clock=clock, sleep=clock.sleep) as queue:
        queue.enqueue(Task("flaky", {"x": 1}, dedupe_key="flaky:1"))
        assert queue.drain(5)
    assert attempts == [1, 2, 3]
    assert clock.sleeps == [1, 2]


def test_give_up_hooks_run_once_on_both_sides() -> None:
    reg = TaskRegistry()
    domain_gave_up: list[int] = []
    queue_gave_up: list[tuple[int, Exception]] = []

    def always_fails(payload: dict[str, Any], delivery: TaskDelivery) -> None:
        raise RuntimeError("always")

    reg.register("doomed", on_give_up=lambda p, d, e: domain_gave_up.append(d.attempt))(
        always_fails
    )
    clock = FakeClock()
    deliver = deliver_via_worker(SETTINGS, registry=reg, retry=POLICY)
    queue = InProcessTaskQueue(
        deliver,
        POLICY,
        clock=clock,
        sleep=clock.sleep,
        on_give_up=lambda d, e: queue_gave_up.append((d.attempt, e)),
    )
    with queue:
        queue.enqueue(Task("doomed", {}))
        assert queue.drain(5)
    assert domain_gave_up == [4]
    [(attempt, exc)] = queue_gave_up
    assert attempt == 4 and isinstance(exc, TaskDeliveryFailed) and exc.status == 500


def test_discarded_tasks_are_not_retried() -> None:
    clock = FakeClock()
    deliver = deliver_via_worker(SETTINGS, registry=TaskRegistry(), retry=POLICY)
    with InProcessTaskQueue(deliver, POLICY, clock=clock, sleep=clock.sleep) as queue:
        queue.enqueue(Task("nobody.handles.this", {}))
        assert queue.drain(5)
    assert clock.sleeps == []


def test_the_local_request_looks_like_cloud_tasks() -> None:
    delivery = TaskDelivery(Task("k", {"a": 1}), attempt=3, task_name="t1")
    request = build_request(delivery, SETTINGS)
    assert request.method == "POST"
    assert request.path == "/tasks/"
    assert request.headers["X-CloudTasks-TaskName"] == "t1"
    assert request.headers["X-CloudTasks-TaskRetryCount"] == "2"
    assert request.headers["X-Aksio-Task-Secret"] == "local-secret"
    assert request.get_json() == {"kind": "k", "payload": {"a": 1}}


def test_the_composition_root_builds_the_local_queue() -> None:
    reg = TaskRegistry()
    seen: list[dict[str, Any]] = []
    reg.register("echo")(lambda payload, delivery: seen.append(payload))
    queue = local_queue(Services(SETTINGS), registry=reg)
    try:
        queue.enqueue(Task("echo", {"hello": "world"}))
        assert queue.drain(5)
    finally:
        queue.close()
    assert seen == [{"hello": "world"}]
