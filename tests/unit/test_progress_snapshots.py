"""The mastery snapshot's pure part: what it stores, when it is stale, and
the dedupe key that makes one refresh per change."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from aksio.assessments import stats
from aksio.ids import new_id
from aksio.learning.progress import mastery, snapshots

NOW = datetime(2025, 5, 5, 12, 0, tzinfo=UTC)


def memories(n: int, sections: list[str | None], seed: int = 1) -> list[mastery.CardMemory]:
    rng = random.Random(seed)
    return [
        mastery.CardMemory(
            section_id=rng.choice(sections),
            retrievability=rng.random(),
            reviewed=rng.random() < 0.7,
        )
        for _ in range(n)
    ]


def assessed(course_id: str, reviews: int, **cards: int) -> dict[str, object]:
    return {"reviews": {"total": reviews}, "cards": {course_id: cards}}


def built(course_id: str, cards: list[mastery.CardMemory], reviews: int = 7) -> dict[str, object]:
    fp = snapshots.fingerprint(assessed(course_id, reviews, new=3, review=len(cards)), course_id)
    return snapshots.build(
        course_id, cards, computed_at=NOW, reviews_total=reviews, cards_fingerprint=fp, capped=False
    )


def test_a_snapshot_holds_the_same_numbers_as_the_direct_computation() -> None:
    course, a, b = new_id(), new_id(), new_id()
    cards = memories(50, [a, b, None])
    parsed = snapshots.parse(built(course, cards))
    assert parsed is not None
    assert parsed.sections == mastery.by_section(cards)
    assert set(parsed.sections) == {a, b, stats.NO_SECTION}
    assert parsed.mastery == pytest.approx(mastery.course_mastery(cards))
    assert (parsed.cards_counted, parsed.computed_at, parsed.reviews_total) == (50, NOW, 7)


def test_a_course_without_cards_has_no_mastery() -> None:
    parsed = snapshots.parse(built(new_id(), []))
    assert parsed is not None and parsed.mastery is None and parsed.sections == {}


@pytest.mark.parametrize(
    "change",
    [
        {"version": snapshots.VERSION + 1},
        {"computed_at": None},
        {"id": None},
        {"computed_at": "yesterday"},
        {"sections": {"s": {"mastery": "high"}}},
        {"sections": ["not", "a", "map"]},
    ],
)
def test_other_versions_and_malformed_snapshots_read_as_missing(change: dict[str, object]) -> None:
    doc = built(new_id(), memories(3, [None])) | change
    assert snapshots.parse(doc) is None
    assert snapshots.parse(None) is None


def test_staleness() -> None:
    course = new_id()
    doc = snapshots.parse(built(course, memories(5, [None]), reviews=7))
    fp = snapshots.fingerprint(assessed(course, 7, new=3, review=5), course)

    def stale(**kw: object) -> bool:
        args: dict[str, object] = {"reviews_total": 7, "cards_fingerprint": fp, "now": NOW}
        return snapshots.is_stale(doc, **(args | kw))  # type: ignore[arg-type]

    assert not stale()
    assert not stale(now=NOW + snapshots.MAX_AGE - timedelta(seconds=1))
    assert stale(now=NOW + snapshots.MAX_AGE)  # memory fades with time alone
    assert stale(reviews_total=8)  # a review anywhere (or an undo: 6)
    assert stale(reviews_total=6)
    added = snapshots.fingerprint(assessed(course, 7, new=4, review=5), course)
    suspended = snapshots.fingerprint(assessed(course, 7, new=3, review=4, suspended=1), course)
    assert stale(cards_fingerprint=added) and stale(cards_fingerprint=suspended)
    assert snapshots.is_stale(None, reviews_total=0, cards_fingerprint=fp, now=NOW)


def counts(reviews_here: int) -> dict[str, int]:
    return {"new": 3, "review": 5, "reviews": reviews_here}


def test_with_per_course_review_counts_only_this_courses_reviews_matter() -> None:
    course = new_id()
    fp = snapshots.fingerprint({"reviews": {"total": 7}, "cards": {course: counts(4)}}, course)
    doc = snapshots.build(
        course,
        memories(5, [None]),
        computed_at=NOW,
        reviews_total=7,
        cards_fingerprint=fp,
        capped=False,
    )
    snap = snapshots.parse(doc)
    # a review in another course raises the user's total, not this course's count
    assert not snapshots.is_stale(snap, reviews_total=8, cards_fingerprint=fp, now=NOW)
    reviewed_here = snapshots.fingerprint(
        {"reviews": {"total": 8}, "cards": {course: counts(5)}}, course
    )
    assert snapshots.is_stale(snap, reviews_total=8, cards_fingerprint=reviewed_here, now=NOW)


def test_the_refresh_key_changes_once_per_change() -> None:
    uid, course = new_id(), new_id()
    fp = snapshots.fingerprint(assessed(course, 7, new=3), course)
    old = snapshots.parse(built(course, [], reviews=7))

    def key(total: int = 7, f: dict[str, int] = fp, snap: object = old) -> str:
        return snapshots.refresh_key(
            uid,
            course,
            reviews_total=total,
            cards_fingerprint=f,
            snapshot=snap,  # type: ignore[arg-type]
        )

    assert key() == key()  # every call seeing the same staleness: one task
    newer = snapshots.parse(built(course, [], reviews=7))  # same numbers, another computation
    others = {key(8), key(f=snapshots.fingerprint(assessed(course, 7, new=4), course))}
    others |= {key(snap=None), key(snap=newer)}
    assert key() not in others and len(others) == 4
    assert key().startswith(f"mastery/{uid}/{course}/7/")
