"""The fit_fsrs_parameters task, delivered through the worker as in local runs:
on a real user's review log (the shared Anki log) it fits, scores and adopts
personal parameters the scheduler then uses; with too little history it stores
nothing and still succeeds."""

from __future__ import annotations

import csv
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS
from polyfactory import Use
from polyfactory.factories import DataclassFactory

from aksio.adapters.inprocess_tasks import InProcessTaskQueue
from aksio.adapters.sqlite_store import SqliteDocumentStore
from aksio.assessments import paths, personalization, stats
from aksio.assessments.optimizer import MIN_REVIEWS, ReviewRecord
from aksio.assessments.scheduling import DEFAULT_PARAMETERS, RATINGS, CardState, review
from aksio.clock import FixedClock
from aksio.composition import Services, set_services
from aksio.config import Settings
from aksio.ports.documents import MAX_BATCH_WRITES, DocumentStore, collection
from aksio.ports.tasks import RetryPolicy, Task, TaskDelivery
from aksio.tasks.local import deliver_via_worker

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "review-log-anki-user.csv"
NOW = datetime(2024, 10, 7, 8, 0, tzinfo=UTC)
POLICY = RetryPolicy(max_attempts=3, min_backoff_s=0.01, max_backoff_s=0.01)


def settings(first: int = 400, every: int = 1000) -> Settings:
    return Settings(
        task_queue="inprocess",
        task_shared_secret="test-secret",
        environment="test",
        fsrs_min_reviews_to_fit=first,
        fsrs_refit_every=every,
    )


# ------------------------------------------------------------------ data
class ReviewRecordFactory(DataclassFactory[ReviewRecord]):
    """Reviews of a few cards over a few weeks (enough variety, too few to fit)."""

    card_id = Use(lambda: f"c{random.randint(1, 12)}")
    rating = Use(lambda: random.choice([1, 3, 3, 3, 4]))
    reviewed_at = Use(lambda: NOW - timedelta(days=random.uniform(1, 40)))
    duration_ms = Use(lambda: random.randint(800, 30_000))


@pytest.fixture(scope="module")
def real_log() -> list[ReviewRecord]:
    if not DATA.exists():
        pytest.skip(f"shared review log not found at {DATA}")
    with DATA.open(newline="") as handle:
        return [
            ReviewRecord(
                card_id=row["card_id"],
                rating=int(row["review_rating"]),
                reviewed_at=datetime.fromisoformat(row["review_time"]),
                duration_ms=int(row["review_duration"]) if row["review_duration"] else None,
            )
            for row in csv.DictReader(handle)
        ]


def seed_log(store: DocumentStore, uid: str, reviews: Sequence[ReviewRecord]) -> None:
    """Review log documents as the review endpoint writes them (one per review,
    ``{card_id}-{seq}``), plus a stats doc whose other fields must survive."""
    seq: Counter[str] = Counter()
    docs = []
    for r in sorted(reviews, key=lambda r: r.reviewed_at):
        seq[r.card_id] += 1
        docs.append(
            (
                paths.review(uid, r.card_id, seq[r.card_id]),
                {
                    "card_id": r.card_id,
                    "course_id": "course1",
                    "rating": RATINGS[r.rating - 1],
                    "reviewed_at": r.reviewed_at,
                    "duration_ms": r.duration_ms,
                },
            )
        )
    for i in range(0, len(docs), MAX_BATCH_WRITES):
        batch = store.batch()
        for path, data in docs[i : i + MAX_BATCH_WRITES]:
            batch.set(path, data)
        batch.commit()
    store.set(paths.stats(uid), {"reviews": {"total": len(docs)}}, merge=True)


# ------------------------------------------------------------------ harness
@dataclass
class Harness:
    store: DocumentStore
    clock: FixedClock
    queue: InProcessTaskQueue
    settings: Settings
    deliveries: list[TaskDelivery]

    def fsrs(self, uid: str) -> dict[str, Any] | None:
        snap = self.store.get(paths.stats(uid))
        return None if snap is None else snap.data.get("fsrs")

    def run(self, task: Task) -> None:
        self.queue.enqueue(task)
        assert self.queue.drain(120)


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    store = SqliteDocumentStore(tmp_path / "store.db")
    clock = FixedClock(NOW)
    config = settings()
    set_services(Services(config, documents=store, clock=clock))
    deliveries: list[TaskDelivery] = []
    worker: Callable[[TaskDelivery], None] = deliver_via_worker(config, retry=POLICY)

    def deliver(delivery: TaskDelivery) -> None:
        deliveries.append(delivery)
        worker(delivery)  # a non-2xx answer raises: the queue retries

    queue = InProcessTaskQueue(deliver, POLICY)
    try:
        yield Harness(store, clock, queue, config, deliveries)
    finally:
        queue.close()
        set_services(None)
        store.close()


def in_bounds(parameters: Sequence[float]) -> bool:
    return len(parameters) == 21 and all(
        isinstance(p, float) and math.isfinite(p) and lo <= p <= hi
        for p, lo, hi in zip(
            parameters, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=False
        )
    )


# ------------------------------------------------------------------ tests
def test_real_log_adopts_personal_parameters_through_the_worker(
    harness: Harness, real_log: list[ReviewRecord]
) -> None:
    seed_log(harness.store, "u1", real_log)
    n = len(real_log)
    # The endpoint's call at a milestone: make this log's size one.
    config = settings(first=400, every=n - 400)

    started = time.perf_counter()
    personalization.after_review(harness.queue, config, "u1", n)
    assert harness.queue.drain(120)
    elapsed = time.perf_counter() - started
    print(f"\nfit_fsrs_parameters on {n} reviews: {elapsed:.2f} s")  # shown with -s
    assert elapsed < 60  # the task_worker's timeout is minutes; this is seconds

    assert [d.attempt for d in harness.deliveries] == [1]
    assert [d.task.payload for d in harness.deliveries] == [{"uid": "u1"}]
    fsrs = harness.fsrs("u1")
    assert fsrs is not None
    assert fsrs["adopted"] is True
    assert fsrs["fitted_on_reviews"] == n
    assert fsrs["fitted_at"] == NOW
    metrics = fsrs["metrics"]
    assert set(metrics) == {
        "log_loss_default",
        "log_loss_fitted",
        "rmse_default",
        "rmse_fitted",
        "scored_reviews",
    }
    assert all(math.isfinite(metrics[k]) for k in metrics)
    assert metrics["log_loss_fitted"] <= metrics["log_loss_default"]
    # the later 20% holds ~2,500 reviews, about 1,400 of them on a later day
    assert 1000 < metrics["scored_reviews"] < n * 0.2
    parameters = fsrs["parameters"]
    assert in_bounds(parameters)
    assert parameters != list(DEFAULT_PARAMETERS)

    snap = harness.store.get(paths.stats("u1"))
    assert snap is not None
    assert stats.fsrs_parameters(snap.data) == parameters
    assert stats.total_reviews(snap.data) == n  # the rest of the doc is untouched


def test_personal_parameters_change_the_schedule(
    harness: Harness, real_log: list[ReviewRecord]
) -> None:
    seed_log(harness.store, "u1", real_log)
    harness.run(personalization.fit_task("u1", len(real_log)))
    snap = harness.store.get(paths.stats("u1"))
    personal = stats.fsrs_parameters(snap.data if snap else None)
    assert personal is not None

    def schedule(parameters: Sequence[float] | None) -> list[datetime]:
        state, dues, now = CardState.new(NOW), [], NOW
        for rating in ("good", "good", "again", "good"):
            outcome = review(state, rating, now, parameters=parameters)
            state, now = outcome.state, outcome.next_due
            dues.append(outcome.next_due)
        return dues

    assert schedule(personal) != schedule(None)
    assert schedule(personal) == schedule(personal)  # the scheduler is deterministic


def test_running_twice_stores_the_same_result(
    harness: Harness, real_log: list[ReviewRecord]
) -> None:
    seed_log(harness.store, "u1", real_log)
    task = Task(personalization.TASK_KIND, {"uid": "u1"})  # no dedupe key: delivered twice
    harness.run(task)
    first = harness.fsrs("u1")
    harness.run(task)
    assert first is not None and harness.fsrs("u1") == first
    assert len(harness.deliveries) == 2


def test_an_older_fit_does_not_overwrite_a_newer_one(
    harness: Harness, real_log: list[ReviewRecord]
) -> None:
    ordered = sorted(real_log, key=lambda r: r.reviewed_at)
    older = personalization.decide(ordered[: len(ordered) // 2])
    newer = personalization.decide(ordered)
    assert older is not None and newer is not None
    assert personalization.store_decision(harness.store, "u1", newer, NOW)
    assert not personalization.store_decision(harness.store, "u1", older, NOW)
    fsrs = harness.fsrs("u1")
    assert fsrs is not None and fsrs["fitted_on_reviews"] == len(ordered)


def test_too_few_reviews_store_nothing_and_succeed(harness: Harness) -> None:
    seed_log(harness.store, "u2", ReviewRecordFactory.batch(MIN_REVIEWS // 2))
    harness.run(personalization.fit_task("u2", 400))
    assert [d.attempt for d in harness.deliveries] == [1]  # not retried
    snap = harness.store.get(paths.stats("u2"))
    assert snap is not None and "fsrs" not in snap.data
    assert stats.fsrs_parameters(snap.data) is None


def test_many_reviews_but_no_long_term_ones_store_nothing(harness: Harness) -> None:
    # 600 reviews, all on one day: nothing the forgetting curve can learn from.
    day = NOW.replace(hour=9)
    same_day = [
        ReviewRecordFactory.build(reviewed_at=day + timedelta(minutes=random.uniform(0, 600)))
        for _ in range(600)
    ]
    seed_log(harness.store, "u3", same_day)
    harness.run(personalization.fit_task("u3", 600))
    assert [d.attempt for d in harness.deliveries] == [1]
    assert harness.fsrs("u3") is None


def test_an_earlier_fit_is_kept_when_the_log_is_too_small_now(
    harness: Harness, real_log: list[ReviewRecord]
) -> None:
    # Nothing new is stored on a skip: earlier parameters stay in force.
    seed_log(harness.store, "u1", real_log)
    harness.run(personalization.fit_task("u1", len(real_log)))
    before = harness.fsrs("u1")
    assert before is not None and before["adopted"] is True
    # e.g. the course holding most cards was deleted (its reviews with it)
    for i, snap in enumerate(list(harness.store.stream(collection(paths.reviews("u1"))))):
        if i >= 200:
            harness.store.delete(snap.path)
    harness.clock.advance(days=1)
    harness.run(Task(personalization.TASK_KIND, {"uid": "u1"}))
    assert [d.attempt for d in harness.deliveries] == [1, 1]
    assert harness.fsrs("u1") == before


def test_a_bad_payload_is_dropped_not_retried(harness: Harness) -> None:
    harness.run(Task(personalization.TASK_KIND, {"uid": "a/b"}))
    harness.run(Task(personalization.TASK_KIND, {"user": "u1"}))
    assert [d.attempt for d in harness.deliveries] == [1, 1]
