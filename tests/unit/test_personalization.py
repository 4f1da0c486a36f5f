"""When a review queues a personal FSRS fit: at the first milestone and every
N reviews after it, once per milestone, and never failing the review."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from aksio.adapters.inprocess_tasks import InProcessTaskQueue
from aksio.assessments import personalization
from aksio.assessments.optimizer import ReviewRecord
from aksio.assessments.personalization import after_review, is_fit_milestone
from aksio.config import Settings
from aksio.ports.tasks import Task, TaskAlreadyExists, TaskDelivery, task_id_for

SETTINGS = Settings(environment="test", fsrs_min_reviews_to_fit=400, fsrs_refit_every=1000)


class RecordingQueue:
    """A TaskQueue that keeps what it is given and enforces dedupe keys, as
    Cloud Tasks does; ``fail_with`` makes every enqueue raise."""

    def __init__(self, fail_with: Exception | None = None) -> None:
        self.tasks: list[Task] = []
        self.fail_with = fail_with

    def enqueue(self, task: Task) -> str:
        if self.fail_with is not None:
            raise self.fail_with
        if task.dedupe_key is not None and any(t.dedupe_key == task.dedupe_key for t in self.tasks):
            raise TaskAlreadyExists(task.dedupe_key)
        self.tasks.append(task)
        return task_id_for(task.dedupe_key or str(len(self.tasks)))

    def ping(self) -> None:
        return None


def test_enqueues_exactly_at_the_milestones() -> None:
    queue = RecordingQueue()
    for total in range(1, 3_500):
        after_review(queue, SETTINGS, "u1", total)
    assert [t.kind for t in queue.tasks] == [personalization.TASK_KIND] * 4
    assert [t.payload for t in queue.tasks] == [{"uid": "u1"}] * 4
    keys = [t.dedupe_key for t in queue.tasks]
    assert len(set(keys)) == 4
    assert [k.rsplit("/", 1)[-1] for k in keys if k] == ["400", "1400", "2400", "3400"]


@pytest.mark.parametrize(
    ("total", "first", "every", "expected"),
    [
        (399, 400, 1000, False),
        (400, 400, 1000, True),
        (401, 400, 1000, False),
        (1400, 400, 1000, True),
        (1399, 400, 1000, False),
        (0, 400, 1000, False),
        (-5, 400, 1000, False),
        (600, 200, 200, True),
        (500, 400, 0, False),  # refits off: only the first fit
        (400, 400, 0, True),
        (5, 0, 10, False),  # fitting off
    ],
)
def test_milestones(total: int, first: int, every: int, expected: bool) -> None:
    assert is_fit_milestone(total, first, every) is expected


def test_settings_choose_the_milestones() -> None:
    queue = RecordingQueue()
    settings = Settings(environment="test", fsrs_min_reviews_to_fit=10, fsrs_refit_every=5)
    for total in range(30):
        after_review(queue, settings, "u2", total)
    assert [t.dedupe_key.rsplit("/", 1)[-1] for t in queue.tasks if t.dedupe_key] == [
        "10",
        "15",
        "20",
        "25",
    ]


def test_same_milestone_twice_queues_once_and_does_not_raise() -> None:
    queue = RecordingQueue()
    after_review(queue, SETTINGS, "u1", 400)
    after_review(queue, SETTINGS, "u1", 400)  # a retried request reporting the same total
    after_review(queue, SETTINGS, "u2", 400)  # another user: its own task
    assert [(t.payload["uid"], t.dedupe_key) for t in queue.tasks] == [
        ("u1", personalization.fit_task("u1", 400).dedupe_key),
        ("u2", personalization.fit_task("u2", 400).dedupe_key),
    ]


def test_dedupes_on_the_in_process_queue() -> None:
    delivered: list[TaskDelivery] = []
    with InProcessTaskQueue(delivered.append) as queue:
        after_review(queue, SETTINGS, "u1", 400)
        after_review(queue, SETTINGS, "u1", 400)
        after_review(queue, SETTINGS, "u1", 1400)
        assert queue.drain(5)
    assert [d.task.dedupe_key for d in delivered] == [
        personalization.fit_task("u1", 400).dedupe_key,
        personalization.fit_task("u1", 1400).dedupe_key,
    ]


@pytest.mark.parametrize("error", [RuntimeError("queue down"), TimeoutError(), ValueError("x")])
def test_queue_errors_are_logged_and_swallowed(
    error: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    queue = RecordingQueue(fail_with=error)
    with caplog.at_level(logging.ERROR, logger="aksio.assessments"):
        after_review(queue, SETTINGS, "u1", 400)  # must not raise
    assert queue.tasks == []
    assert any("FSRS parameter fit" in r.getMessage() for r in caplog.records)


def test_no_enqueue_and_no_log_off_milestone(caplog: pytest.LogCaptureFixture) -> None:
    queue = RecordingQueue(fail_with=RuntimeError("would fail"))
    with caplog.at_level(logging.ERROR, logger="aksio.assessments"):
        after_review(queue, SETTINGS, "u1", 401)
    assert caplog.records == []


AT = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("doc_id", "data", "expected"),
    [
        (
            "c1-000003",
            {"card_id": "c1", "rating": "hard", "reviewed_at": AT, "duration_ms": 1200},
            ReviewRecord("c1", 2, AT, 1200),
        ),
        (  # as ReviewLogEntry.to_dict writes it: ISO time, no card id
            "card-x-000001",
            {"rating": "easy", "reviewed_at": AT.isoformat(), "duration_ms": None},
            ReviewRecord("card-x", 4, AT, None),
        ),
        ("c1-000001", {"card_id": "c1", "rating": "meh", "reviewed_at": AT}, None),
        ("c1-000001", {"card_id": "c1", "rating": "good", "reviewed_at": "yesterday"}, None),
        (
            "c1-000001",
            {"card_id": "c1", "rating": "good", "reviewed_at": AT.replace(tzinfo=None)},
            None,
        ),
        ("c1-000001", {"card_id": "c1", "rating": "good"}, None),
    ],
)
def test_review_log_documents_become_records(
    doc_id: str, data: dict[str, object], expected: ReviewRecord | None
) -> None:
    assert personalization.review_record(doc_id, data) == expected
