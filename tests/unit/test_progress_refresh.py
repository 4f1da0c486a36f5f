"""Mastery snapshots refreshed by the ``refresh_mastery`` task: through the
in-process queue and the real task worker, on the SQLite store. The progress
call asks for a refresh when the snapshot is missing or stale, exactly once
per change, and never fails because the queue does."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import aksio.learning.progress.tasks  # noqa: F401 (registers refresh_mastery)
from aksio.accounts.profiles import create_profile
from aksio.adapters.inprocess_tasks import InProcessTaskQueue
from aksio.adapters.sqlite_store import SqliteDocumentStore
from aksio.assessments import paths as assessment_paths
from aksio.assessments.flashcards import repository as cards
from aksio.assessments.flashcards import reviews
from aksio.assessments.scheduling import RatingName
from aksio.clock import FixedClock
from aksio.composition import Services, set_services
from aksio.config import Settings
from aksio.courses import repository as courses
from aksio.ids import new_id
from aksio.learning.progress import mastery, refresh, snapshots
from aksio.learning.progress.models import CourseProgress, Progress, ProgressQuery
from aksio.learning.progress.repository import get_progress
from aksio.ports.documents import collection
from aksio.ports.tasks import RetryPolicy, Task, TaskDelivery
from aksio.tasks.local import deliver_via_worker
from tests.factories.courses import CourseCreateFactory, SectionCreateFactory
from tests.factories.flashcards import FlashcardCreateFactory

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
RATINGS: tuple[RatingName, ...] = ("good", "again", "easy", "hard")
POLICY = RetryPolicy(max_attempts=2, min_backoff_s=0.01)


@dataclass
class Harness:
    store: SqliteDocumentStore
    clock: FixedClock
    queue: InProcessTaskQueue
    uid: str = field(default_factory=new_id)
    deliveries: list[TaskDelivery] = field(default_factory=list)
    gate: threading.Event = field(default_factory=threading.Event)
    """Deliveries wait for it: tests make calls while a refresh is still queued."""

    def course(self, n_cards: int = 12, n_sections: int = 3) -> tuple[str, list[str]]:
        now = self.clock.now()
        course = courses.create_course(self.store, self.uid, CourseCreateFactory.build(), now).id
        sections = [
            courses.create_section(self.store, self.uid, course, SectionCreateFactory.build(), now)
            for _ in range(n_sections)
        ]
        bodies = [
            FlashcardCreateFactory.build(
                course_id=course, section_id=sections[i % n_sections].id if i % 4 else None
            )
            for i in range(n_cards)
        ]
        made = cards.create_cards(self.store, self.uid, bodies, now)
        return course, [c.id for c in made]

    def review(self, card_ids: list[str], n: int) -> None:
        ratings = itertools.cycle(RATINGS)
        for i in range(n):
            self.clock.advance(hours=5)
            card = card_ids[i % len(card_ids)]
            reviews.review_card(
                self.store, self.uid, card, rating=next(ratings), duration_ms=3000,
                now=self.clock.now,
            )  # fmt: skip

    def progress(self, course_id: str | None = None) -> Progress:
        query = ProgressQuery(course_id=course_id)
        return get_progress(self.store, self.uid, query, self.clock.now(), tasks=lambda: self.queue)

    def settle(self) -> None:
        self.gate.set()
        assert self.queue.drain(30), "refresh did not finish"

    def refreshes(self) -> list[dict[str, object]]:
        return [d.task.payload for d in self.deliveries if d.task.kind == refresh.TASK_KIND]


@pytest.fixture
def h(tmp_path: Path) -> Iterator[Harness]:
    store = SqliteDocumentStore(tmp_path / "store.sqlite3")
    clock = FixedClock(START)
    config = Settings(task_queue="inprocess", environment="test")
    set_services(Services(config, documents=store, clock=clock))
    worker = deliver_via_worker(config, retry=POLICY)
    holder: list[Harness] = []

    def deliver(delivery: TaskDelivery) -> None:
        h = holder[0]
        assert h.gate.wait(30)
        h.deliveries.append(delivery)
        worker(delivery)

    queue = InProcessTaskQueue(deliver, POLICY)
    h = Harness(store, clock, queue)
    holder.append(h)
    create_profile(store, h.uid, "learner@example.org", "Learner", START)
    try:
        yield h
    finally:
        h.gate.set()
        queue.close()
        set_services(None)
        store.close()


def direct(h: Harness, course_id: str) -> dict[str, mastery.SectionMastery]:
    """Mastery computed straight from the cards now, as the page used to."""
    docs = h.store.query(
        collection(assessment_paths.flashcards(h.uid)).where("course_id", "==", course_id)
    )
    now = h.clock.now()
    return mastery.by_section(
        mastery.card_memory(d.data, now, None) for d in docs if not d.data.get("suspended")
    )


def shown(progress: Progress) -> CourseProgress:
    [course] = progress.courses
    return course


def test_first_call_queues_a_refresh_and_the_next_shows_its_mastery(h: Harness) -> None:
    course, card_ids = h.course()
    h.review(card_ids, 20)
    first = shown(h.progress(course))
    assert (first.mastery, first.mastery_as_of, first.mastery_stale) == (None, None, True)
    assert {s.mastery for s in first.sections} == {None} and first.cards_counted == 0

    h.settle()
    assert h.refreshes() == [{"uid": h.uid, "course_id": course}]
    after = shown(h.progress(course))
    assert after.mastery_as_of == h.clock.now() and after.mastery_stale is False
    expected = direct(h, course)
    for section in after.sections:
        assert section.mastery == pytest.approx(expected[section.section_id].mastery)
        assert section.cards == expected[section.section_id].cards
        assert section.reviewed_cards == expected[section.section_id].reviewed
    total = sum((s.mastery or 0.0) * s.cards for s in expected.values())
    assert after.mastery == pytest.approx(total / 12)
    assert after.cards_counted == 12 and after.cards_capped is False
    # fresh: asking again queues nothing
    h.progress(course)
    h.progress()
    h.settle()
    assert len(h.refreshes()) == 1


def test_refresh_matches_the_direct_computation_with_personal_parameters(h: Harness) -> None:
    course, card_ids = h.course(30, 4)
    h.review(card_ids, 60)
    cards.set_suspended(h.store, h.uid, card_ids[0], True, h.clock.now())
    h.clock.advance(days=3)  # memory fades between the last review and the refresh
    done = refresh.refresh(h.store, h.uid, course, h.clock.now())
    assert done.written and done.cards == 29
    snap = snapshots.parse(h.store.get(snapshots.path(h.uid, course)).data)  # type: ignore[union-attr]
    assert snap is not None and snap.computed_at == h.clock.now()
    expected = direct(h, course)
    assert snap.sections.keys() == expected.keys()
    for sid, got in snap.sections.items():
        assert got.mastery == pytest.approx(expected[sid].mastery)
        assert (got.cards, got.reviewed) == (expected[sid].cards, expected[sid].reviewed)
    assert snap.reviews_total == 60 and snap.cards_fingerprint["suspended"] == 1


def test_a_stale_snapshot_asks_for_exactly_one_refresh(h: Harness) -> None:
    course, card_ids = h.course()
    h.progress(course)
    h.settle()
    assert len(h.refreshes()) == 1
    before = shown(h.progress(course)).mastery_as_of

    h.gate.clear()  # refreshes wait: the calls below all see the same stale snapshot
    h.review(card_ids, 3)
    for _ in range(4):
        got = shown(h.progress(course))
        assert got.mastery_stale is True and got.mastery_as_of == before
    h.progress()  # the all-courses view sees the same staleness: same task
    h.settle()
    assert len(h.refreshes()) == 2
    fresh = shown(h.progress(course))
    assert fresh.mastery_stale is False and fresh.mastery_as_of == h.clock.now()


def test_cards_added_or_time_passing_make_it_stale(h: Harness) -> None:
    course, _ = h.course(4, 1)
    h.progress(course)
    h.settle()
    assert shown(h.progress(course)).cards_counted == 4

    h.gate.clear()
    body = FlashcardCreateFactory.build(course_id=course)
    cards.create_cards(h.store, h.uid, [body], h.clock.now())
    assert shown(h.progress(course)).mastery_stale is True
    h.settle()
    assert shown(h.progress(course)).cards_counted == 5

    h.clock.advance(hours=5, minutes=59)
    assert shown(h.progress(course)).mastery_stale is False
    h.clock.advance(minutes=1)
    h.gate.clear()
    assert shown(h.progress(course)).mastery_stale is True
    assert shown(h.progress(course)).mastery_stale is True
    h.settle()
    assert len(h.refreshes()) == 3
    assert shown(h.progress(course)).mastery_as_of == h.clock.now()


def test_queue_failures_do_not_fail_the_page(h: Harness) -> None:
    course, card_ids = h.course()
    h.review(card_ids, 5)

    def broken() -> InProcessTaskQueue:
        raise RuntimeError("queue unreachable")

    query = ProgressQuery(course_id=course)
    got = get_progress(h.store, h.uid, query, h.clock.now(), tasks=broken)
    assert shown(got).mastery is None and shown(got).mastery_stale is True
    assert sum(got.reviews_by_day.values()) == 5
    h.queue.close()  # enqueue on a closed queue raises
    again = get_progress(h.store, h.uid, query, h.clock.now(), tasks=lambda: h.queue)
    assert shown(again).mastery_stale is True
    assert h.refreshes() == []


def test_many_stale_courses_queue_a_bounded_number_of_refreshes(h: Harness) -> None:
    from aksio.learning.progress.repository import MAX_REFRESHES_PER_CALL

    for _ in range(MAX_REFRESHES_PER_CALL + 2):
        h.course(1, 1)
    got = h.progress()
    assert all(c.mastery_stale for c in got.courses)
    h.settle()
    assert len(h.refreshes()) == MAX_REFRESHES_PER_CALL
    h.progress()
    h.settle()
    assert len(h.refreshes()) == MAX_REFRESHES_PER_CALL + 2
    assert not any(c.mastery_stale for c in h.progress().courses)


def test_refresh_never_writes_under_a_course_being_deleted_nor_over_a_newer_one(
    h: Harness,
) -> None:
    course, _ = h.course(3, 1)
    later = h.clock.now() + timedelta(hours=1)
    assert refresh.refresh(h.store, h.uid, course, later).written
    assert not refresh.refresh(h.store, h.uid, course, h.clock.now()).written
    snap = snapshots.parse(h.store.get(snapshots.path(h.uid, course)).data)  # type: ignore[union-attr]
    assert snap is not None and snap.computed_at == later

    courses.mark_deleting(h.store, h.uid, course, h.clock.now())
    assert not refresh.refresh(h.store, h.uid, course, later + timedelta(hours=1)).written
    # the snapshot lives under the course: purging the course's subtree removes it
    h.store.delete_tree(courses.course_path(h.uid, course))
    assert h.store.get(snapshots.path(h.uid, course)) is None
    assert not refresh.refresh(h.store, h.uid, course, later + timedelta(hours=2)).written
    assert h.store.get(snapshots.path(h.uid, course)) is None


def test_a_bad_payload_is_dropped_not_retried(h: Harness) -> None:
    h.gate.set()
    h.queue.enqueue(Task(refresh.TASK_KIND, {"uid": "not/an id", "course_id": new_id()}))
    assert h.queue.drain(30)
    assert len(h.deliveries) == 1  # discarded by the worker as an invalid payload
