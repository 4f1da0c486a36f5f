"""The stats document's builders, applied by a real store: counts stay exact
through adds, moves, suspensions and undone reviews."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aksio.adapters.sqlite_store import SqliteDocumentStore
from aksio.assessments import stats
from aksio.ports.documents import Increment

PATH = "users/u1/stats/assessments"


@pytest.fixture
def store(tmp_path: Path) -> SqliteDocumentStore:
    return SqliteDocumentStore(tmp_path / "s.sqlite3")


def apply(store: SqliteDocumentStore, *updates: dict[str, object]) -> dict[str, object]:
    store.set(PATH, stats.combine(*updates), merge=True)
    snap = store.get(PATH)
    assert snap is not None
    return snap.data


def test_card_life_cycle_keeps_counts_exact(store: SqliteDocumentStore) -> None:
    apply(store, stats.card_added("c1", "new", n=3), stats.card_added("c2", "new"))
    apply(store, stats.card_moved("c1", "new", "learning"))
    apply(store, stats.card_moved("c1", "learning", "review"))
    apply(store, stats.suspension_changed("c1", "new", suspended=True))
    data = apply(store, stats.card_moved("c2", "new", "relearning"))

    assert stats.card_counts(data, "c1") == {"new": 1, "learning": 0, "review": 1}
    assert stats.card_counts(data, "c2") == {"new": 0, "learning": 1, "review": 0}
    assert stats.card_counts(data) == {"new": 1, "learning": 1, "review": 1}
    assert stats.card_counts(data, "unknown") == {"new": 0, "learning": 0, "review": 0}

    data = apply(store, stats.suspension_changed("c1", "new", suspended=False))
    data = apply(store, stats.card_removed("c1", "new", suspended=False))
    assert stats.card_counts(data, "c1") == {"new": 1, "learning": 0, "review": 1}


def test_review_and_its_undo_cancel_out(store: SqliteDocumentStore) -> None:
    review = {
        "course_id": "c1",
        "section_id": "s1",
        "state_before": "review",
        "rating": "again",
        "day": "2026-11-25",
    }
    data = apply(store, stats.review_logged(**review))  # type: ignore[arg-type]
    assert stats.total_reviews(data) == 1
    assert data["reviews"] == {
        "total": 1,
        "by_day": {"2026-11-25": 1},
        "review_state": 1,
    }
    assert stats.weakness(data, "c1") == {"s1": pytest.approx(0.5)}

    data = apply(store, stats.review_logged(**review, sign=-1))
    assert stats.total_reviews(data) == 0
    assert stats.weakness(data, "c1") == {}


def test_recall_in_review_state_counts_towards_retention() -> None:
    update = stats.review_logged(
        course_id="c1", section_id=None, state_before="review", rating="good", day="2026-11-25"
    )
    assert update["reviews"]["review_state_recalled"] == Increment(1)
    assert "weakness" not in update
    learning = stats.review_logged(
        course_id="c1", section_id=None, state_before="learning", rating="again", day="d"
    )
    assert set(learning["reviews"]) == {"total", "by_day"}


def test_review_counters_are_kept_per_course_and_for_the_user(store: SqliteDocumentStore) -> None:
    def review(course_id: str, state_before: str, rating: str) -> dict[str, Any]:
        return stats.review_logged(
            course_id=course_id,
            section_id=None,
            state_before=state_before,
            rating=rating,
            day="2026-11-25",
        )

    apply(store, review("c1", "review", "good"))
    apply(store, review("c1", "review", "again"))
    data = apply(store, review("c2", "learning", "good"))
    assert stats.review_counters(data, "c1") == {
        "by_day": {"2026-11-25": 2},
        "review_state": 2,
        "review_state_recalled": 1,
    }
    assert stats.review_counters(data, "c2") == {"by_day": {"2026-11-25": 1}}
    assert stats.review_counters(data, "c3") == {}
    mine = stats.review_counters(data, None)
    assert (mine["by_day"], mine["review_state"], mine["total"]) == ({"2026-11-25": 3}, 2, 3)


def test_quiz_answers_raise_weakness_of_their_sections() -> None:
    update = stats.quiz_answered("c1", [("s1", False), ("s1", True), (None, False)])
    assert update == {
        "weakness": {
            "c1": {
                "s1": {"answered": Increment(2), "wrong": Increment(1)},
                stats.NO_SECTION: {"answered": Increment(1), "wrong": Increment(1)},
            }
        }
    }
    assert stats.quiz_answered("c1", []) == {}


def test_combine_adds_increments_and_refuses_conflicts() -> None:
    merged = stats.combine(stats.card_added("c1", "new"), stats.card_added("c1", "new", n=2))
    assert merged == {"cards": {"c1": {"new": Increment(3)}}}
    with pytest.raises(ValueError, match="two updates set"):
        stats.combine({"fsrs": {"adopted": True}}, {"fsrs": {"adopted": False}})


def test_fsrs_parameters_none_means_defaults() -> None:
    assert stats.fsrs_parameters(None) is None
    assert stats.fsrs_parameters({"fsrs": {"parameters": None}}) is None
    assert stats.fsrs_parameters({"fsrs": {"parameters": [1, 2.5]}}) == [1.0, 2.5]
