"""Accounts logic with no I/O: validation of profile values and streaks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

_LOCALE = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-(?:[A-Z]{2}|\d{3}))?$")


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_timezone(value: str) -> str:
    if value not in _zones():
        raise ValueError("must be an IANA time zone such as 'Europe/Oslo'")
    return value


def validate_locale(value: str) -> str:
    if not _LOCALE.match(value):
        raise ValueError("must be a BCP 47 language tag such as 'en' or 'nb-NO'")
    return value


def local_date(moment: datetime, timezone: str) -> date:
    """The calendar day of ``moment`` where the student lives."""
    return moment.astimezone(ZoneInfo(timezone)).date()


@dataclass(frozen=True)
class StreakState:
    """What is stored: enough to answer and to advance without a scan."""

    current: int = 0
    longest: int = 0
    last_active_date: date | None = None

    def advance(self, day: date) -> StreakState | None:
        """The state after activity on ``day``; None if ``day`` is before the
        last active day and not already counted (a backfill needs the
        history: see ``from_days``)."""
        last = self.last_active_date
        if last is None or day > last + timedelta(days=1):
            current = 1
        elif day == last + timedelta(days=1):
            current = self.current + 1
        elif day == last:
            return self
        else:
            return None
        return StreakState(current, max(self.longest, current), day)

    @staticmethod
    def from_days(days: list[date]) -> StreakState:
        """Recompute from every active day (any order, duplicates allowed)."""
        state = StreakState()
        for day in sorted(set(days)):
            advanced = state.advance(day)
            assert advanced is not None  # sorted input never goes back in time
            state = advanced
        return state


@dataclass(frozen=True)
class StreakView:
    current: int
    longest: int
    today_done: bool
    last_active_date: date | None


def streak_on(state: StreakState, today: date) -> StreakView:
    """The streak as seen on ``today``: it survives until the end of the day
    after the last active day, so a student who has not studied yet today
    still sees yesterday's streak."""
    last = state.last_active_date
    alive = last is not None and today - last <= timedelta(days=1) and last <= today
    return StreakView(
        current=state.current if alive else 0,
        longest=state.longest,
        today_done=last == today,
        last_active_date=last,
    )
