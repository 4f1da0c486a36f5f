"""A deleted course takes its cards, reviews, quizzes (with attempts) and
generation jobs with it, and its entries in the stats document, while the
same user's other courses keep theirs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from aksio.adapters.sqlite_store import SqliteDocumentStore
from aksio.assessments import paths, stats
from aksio.assessments.cleanup import purge_course_items
from aksio.ids import new_id
from aksio.learning import paths as learning_paths
from aksio.ports.documents import DocumentStore

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> SqliteDocumentStore:
    return SqliteDocumentStore(tmp_path / "store.sqlite3")


def seed_items(store: DocumentStore, uid: str, course_id: str, n: int) -> list[str]:
    """``n`` of each course-keyed item, counted in the stats document; returns their paths."""
    created: list[str] = []
    batch = store.batch()
    for _ in range(n):
        card = new_id()
        quiz = new_id()
        created += [
            paths.flashcard(uid, card),
            paths.review(uid, card, 1),
            paths.quiz(uid, quiz),
            paths.attempt(uid, quiz, new_id()),
            paths.generation_job(uid, new_id()),
        ]
    for path in created:
        batch.set(path, {"course_id": course_id, "created_at": NOW})
    batch.commit()
    update = stats.combine(
        stats.card_added(course_id, "new", n=n),
        stats.quiz_answered(course_id, [("s1", False)] * n),
    )
    store.set(paths.stats(uid), update, merge=True)
    return created


def test_purge_removes_only_that_course(store: SqliteDocumentStore) -> None:
    uid, gone, kept = new_id(), new_id(), new_id()
    gone_paths = seed_items(store, uid, gone, 3)
    kept_paths = seed_items(store, uid, kept, 2)

    deleted = purge_course_items(store, uid, gone)

    assert deleted == len(gone_paths)
    assert all(store.get(p) is None for p in gone_paths)
    assert all(store.get(p) is not None for p in kept_paths)
    data = store.get(paths.stats(uid))
    assert data is not None
    assert gone not in data.data["cards"] and gone not in data.data["weakness"]
    assert stats.card_counts(data.data) == {"new": 2, "learning": 0, "review": 0}
    assert stats.weakness(data.data, kept) == {"s1": pytest.approx(2 / 3)}


def test_purge_drops_the_courses_learning_counters(store: SqliteDocumentStore) -> None:
    uid, gone, kept = new_id(), new_id(), new_id()
    plan = new_id()
    store.set(learning_paths.study_plan(uid, plan), {"course_id": gone})
    store.set(
        learning_paths.stats(uid),
        {
            "minutes_by_day": {"2026-11-25": 50},
            "courses": {gone: {"minutes": 30}, kept: {"minutes": 20}},
            "plans": {plan: {"course_id": gone, "completed": 1}},
        },
    )

    purge_course_items(store, uid, gone)

    snap = store.get(learning_paths.stats(uid))
    assert snap is not None
    assert snap.data == {
        "minutes_by_day": {"2026-11-25": 50},
        "courses": {kept: {"minutes": 20}},
        "plans": {},
    }


def test_purge_twice_and_without_stats_is_harmless(store: SqliteDocumentStore) -> None:
    uid, course = new_id(), new_id()
    store.set(paths.flashcard(uid, new_id()), {"course_id": course})

    assert purge_course_items(store, uid, course) == 1
    assert purge_course_items(store, uid, course) == 0
    assert store.get(paths.stats(uid)) is None
