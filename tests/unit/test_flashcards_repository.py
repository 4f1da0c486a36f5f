"""Flashcards in a real embedded store (SQLite): creation checks, duplicate
lookup, reviews and their undo, suspension, the due queue, deletion, and the
stats document's card counts staying exact through all of it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aksio.accounts.paths import user
from aksio.accounts.profiles import create_profile
from aksio.adapters.counting_store import CountingDocumentStore
from aksio.adapters.sqlite_store import SqliteDocumentStore
from aksio.assessments import paths, scheduling, stats
from aksio.assessments.flashcards import domain, repository, reviews
from aksio.assessments.flashcards.models import Flashcard, FlashcardListQuery
from aksio.clock import FixedClock
from aksio.courses.repository import create_course, create_section, mark_deleting
from aksio.errors import Conflict, InvalidInput, NotFound
from aksio.ids import new_id
from tests.factories.courses import CourseCreateFactory, SectionCreateFactory
from tests.factories.flashcards import FlashcardCreateFactory, FlashcardReplaceFactory

UID = "student-1"
START = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteDocumentStore]:
    s = SqliteDocumentStore(tmp_path / "store.sqlite3")
    create_profile(s, UID, "s@example.org", "S", START)
    yield s
    s.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def course_id(store: SqliteDocumentStore) -> str:
    return create_course(store, UID, CourseCreateFactory.build(), START).id


def make_cards(
    store: Any, course_id: str, n: int = 1, now: datetime = START, **overrides: Any
) -> list[Flashcard]:
    bodies = [FlashcardCreateFactory.build(course_id=course_id, **overrides) for _ in range(n)]
    return repository.create_cards(store, UID, bodies, now)


def card_doc(store: Any, card_id: str) -> dict[str, Any]:
    snap = store.get(paths.flashcard(UID, card_id))
    assert snap is not None
    return dict(snap.data)


def stats_doc(store: Any) -> dict[str, Any]:
    snap = store.get(paths.stats(UID))
    return dict(snap.data) if snap else {}


def nonzero(data: Any) -> Any:
    """The stats document without the zero counters increments leave behind."""
    if isinstance(data, dict):
        kept = {k: nonzero(v) for k, v in data.items()}
        return {k: v for k, v in kept.items() if v not in (0, {})}
    return data


def review(store: Any, card_id: str, rating: Any, clock: FixedClock) -> reviews.Reviewed:
    return reviews.review_card(store, UID, card_id, rating=rating, duration_ms=1500, now=clock.now)


# ------------------------------------------------------------------ creation
def test_create_checks_the_course_and_its_sections(
    store: SqliteDocumentStore, course_id: str
) -> None:
    other = create_course(store, UID, CourseCreateFactory.build(), START).id
    foreign_section = create_section(store, UID, other, SectionCreateFactory.build(), START).id
    with pytest.raises(NotFound):
        make_cards(store, new_id())
    with pytest.raises(NotFound):
        make_cards(store, course_id, section_id=foreign_section)
    with pytest.raises(NotFound):  # another user's course is not this user's
        repository.create_cards(
            store, "someone-else", [FlashcardCreateFactory.build(course_id=course_id)], START
        )
    mark_deleting(store, UID, other, START)
    with pytest.raises(NotFound):
        make_cards(store, other)
    assert stats_doc(store) == {}  # nothing was written


def test_create_counts_new_cards_per_course(store: SqliteDocumentStore, course_id: str) -> None:
    other = create_course(store, UID, CourseCreateFactory.build(), START).id
    section = create_section(store, UID, course_id, SectionCreateFactory.build(), START).id
    bodies = [
        *(FlashcardCreateFactory.build(course_id=course_id, section_id=section) for _ in range(3)),
        FlashcardCreateFactory.build(course_id=other),
    ]
    created = repository.create_cards(store, UID, bodies, START, origin="generated")
    assert [c.section_id for c in created] == [section, section, section, None]
    assert card_doc(store, created[0].id)["origin"] == "generated"
    data = stats_doc(store)
    assert stats.card_counts(data, course_id) == {"new": 3, "learning": 0, "review": 0}
    assert stats.card_counts(data) == {"new": 4, "learning": 0, "review": 0}


def test_existing_fingerprints_reads_only_matches_in_chunks_of_30(
    store: SqliteDocumentStore, course_id: str
) -> None:
    other = create_course(store, UID, CourseCreateFactory.build(), START).id
    cards = make_cards(store, course_id, 40)
    make_cards(store, other, 1, front=cards[0].front)  # same front, other course
    have = [domain.fingerprint(c.front.upper() + " ?") for c in cards[:35]]
    wanted = have + [domain.fingerprint(f"unknown {i}") for i in range(25)]  # 60 -> 2 queries
    counting = CountingDocumentStore(store)
    found = repository.existing_fingerprints(counting, UID, course_id, wanted)
    assert found == set(have)
    assert counting.reads == 35  # one per match, no scan of the other 5 cards or course
    assert repository.existing_fingerprints(store, UID, other, have) == {have[0]}


# ------------------------------------------------------------------ reading and editing
def test_list_filters_and_pages_newest_first(store: SqliteDocumentStore, course_id: str) -> None:
    section = create_section(store, UID, course_id, SectionCreateFactory.build(), START).id
    old = make_cards(store, course_id, 2, tags=["exam"])
    new = make_cards(
        store, course_id, 3, now=START + timedelta(hours=1), section_id=section, tags=["x"]
    )
    page = repository.list_cards(store, UID, FlashcardListQuery(limit=4))
    assert {c.id for c in page.items[:3]} == {c.id for c in new} and page.next_cursor
    rest = repository.list_cards(store, UID, FlashcardListQuery(limit=4, cursor=page.next_cursor))
    assert len(rest.items) == 1 and rest.next_cursor is None
    by_tag = repository.list_cards(store, UID, FlashcardListQuery(tag="exam"))
    assert {c.id for c in by_tag.items} == {c.id for c in old}
    by_section = repository.list_cards(store, UID, FlashcardListQuery(section_id=section))
    assert len(by_section.items) == 3
    assert repository.list_cards(store, UID, FlashcardListQuery(state="review")).items == []


def test_replace_keeps_the_course_and_checks_the_section(
    store: SqliteDocumentStore, course_id: str, clock: FixedClock
) -> None:
    card = make_cards(store, course_id)[0]
    other = create_course(store, UID, CourseCreateFactory.build(), START).id
    foreign_section = create_section(store, UID, other, SectionCreateFactory.build(), START).id
    later = START + timedelta(minutes=5)
    with pytest.raises(InvalidInput):
        repository.replace_card(
            store, UID, card.id, FlashcardReplaceFactory.build(course_id=other), later
        )
    with pytest.raises(NotFound):
        repository.replace_card(
            store, UID, card.id, FlashcardReplaceFactory.build(section_id=foreign_section), later
        )
    body = FlashcardReplaceFactory.build(course_id=course_id)
    updated = repository.replace_card(store, UID, card.id, body, later)
    doc = card_doc(store, card.id)
    assert (updated.front, updated.updated_at, updated.created_at) == (body.front, later, START)
    assert doc["fingerprint"] == domain.fingerprint(body.front)
    assert doc["fsrs"] == scheduling.CardState.new(START).to_dict()  # scheduling untouched


# ------------------------------------------------------------------ reviews
def test_review_costs_three_reads_and_three_writes(
    store: SqliteDocumentStore, course_id: str, clock: FixedClock
) -> None:
    card = make_cards(store, course_id)[0]
    counting = CountingDocumentStore(store)
    review(counting, card.id, "good", clock)
    assert (counting.reads, counting.writes) == (3, 3)


def test_review_uses_the_profile_and_personal_parameters(
    store: SqliteDocumentStore, course_id: str, clock: FixedClock
) -> None:
    store.update(user(UID), {"desired_retention": 0.8, "timezone": "Pacific/Auckland"})
    params = [p * 1.05 for p in scheduling.DEFAULT_PARAMETERS]
    store.set(paths.stats(UID), {"fsrs": {"parameters": params}}, merge=True)
    card = make_cards(store, course_id)[0]
    clock.advance(hours=14)  # 22:00 UTC is the next day in Auckland
    first = review(store, card.id, "good", clock)
    state = scheduling.CardState.new(START)
    expected = scheduling.review(
        state, "good", clock.now(), desired_retention=0.8, parameters=params
    )
    assert first.result.card.due == expected.next_due == first.result.next_due
    log = store.get(paths.review(UID, card.id, 1))
    assert log is not None and log.data["day"] == "2025-03-02"
    assert log.data["reviewed_at"] == clock.now()  # a timestamp, not a string
    assert {"card_id", "course_id", "section_id", "seq", "rating", "duration_ms"} <= set(log.data)
    assert stats_doc(store)["reviews"]["by_day"] == {"2025-03-02": 1}
    assert first.total_reviews == 1


def test_review_then_undo_restores_card_and_stats_exactly(
    store: SqliteDocumentStore, course_id: str, clock: FixedClock
) -> None:
    card = make_cards(store, course_id)[0]
    # graduate to review, then lapse: the undo must reverse a state move and a lapse
    rating: Any = "good"
    while card_doc(store, card.id)["state"] != "review":
        clock.at = card_doc(store, card.id)["due"]
        review(store, card.id, rating, clock)
    clock.advance(days=5)
    before_card, before_stats = card_doc(store, card.id), stats_doc(store)
    count = before_card["review_count"]
    lapsed = review(store, card.id, "again", clock).result.card
    assert (lapsed.state, lapsed.lapses, lapsed.review_count) == ("relearning", 1, count + 1)
    assert stats_doc(store)["weakness"][course_id]["_none"]["lapses"] == 1
    undone = reviews.undo_review(store, UID, card.id)
    after_card = card_doc(store, card.id)
    for name in set(before_card) | set(after_card):
        assert after_card.get(name) == before_card.get(name), name
    assert nonzero(stats_doc(store)) == nonzero(before_stats)
    assert undone.model_dump() == repository.to_flashcard(card.id, before_card).model_dump()
    assert store.get(paths.review(UID, card.id, count + 1)) is None
    assert store.get(paths.review(UID, card.id, count)) is not None


def test_undo_everything_then_nothing_left(
    store: SqliteDocumentStore, course_id: str, clock: FixedClock
) -> None:
    card = make_cards(store, course_id)[0]
    original = card_doc(store, card.id)
    for rating in ("again", "good", "easy"):
        review(store, card.id, rating, clock)
        clock.advance(minutes=10)
    for _ in range(3):
        reviews.undo_review(store, UID, card.id)
    assert card_doc(store, card.id) == original
    assert stats.card_counts(stats_doc(store), course_id) == {"new": 1, "learning": 0, "review": 0}
    assert stats.total_reviews(stats_doc(store)) == 0
    with pytest.raises(Conflict):
        reviews.undo_review(store, UID, card.id)


def test_suspended_cards_are_not_reviewed_or_due(
    store: SqliteDocumentStore, course_id: str, clock: FixedClock
) -> None:
    card = make_cards(store, course_id)[0]
    review(store, card.id, "again", clock)  # learning
    repository.set_suspended(store, UID, card.id, True, START)
    again = repository.set_suspended(store, UID, card.id, True, START)  # idempotent
    assert again.suspended
    counts = stats_doc(store)["cards"][course_id]
    assert (counts.get("suspended"), counts.get("learning")) == (1, 0)
    with pytest.raises(Conflict):
        review(store, card.id, "good", clock)
    clock.advance(days=1)
    assert reviews.due_cards(store, UID, None, clock.now(), 20).items == []
    # undo while suspended keeps the card counted under suspended only
    reviews.undo_review(store, UID, card.id)
    assert nonzero(stats_doc(store)["cards"][course_id]) == {"suspended": 1}
    repository.set_suspended(store, UID, card.id, False, START)
    repository.set_suspended(store, UID, card.id, False, START)
    assert stats.card_counts(stats_doc(store), course_id) == {"new": 1, "learning": 0, "review": 0}
    assert [c.id for c in reviews.due_cards(store, UID, None, clock.now(), 20).items] == [card.id]


def test_due_queue_is_most_overdue_first_bounded_and_cheap(
    store: SqliteDocumentStore, course_id: str, clock: FixedClock
) -> None:
    other = create_course(store, UID, CourseCreateFactory.build(), START).id
    cards = make_cards(store, course_id, 5) + make_cards(store, other, 2)
    # give each card its own due time: card i is due i hours after START
    for i, card in enumerate(cards):
        clock.at = START + timedelta(hours=i)
        review(store, card.id, "again", clock)
    clock.at = START + timedelta(days=2)
    future = make_cards(store, course_id, 1, now=clock.now() + timedelta(days=1))[0]
    counting = CountingDocumentStore(store)
    due = reviews.due_cards(counting, UID, None, clock.now(), 4)
    assert counting.reads <= 4 + 3
    assert [c.id for c in due.items] == [c.id for c in cards[:4]]
    assert due.counts.model_dump() == {"new": 1, "learning": 7, "review": 0}
    per_course = reviews.due_cards(store, UID, other, clock.now(), 20)
    assert [c.id for c in per_course.items] == [c.id for c in cards[5:]]
    assert per_course.counts.model_dump() == {"new": 0, "learning": 2, "review": 0}
    assert future.id not in {
        c.id for c in reviews.due_cards(store, UID, None, clock.now(), 100).items
    }


def test_delete_removes_the_card_its_log_and_its_count(
    store: SqliteDocumentStore, course_id: str, clock: FixedClock
) -> None:
    keep, gone = make_cards(store, course_id, 2)
    for _ in range(3):
        review(store, gone.id, "good", clock)
        review(store, keep.id, "good", clock)
        clock.advance(days=1)
    repository.delete_card(store, UID, gone.id)
    with pytest.raises(NotFound):
        repository.get_card(store, UID, gone.id)
    logs = [s.data["card_id"] for s in store.query(paths_reviews())]
    assert logs == [keep.id] * 3
    counts = stats.card_counts(stats_doc(store), course_id)
    assert sum(counts.values()) == 1
    assert stats.total_reviews(stats_doc(store)) == 6  # the history stays counted
    with pytest.raises(NotFound):
        repository.delete_card(store, UID, gone.id)


def paths_reviews() -> Any:
    from aksio.ports.documents import collection

    return collection(paths.reviews(UID))


@pytest.mark.parametrize("bad_id", ["", "a/b", "x" * 200, "has space"])
def test_ids_that_cannot_exist_are_not_found(store: SqliteDocumentStore, bad_id: str) -> None:
    with pytest.raises(NotFound):
        repository.get_card(store, UID, bad_id)
    with pytest.raises(NotFound):
        reviews.undo_review(store, UID, bad_id)


def test_generation_runs_racing_to_add_the_same_cards_add_each_once(
    store: SqliteDocumentStore, course_id: str
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    bodies = [FlashcardCreateFactory.build(course_id=course_id) for _ in range(6)]
    runs = 4

    def run(_: int) -> list[Flashcard]:
        return repository.create_cards(store, UID, bodies, START, origin="generated")

    with ThreadPoolExecutor(runs) as pool:
        created = [c for made in pool.map(run, range(runs)) for c in made]
    assert sorted(c.front for c in created) == sorted(b.front for b in bodies)
    page = repository.list_cards(store, UID, FlashcardListQuery(course_id=course_id, limit=100))
    assert len(page.items) == len(bodies)
    snap = store.get(paths.stats(UID))
    assert snap is not None and stats.card_counts(snap.data, course_id)["new"] == len(bodies)
    # a manual card with the same front is the student's own: never skipped
    assert len(repository.create_cards(store, UID, bodies[:1], START)) == 1
