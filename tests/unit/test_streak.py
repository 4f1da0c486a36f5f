from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aksio.accounts.domain import StreakState, local_date, streak_on

D0 = date(2026, 3, 1)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


def test_consecutive_days_grow_the_streak_and_the_longest() -> None:
    state = StreakState()
    for n in range(3):
        advanced = state.advance(day(n))
        assert advanced is not None
        state = advanced
    assert (state.current, state.longest, state.last_active_date) == (3, 3, day(2))


def test_same_day_twice_counts_once() -> None:
    state = StreakState().advance(day(0))
    assert state is not None
    assert state.advance(day(0)) == state


def test_a_gap_restarts_the_streak_but_keeps_the_longest() -> None:
    state = StreakState.from_days([day(0), day(1), day(2), day(5)])
    assert (state.current, state.longest) == (1, 3)


def test_an_earlier_day_needs_the_history() -> None:
    state = StreakState.from_days([day(3)])
    assert state.advance(day(1)) is None


@given(st.lists(st.integers(min_value=0, max_value=60), max_size=40))
def test_from_days_matches_a_direct_count(offsets: list[int]) -> None:
    days = sorted({day(n) for n in offsets})
    state = StreakState.from_days([day(n) for n in offsets])
    runs, run = [], 0
    for i, d in enumerate(days):
        run = run + 1 if i and d - days[i - 1] == timedelta(days=1) else 1
        runs.append(run)
    assert state.longest == max(runs, default=0)
    assert state.current == (runs[-1] if runs else 0)


@pytest.mark.parametrize(
    ("today", "current", "today_done"),
    [(day(2), 3, True), (day(3), 3, False), (day(4), 0, False)],
)
def test_streak_survives_until_the_end_of_the_next_day(
    today: date, current: int, today_done: bool
) -> None:
    view = streak_on(StreakState.from_days([day(0), day(1), day(2)]), today)
    assert (view.current, view.longest, view.today_done) == (current, 3, today_done)


def test_local_date_uses_the_students_time_zone() -> None:
    late_evening_utc = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    assert local_date(late_evening_utc, "Europe/Oslo") == date(2026, 3, 2)
    assert local_date(late_evening_utc, "America/New_York") == date(2026, 3, 1)
