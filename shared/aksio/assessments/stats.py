"""The user's assessment aggregates: one document, ``users/{uid}/stats/assessments``.

Kept up to date in the same transaction or batch as the change it counts, so
the due queue's counts, the scheduler's personal parameters and (later) the
progress page cost one read instead of a scan of cards or logs::

    {
      "cards":    {course_id: {"new": n, "learning": n, "review": n,
                               "relearning": n, "suspended": n, "reviews": n}},
      "reviews":  {"total": n, "by_day": {"YYYY-MM-DD": n},
                   "review_state": n, "review_state_recalled": n},
      "course_reviews": {course_id: {"by_day": {...}, "review_state": n,
                                     "review_state_recalled": n}},
      "weakness": {course_id: {section_id: {"answered": n, "wrong": n, "lapses": n}}},
      "fsrs":     {"parameters": [...], "fitted_at": datetime,
                   "fitted_on_reviews": n, "metrics": {...}, "adopted": bool}
    }

A suspended card counts under ``suspended`` only, not under its state. The
builders below return partial documents of ``Increment`` transforms for
``set(path, update, merge=True)``; :func:`combine` merges several into one
write. Nothing here does I/O.

Why one document: a review must stay within 3 reads and 3 writes (card, log,
this). One student reviews well under Firestore's sustained one write per
second per document.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from aksio.ports.documents import Increment

NO_SECTION = "_none"
"""Key for cards and questions without a section in the per-section maps."""
CARD_STATES = ("new", "learning", "review", "relearning")


def _inc(n: int) -> Increment:
    return Increment(n)


def card_added(
    course_id: str, state: str, *, suspended: bool = False, n: int = 1
) -> dict[str, Any]:
    key = "suspended" if suspended else state
    return {"cards": {course_id: {key: _inc(n)}}}


def card_removed(course_id: str, state: str, *, suspended: bool) -> dict[str, Any]:
    return card_added(course_id, state, suspended=suspended, n=-1)


def card_moved(course_id: str, before: str, after: str) -> dict[str, Any]:
    """A (not suspended) card changed state; empty when it did not."""
    if before == after:
        return {}
    return {"cards": {course_id: {before: _inc(-1), after: _inc(1)}}}


def suspension_changed(course_id: str, state: str, *, suspended: bool) -> dict[str, Any]:
    """The card became suspended (``suspended=True``) or active again."""
    sign = 1 if suspended else -1
    return {"cards": {course_id: {"suspended": _inc(sign), state: _inc(-sign)}}}


def review_logged(
    *,
    course_id: str,
    section_id: str | None,
    state_before: str,
    rating: str,
    day: str,
    sign: int = 1,
) -> dict[str, Any]:
    """One review (``sign=-1``: one review undone). ``day`` is the student's
    local date (``YYYY-MM-DD``). A lapse, "again" on a card in review, raises
    the weakness of the card's section."""
    # The user's counters and the course's (its progress view shows only its
    # own reviews); per course too, so a review marks only its own course's
    # mastery snapshot stale.
    user: dict[str, Any] = {"total": _inc(sign), "by_day": {day: _inc(sign)}}
    course: dict[str, Any] = {"by_day": {day: _inc(sign)}}
    update: dict[str, Any] = {
        "reviews": user,
        "course_reviews": {course_id: course},
        "cards": {course_id: {"reviews": _inc(sign)}},
    }
    if state_before == "review":
        for c in (user, course):
            c["review_state"] = _inc(sign)
            if rating != "again":
                c["review_state_recalled"] = _inc(sign)
        if rating == "again":
            section = section_id or NO_SECTION
            update["weakness"] = {course_id: {section: {"lapses": _inc(sign)}}}
    return update


def quiz_answered(course_id: str, results: Iterable[tuple[str | None, bool]]) -> dict[str, Any]:
    """Graded answers as (section_id, correct): wrong answers raise weakness."""
    sections: dict[str, dict[str, int]] = {}
    for section_id, correct in results:
        counts = sections.setdefault(section_id or NO_SECTION, {"answered": 0, "wrong": 0})
        counts["answered"] += 1
        counts["wrong"] += 0 if correct else 1
    if not sections:
        return {}
    return {
        "weakness": {
            course_id: {
                sid: {k: _inc(v) for k, v in counts.items() if v}
                for sid, counts in sections.items()
            }
        }
    }


def combine(*updates: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge partial updates, adding increments that land on one field."""
    out: dict[str, Any] = {}
    for update in updates:
        _merge_into(out, update)
    return out


def _merge_into(target: dict[str, Any], update: Mapping[str, Any]) -> None:
    for key, value in update.items():
        if isinstance(value, Mapping):
            child = target.setdefault(key, {})
            if not isinstance(child, dict):
                raise ValueError(f"conflicting update at {key!r}")
            _merge_into(child, value)
        elif isinstance(value, Increment) and isinstance(target.get(key), Increment):
            target[key] = Increment(target[key].amount + value.amount)
        elif key in target:
            raise ValueError(f"two updates set {key!r}")
        else:
            target[key] = value


# ------------------------------------------------------------------ reading
def card_counts(data: Mapping[str, Any] | None, course_id: str | None = None) -> dict[str, int]:
    """``{"new", "learning", "review"}`` for one course or all (learning
    includes relearning; suspended cards are not counted)."""
    courses: Mapping[str, Any] = (data or {}).get("cards") or {}
    chosen: Sequence[Mapping[str, Any]] = (
        [courses.get(course_id) or {}] if course_id is not None else list(courses.values())
    )
    total = {state: sum(int(c.get(state, 0)) for c in chosen) for state in CARD_STATES}
    return {
        "new": max(0, total["new"]),
        "learning": max(0, total["learning"] + total["relearning"]),
        "review": max(0, total["review"]),
    }


def review_counters(data: Mapping[str, Any] | None, course_id: str | None) -> Mapping[str, Any]:
    """``{"by_day", "review_state", "review_state_recalled"}`` of the user
    (``course_id`` None) or of one course."""
    if course_id is None:
        return (data or {}).get("reviews") or {}
    return ((data or {}).get("course_reviews") or {}).get(course_id) or {}


def total_reviews(data: Mapping[str, Any] | None) -> int:
    return int(((data or {}).get("reviews") or {}).get("total", 0))


def reviews_on(data: Mapping[str, Any] | None, day: str) -> int:
    """Reviews counted on the student's local ``day`` (``YYYY-MM-DD``)."""
    by_day = ((data or {}).get("reviews") or {}).get("by_day") or {}
    return int(by_day.get(day, 0))


def fsrs_parameters(data: Mapping[str, Any] | None) -> list[float] | None:
    """The user's fitted FSRS parameters, or None for the defaults."""
    params = ((data or {}).get("fsrs") or {}).get("parameters")
    return [float(p) for p in params] if params else None


def weakness(data: Mapping[str, Any] | None, course_id: str) -> dict[str, float]:
    """Per section, how weak the student is, 0 (no sign) to 1: the share of
    quiz answers that were wrong, with lapses counting as wrong answers, and
    one imaginary right answer so a single miss does not read as 100%."""
    sections: Mapping[str, Any] = ((data or {}).get("weakness") or {}).get(course_id) or {}
    out: dict[str, float] = {}
    for section_id, counts in sections.items():
        wrong = max(0, int(counts.get("wrong", 0))) + max(0, int(counts.get("lapses", 0)))
        seen = max(0, int(counts.get("answered", 0))) + max(0, int(counts.get("lapses", 0)))
        if seen:
            out[section_id] = wrong / (seen + 1)
    return out
