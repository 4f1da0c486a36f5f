"""Course rules without I/O: limits, colours, exam dates, section order.

Section order is a contiguous position ``0..n-1``. Every change that moves
sections (insert at a position, reorder, delete) renumbers them here and
returns only the sections whose position changed, so a change costs as few
writes as possible and the list never has gaps or ties.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from aksio.errors import InvalidInput

MAX_COURSES_PER_USER = 500
MAX_SECTIONS_PER_COURSE = 200
"""Bounds every section change to one transaction (Firestore allows 500 writes)."""
EXAM_DATE_WINDOW_YEARS = 10

COLOR_PATTERN = r"^#[0-9A-Fa-f]{6}$"
_COLOR = re.compile(COLOR_PATTERN)

PALETTE = (
    "#4f46e5",  # indigo
    "#0891b2",  # cyan
    "#059669",  # emerald
    "#ca8a04",  # amber
    "#dc2626",  # red
    "#db2777",  # pink
    "#7c3aed",  # violet
    "#2563eb",  # blue
)
"""Colours a course gets when none is chosen (readable on light and dark)."""


def normalize_color(value: str) -> str:
    """``#RRGGBB``, stored lowercase so equal colours compare equal."""
    if not _COLOR.match(value):
        raise ValueError("must be a colour as #RRGGBB, e.g. #4f46e5")
    return value.lower()


def default_color(course_id: str) -> str:
    """A palette colour picked from the id: stable for a course, varied across courses."""
    digest = hashlib.sha256(course_id.encode()).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def _years_from(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def check_exam_date(exam_date: date | None, today: date) -> None:
    """Past exams are fine (archived courses keep theirs); a date decades off is a typo."""
    if exam_date is None:
        return
    earliest = _years_from(today, -EXAM_DATE_WINDOW_YEARS)
    latest = _years_from(today, EXAM_DATE_WINDOW_YEARS)
    if not earliest <= exam_date <= latest:
        message = f"must be between {earliest.isoformat()} and {latest.isoformat()}"
        raise InvalidInput(
            f"exam_date {message}.",
            details=[{"field": "exam_date", "location": "body", "message": message}],
        )


# ------------------------------------------------------------------ sections
def current_order(orders: Mapping[str, int]) -> list[str]:
    """Section ids in list order; ties (which renumbering removes) broken by id."""
    return sorted(orders, key=lambda sid: (orders[sid], sid))


def renumber(ids: Sequence[str], orders: Mapping[str, int]) -> dict[str, int]:
    """Positions ``0..n-1`` for ``ids`` in that sequence: only the changed ones."""
    return {sid: i for i, sid in enumerate(ids) if orders.get(sid) != i}


def insert_position(count: int, position: int | None) -> int:
    """Where a new section goes: the end by default, else ``0..count``."""
    if position is None:
        return count
    if not 0 <= position <= count:
        message = f"must be between 0 and {count} (the number of sections)"
        raise InvalidInput(
            f"position {message}.",
            details=[{"field": "position", "location": "body", "message": message}],
        )
    return position


def with_inserted(ordered: Sequence[str], new_id: str, position: int) -> list[str]:
    return [*ordered[:position], new_id, *ordered[position:]]


def check_reorder(ordered: Sequence[str], requested: Iterable[str]) -> list[str]:
    """The requested order if it names every current section exactly once."""
    wanted = list(requested)
    seen = set(wanted)
    duplicates = sorted(sid for sid, n in Counter(wanted).items() if n > 1)
    current = set(ordered)
    missing = sorted(current - seen)
    unknown = sorted(seen - current)
    if duplicates or missing or unknown:
        problems = {"duplicates": duplicates, "missing": missing, "unknown": unknown}
        raise InvalidInput(
            "section_ids must list every section of the course exactly once.",
            details=[
                {"field": "section_ids", "location": "body", "message": f"{name}: {ids}"}
                for name, ids in problems.items()
                if ids
            ],
        )
    return wanted
