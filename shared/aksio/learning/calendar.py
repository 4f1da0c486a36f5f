"""Which days of a plan's window can hold sessions, and how many minutes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
"""Index = ``date.weekday()``; availability is keyed by these names."""


def minutes_on(availability: Mapping[str, int], day: date) -> int:
    """The day's available minutes (a weekday missing from the map has none)."""
    return availability.get(WEEKDAYS[day.weekday()], 0)


def study_days(
    start: date,
    exam: date,
    availability: Mapping[str, int],
    blackouts: frozenset[date],
    min_session_minutes: int,
    *,
    booked: Mapping[date, int] | None = None,
) -> list[tuple[date, int]]:
    """``(day, minutes)`` for every day in ``[start, exam)`` that fits a session.

    The exam day itself is excluded: the student sits the exam that day.
    ``booked`` minutes of a day are taken already; days with less time left
    than the shortest session cannot hold one.
    """
    booked = booked or {}
    by_weekday = [availability.get(name, 0) for name in WEEKDAYS]
    days: list[tuple[date, int]] = []
    day, one = start, timedelta(days=1)
    while day < exam:
        minutes = by_weekday[day.weekday()] - booked.get(day, 0)
        if minutes >= min_session_minutes and day not in blackouts:
            days.append((day, minutes))
        day += one
    return days
