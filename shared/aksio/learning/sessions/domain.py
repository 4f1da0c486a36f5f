"""Session status rules: pure, no I/O.

``planned -> in_progress -> completed | skipped``; a planned session may be
completed or skipped without being started. ``completed`` and ``skipped``
are final: completing twice would count the minutes twice, and a skipped
session that is studied after all is a new (ad-hoc) session. Asking for the
status a session already has is a conflict too, so a repeated request
(a double tap) cannot count anything twice.

A session dated in the future may be started or completed: working ahead
is allowed, and its minutes count on the day they were studied.
"""

from __future__ import annotations

from datetime import date

from aksio.errors import Conflict, InvalidInput
from aksio.learning.planning import MAX_HORIZON_DAYS

TRANSITIONS: dict[str, frozenset[str]] = {
    "planned": frozenset({"in_progress", "completed", "skipped"}),
    "in_progress": frozenset({"completed", "skipped"}),
    "completed": frozenset(),
    "skipped": frozenset(),
}


def check_transition(current: str, new: str) -> None:
    """409 unless ``current -> new`` is allowed."""
    if new in TRANSITIONS.get(current, frozenset()):
        return
    if current == new:
        raise Conflict(f"The session is already {current.replace('_', ' ')}.")
    raise Conflict(
        f"A {current.replace('_', ' ')} session cannot become {new.replace('_', ' ')}.",
        details={"status": current, "requested": new},
    )


def check_date(day: date, today: date) -> None:
    """An ad-hoc session's date: past (logging) or future (planning) within
    the planner's horizon; further is almost surely a typo."""
    if abs((day - today).days) > MAX_HORIZON_DAYS:
        raise InvalidInput(
            f"The date must be within {MAX_HORIZON_DAYS} days of today.",
            details=[{"field": "date", "location": "body", "message": "too far from today"}],
        )
