"""The progress page's arithmetic: minutes by day and week, retention, plan
adherence, mastery per section and the weakest sections; the learning stats
updates a session change writes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aksio.assessments import scheduling
from aksio.assessments.scheduling import CardState
from aksio.assessments.stats import NO_SECTION
from aksio.learning.progress import aggregates, mastery
from aksio.learning.progress.mastery import CardMemory, SectionMastery
from aksio.ports.documents import Increment

NOW = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)


# ------------------------------------------------------------------ updates
def test_completed_session_update_counts_minutes_day_course_and_plan() -> None:
    update = aggregates.session_completed(
        course_id="c1", plan_id="p1", day=date(2025, 3, 5), minutes=40
    )
    assert update == {
        "minutes_by_day": {"2025-03-05": Increment(40)},
        "courses": {
            "c1": {
                "minutes_by_day": {"2025-03-05": Increment(40)},
                "completed": Increment(1),
                "minutes": Increment(40),
            }
        },
        "plans": {"p1": {"course_id": "c1", "completed": Increment(1), "minutes": Increment(40)}},
    }


def test_adhoc_updates_have_no_plan_part() -> None:
    done = aggregates.session_completed(course_id="c", plan_id=None, day=NOW.date(), minutes=5)
    skipped = aggregates.session_skipped(course_id="c", plan_id=None)
    assert "plans" not in done and "plans" not in skipped
    assert skipped == {"courses": {"c": {"skipped": Increment(1)}}}


def test_local_day_uses_the_time_zone_and_falls_back_to_utc() -> None:
    late = datetime(2025, 3, 5, 23, 30, tzinfo=UTC)
    assert aggregates.local_day(late, "Europe/Oslo") == date(2025, 3, 6)
    assert aggregates.local_day(late, "America/New_York") == date(2025, 3, 5)
    assert aggregates.local_day(late, "Not/AZone") == date(2025, 3, 5)
    assert aggregates.local_day(late, None) == date(2025, 3, 5)


# ------------------------------------------------------------------ by day / week
def test_by_day_fills_every_day_of_the_window_and_drops_the_rest() -> None:
    days = aggregates.window(date(2025, 3, 5), 3)
    assert days == [date(2025, 3, 3), date(2025, 3, 4), date(2025, 3, 5)]
    counts = {"2025-03-01": 9, "2025-03-04": 20, "2025-03-05": -1}
    assert aggregates.by_day(counts, days) == {
        "2025-03-03": 0,
        "2025-03-04": 20,
        "2025-03-05": 0,  # a negative (an undo raced a read) reads as 0
    }


def test_by_week_sums_whole_weeks_touching_the_window_keyed_by_monday() -> None:
    # window Wed 2025-03-05 .. Tue 2025-03-11: weeks of Mon 03-03 and Mon 03-10
    days = aggregates.window(date(2025, 3, 11), 7)
    counts = {"2025-03-03": 10, "2025-03-05": 5, "2025-03-09": 1, "2025-03-10": 7, "2025-02-28": 99}
    assert aggregates.by_week(counts, days) == {"2025-03-03": 16, "2025-03-10": 7}


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(1, 400))
def test_weeks_cover_the_window_and_start_on_mondays(today: date, n: int) -> None:
    days = aggregates.window(today, n)
    weeks = [date.fromisoformat(k) for k in aggregates.by_week({}, days)]
    assert len(days) == n and days[-1] == today
    assert all(w.weekday() == 0 for w in weeks)
    assert weeks[0] <= days[0] < weeks[0] + timedelta(days=7)
    assert weeks[-1] <= days[-1] < weeks[-1] + timedelta(days=7)


def test_minutes_map_of_all_or_one_course() -> None:
    data = {
        "minutes_by_day": {"2025-03-05": 50},
        "courses": {"c1": {"minutes_by_day": {"2025-03-05": 20}}},
    }
    assert aggregates.minutes_map(data) == {"2025-03-05": 50}
    assert aggregates.minutes_map(data, "c1") == {"2025-03-05": 20}
    assert aggregates.minutes_map(data, "c2") == {}
    assert aggregates.minutes_map(None) == {}


# ------------------------------------------------------------------ ratios
@pytest.mark.parametrize(
    ("reviews", "expected"),
    [
        ({}, None),
        ({"review_state": 0, "review_state_recalled": 0}, None),
        ({"review_state": 4, "review_state_recalled": 3}, 0.75),
        ({"review_state": 2, "review_state_recalled": 5}, 1.0),  # counters out of step: capped
    ],
)
def test_retention_is_the_recalled_share_of_review_state_reviews(
    reviews: dict[str, int], expected: float | None
) -> None:
    assert aggregates.retention({"total": 50, **reviews}) == expected


@pytest.mark.parametrize(
    ("completed", "planned", "expected"),
    [(0, 0, None), (0, 4, 0.0), (3, 4, 0.75), (4, 4, 1.0), (5, 4, 1.0)],
)
def test_adherence(completed: int, planned: int, expected: float | None) -> None:
    assert aggregates.adherence(completed, planned) == expected


# ------------------------------------------------------------------ mastery
def _reviewed_card(section_id: str | None, days_ago: float, rating: str = "good") -> dict:
    """A stored card document after one real FSRS review ``days_ago`` days ago."""
    at = NOW - timedelta(days=days_ago)
    outcome = scheduling.review(
        CardState.new(at), rating, at, desired_retention=0.9, parameters=None, duration_ms=None
    )
    return {"section_id": section_id, "fsrs": outcome.state.to_dict()}


def test_card_memory_is_fsrs_retrievability_and_zero_when_never_reviewed() -> None:
    card = _reviewed_card("s1", days_ago=2, rating="easy")
    memory = mastery.card_memory(card, NOW, None)
    state = CardState.from_dict(card["fsrs"])
    assert memory.retrievability == pytest.approx(scheduling.retrievability(state, NOW, None))
    assert 0 < memory.retrievability < 1 and memory.reviewed
    new = mastery.card_memory({"section_id": "s1", "fsrs": CardState.new(NOW).to_dict()}, NOW, None)
    assert (new.retrievability, new.reviewed) == (0.0, False)


def test_mastery_by_section_is_the_mean_with_unreviewed_cards_as_zero() -> None:
    cards = [
        CardMemory("s1", 0.9, True),
        CardMemory("s1", 0.5, True),
        CardMemory("s1", 0.0, False),
        CardMemory("s2", 0.8, True),
        CardMemory(None, 0.6, True),
    ]
    per = mastery.by_section(cards)
    assert per["s1"] == SectionMastery(mastery=pytest.approx(1.4 / 3), cards=3, reviewed=2)
    assert per["s2"].mastery == pytest.approx(0.8)
    assert per[NO_SECTION].cards == 1
    assert mastery.course_mastery(cards) == pytest.approx(2.8 / 5)
    assert mastery.course_mastery([]) is None


@given(st.lists(st.floats(0, 1), min_size=1, max_size=50))
def test_mastery_stays_within_the_retrievabilities(values: list[float]) -> None:
    m = mastery.course_mastery([CardMemory("s", v, True) for v in values])
    assert m is not None and min(values) - 1e-9 <= m <= max(values) + 1e-9


def test_weakest_combines_weakness_and_low_mastery_in_course_order_on_ties() -> None:
    per = {
        "a": SectionMastery(0.95, 4, 4),  # strong, no quiz signal: not weak
        "b": SectionMastery(0.4, 4, 4),  # 1 - 0.4 = 0.6
        "c": SectionMastery(0.0, 3, 0),  # never reviewed: not started, not weak
        "d": SectionMastery(0.8, 2, 2),  # (0.2 + 0.6) / 2 = 0.4
    }
    weakness = {"d": 0.6, "e": 0.6, "f": 0.05}
    ranked = mastery.weakest(["a", "b", "c", "d", "e", "f"], per, weakness)
    assert [(w.section_id, round(w.score, 6)) for w in ranked] == [
        ("b", 0.6),
        ("e", 0.6),
        ("d", 0.4),
    ]
    assert ranked[1].mastery is None and ranked[1].weakness == 0.6
    assert mastery.weakest(["a"], per, {}) == []
    assert [w.section_id for w in mastery.weakest(["b", "d", "e"], per, weakness, count=1)] == ["b"]
