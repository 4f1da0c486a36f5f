"""The learning aggregates document, ``users/{uid}/stats/learning``, and the
pure arithmetic of the progress page. Nothing here does I/O.

Written in the same transaction as the session change it counts::

    {
      "minutes_by_day": {"YYYY-MM-DD": n},
      "courses": {course_id: {"minutes_by_day": {"YYYY-MM-DD": n},
                              "completed": n, "skipped": n, "minutes": n}},
      "plans":   {plan_id: {"course_id": c, "completed": n, "skipped": n, "minutes": n}}
    }

Minutes are a completed session's ``actual_minutes``, counted on the
student's local date of completion (when the studying happened, not the
day the session was planned for), and the minutes a student logs by hand as
activity, on its local date. Ad-hoc sessions count under their course
only. One key per studied day: years of daily study stay far below
Firestore's 1 MiB per document.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aksio.ports.documents import Increment


def local_day(moment: datetime, timezone: str | None) -> date:
    """The student's calendar day of ``moment`` (UTC when the zone is unknown)."""
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return moment.astimezone(zone).date()


# ------------------------------------------------------------------ writing
def minutes_logged(*, course_id: str | None, day: date, minutes: int) -> dict[str, Any]:
    """The merge update of study time a student logged by hand."""
    key = day.isoformat()
    update: dict[str, Any] = {"minutes_by_day": {key: Increment(minutes)}}
    if course_id is not None:
        update["courses"] = {
            course_id: {"minutes_by_day": {key: Increment(minutes)}, "minutes": Increment(minutes)}
        }
    return update


def session_completed(
    *, course_id: str, plan_id: str | None, day: date, minutes: int
) -> dict[str, Any]:
    """The merge update of one completed session."""
    key = day.isoformat()
    update: dict[str, Any] = {
        "minutes_by_day": {key: Increment(minutes)},
        "courses": {
            course_id: {
                "minutes_by_day": {key: Increment(minutes)},
                "completed": Increment(1),
                "minutes": Increment(minutes),
            }
        },
    }
    if plan_id is not None:
        update["plans"] = {
            plan_id: {
                "course_id": course_id,
                "completed": Increment(1),
                "minutes": Increment(minutes),
            }
        }
    return update


def session_skipped(*, course_id: str, plan_id: str | None) -> dict[str, Any]:
    update: dict[str, Any] = {"courses": {course_id: {"skipped": Increment(1)}}}
    if plan_id is not None:
        update["plans"] = {plan_id: {"course_id": course_id, "skipped": Increment(1)}}
    return update


# ------------------------------------------------------------------ reading
def window(today: date, days: int) -> list[date]:
    """The ``days`` calendar days ending with ``today``, oldest first."""
    return [today - timedelta(days=n) for n in range(days - 1, -1, -1)]


def counts(raw: Any) -> dict[str, int]:
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): int(v) for k, v in raw.items() if isinstance(v, int | float)}


def minutes_map(data: Mapping[str, Any] | None, course_id: str | None = None) -> dict[str, int]:
    """Every day's minutes, of one course or all."""
    data = data or {}
    if course_id is None:
        return counts(data.get("minutes_by_day"))
    course = (data.get("courses") or {}).get(course_id) or {}
    return counts(course.get("minutes_by_day"))


def by_day(values: Mapping[str, int], days: Iterable[date]) -> dict[str, int]:
    """``values`` on each day of ``days``, 0 where nothing happened (a chart
    needs every day), never negative (an undo racing a read)."""
    return {d.isoformat(): max(0, int(values.get(d.isoformat(), 0))) for d in days}


def by_week(values: Mapping[str, int], days: list[date]) -> dict[str, int]:
    """Totals of each week (keyed by its Monday) that touches ``days``, over
    the whole week, so the first week is not cut short by the window."""
    if not days:
        return {}
    first = days[0] - timedelta(days=days[0].weekday())
    out: dict[str, int] = {}
    monday = first
    while monday <= days[-1]:
        week = (monday + timedelta(days=n) for n in range(7))
        out[monday.isoformat()] = sum(max(0, values.get(d.isoformat(), 0)) for d in week)
        monday += timedelta(days=7)
    return out


def retention(reviews: Mapping[str, Any]) -> float | None:
    """True retention: the share of reviews of cards in the review state
    (graduated, so recall is a test of memory, not of a learning step) that
    were recalled, from counters of ``stats.review_counters``. None before the
    first such review."""
    total = int(reviews.get("review_state", 0))
    recalled = int(reviews.get("review_state_recalled", 0))
    if total <= 0:
        return None
    return min(1.0, max(0.0, recalled / total))


def adherence(completed: int, planned: int) -> float | None:
    """Completed planned sessions over those planned up to today; None when
    nothing was due yet. Capped at 1 in case a count raced a write."""
    if planned <= 0:
        return None
    return min(1.0, max(0.0, completed / planned))


def mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return sum(items) / len(items) if items else None
