"""Concurrent reviews of one card lose nothing: many threads review the same
card through the repository on one SQLite store (whose transactions are
real), and afterwards every review is logged once, numbered 1..N, and the
card's state is exactly the log replayed in order through the scheduler."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aksio.accounts.paths import user
from aksio.accounts.profiles import create_profile
from aksio.adapters.sqlite_store import SqliteDocumentStore
from aksio.assessments import paths, scheduling, stats
from aksio.assessments.flashcards import repository, reviews
from aksio.assessments.scheduling import RATINGS
from aksio.courses.repository import create_course
from aksio.ports.documents import collection
from tests.factories.courses import CourseCreateFactory
from tests.factories.flashcards import FlashcardCreateFactory

UID = "concurrent-student"
START = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
THREADS = 8
REVIEWS_PER_THREAD = 15


class TickingClock:
    """Each call is one minute after the previous: called inside the
    transaction, under the store's write lock, so commit order is time order."""

    def __init__(self, start: datetime) -> None:
        self._at = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            self._at += timedelta(minutes=1)
            return self._at


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteDocumentStore]:
    s = SqliteDocumentStore(tmp_path / "store.sqlite3", busy_timeout_ms=30_000)
    create_profile(s, UID, None, "C", START)
    s.update(user(UID), {"desired_retention": 0.85})
    yield s
    s.close()


def test_concurrent_reviews_of_one_card_are_all_applied_in_order(
    store: SqliteDocumentStore,
) -> None:
    course_id = create_course(store, UID, CourseCreateFactory.build(), START).id
    card = repository.create_cards(
        store, UID, [FlashcardCreateFactory.build(course_id=course_id)], START
    )[0]
    initial = store.get(paths.flashcard(UID, card.id))
    assert initial is not None
    clock = TickingClock(START)
    barrier = threading.Barrier(THREADS)

    def reviewer(seed: int) -> list[int]:
        rng = random.Random(seed)
        barrier.wait()  # start together, so the transactions really contend
        totals = []
        for _ in range(REVIEWS_PER_THREAD):
            done = reviews.review_card(
                store,
                UID,
                card.id,
                rating=rng.choice(RATINGS),
                duration_ms=rng.randint(100, 9000),
                now=clock.now,
            )
            totals.append(done.total_reviews)
        return totals

    with ThreadPoolExecutor(THREADS) as pool:
        totals = [t for ts in pool.map(reviewer, range(THREADS)) for t in ts]

    n = THREADS * REVIEWS_PER_THREAD
    assert sorted(totals) == list(range(1, n + 1))  # each review saw its own predecessor
    final = store.get(paths.flashcard(UID, card.id))
    assert final is not None and final.data["review_count"] == n

    logs = sorted(store.query(collection(paths.reviews(UID))), key=lambda s: s.data["seq"])
    assert [s.data["seq"] for s in logs] == list(range(1, n + 1))
    assert [s.id for s in logs] == [f"{card.id}-{seq:06d}" for seq in range(1, n + 1)]
    times = [s.data["reviewed_at"] for s in logs]
    assert times == sorted(times)

    state = scheduling.CardState.from_dict(initial.data["fsrs"])
    lapses = 0
    for snap in logs:
        assert snap.data["state_before"] == state.to_dict()  # chained, nothing skipped
        lapses += snap.data["rating"] == "again" and state.state == "review"
        state = scheduling.review(
            state, snap.data["rating"], snap.data["reviewed_at"], desired_retention=0.85
        ).state
    assert final.data["fsrs"] == state.to_dict()
    assert (final.data["state"], final.data["due"]) == (state.state, state.due)
    assert final.data["lapses"] == lapses

    counts = stats.card_counts(store.get(paths.stats(UID)).data, course_id)  # type: ignore[union-attr]
    assert sum(counts.values()) == 1
    assert counts["learning" if state.state in ("learning", "relearning") else state.state] == 1
