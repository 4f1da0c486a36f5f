"""The mastery snapshot of a course, ``users/{uid}/courses/{course_id}/stats/mastery``:
mastery per section computed in the background from the course's cards, so
the progress page reads one document per course instead of its cards.
Nothing here does I/O.

::

    {
      "version": 1,
      "id": new id,                   # this computation's (refresh dedupe keys use it)
      "course_id": c,
      "computed_at": datetime,        # the "now" the retrievabilities are for
      "reviews_total": n,             # the assessments stats' review total then
      "cards_fingerprint": {"new": n, "learning": n, "review": n,
                            "relearning": n, "suspended": n},   # the course's counts then
      "mastery": float | None, "cards_counted": n, "cards_capped": bool,
      "sections": {section_id: {"mastery": float | None, "cards": n, "reviewed": n}}
    }

Under the course document so deleting the course deletes it too (one subtree).

Why a snapshot and not counters: retrievability decays with time, so mean
retrievability cannot be kept up to date by increments at review time. A
snapshot is stale when the review total or the course's card counts moved
since it was computed (a review, an undo, cards added, removed, suspended),
or when it is older than ``MAX_AGE`` (memory fading on its own).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aksio.assessments.stats import CARD_STATES
from aksio.courses import paths as course_paths
from aksio.ids import new_id
from aksio.learning.progress.mastery import CardMemory, SectionMastery, by_section, course_mastery

VERSION = 1
"""Bumped when the layout or the computation changes: older snapshots are stale."""
MAX_AGE = timedelta(hours=6)
"""Retrievability of a reviewed card drops by a few points a day at most in
its first weeks: 6 hours old is close enough for a progress chart."""
FINGERPRINT_KEYS = (*CARD_STATES, "suspended", "reviews")
"""The course's counters in the assessments stats; ``reviews`` (reviews in this
course) changes with every review of the course and only of it."""


def path(uid: str, course_id: str) -> str:
    return f"{course_paths.course(uid, course_id)}/stats/mastery"


def fingerprint(assessed: Mapping[str, Any] | None, course_id: str) -> dict[str, int]:
    """The course's card counts in the assessments stats (raw, per state and
    suspended): cards added, removed, suspended or moved between states change it."""
    counts = ((assessed or {}).get("cards") or {}).get(course_id) or {}
    return {k: int(counts.get(k, 0)) for k in FINGERPRINT_KEYS}


def fingerprint_key(fp: Mapping[str, int]) -> str:
    return "-".join(str(int(fp.get(k, 0))) for k in FINGERPRINT_KEYS)


@dataclass(frozen=True, slots=True)
class Snapshot:
    id: str
    computed_at: datetime
    reviews_total: int
    cards_fingerprint: dict[str, int]
    mastery: float | None
    cards_counted: int
    cards_capped: bool
    sections: dict[str, SectionMastery]
    version: int = VERSION


def build(
    course_id: str,
    memories: Iterable[CardMemory],
    *,
    computed_at: datetime,
    reviews_total: int,
    cards_fingerprint: Mapping[str, int],
    capped: bool,
) -> dict[str, Any]:
    """The snapshot document of ``memories`` (active cards' memory at ``computed_at``)."""
    cards = list(memories)
    return {
        "version": VERSION,
        "id": new_id(),
        "course_id": course_id,
        "computed_at": computed_at,
        "reviews_total": int(reviews_total),
        "cards_fingerprint": {k: int(cards_fingerprint.get(k, 0)) for k in FINGERPRINT_KEYS},
        "mastery": course_mastery(cards),
        "cards_counted": len(cards),
        "cards_capped": capped,
        "sections": {
            sid: {"mastery": s.mastery, "cards": s.cards, "reviewed": s.reviewed}
            for sid, s in by_section(cards).items()
        },
    }


def parse(data: Mapping[str, Any] | None) -> Snapshot | None:
    """A stored snapshot, or None when missing, of another version or malformed
    (a malformed one is recomputed rather than failing the page)."""
    if not data or data.get("version") != VERSION:
        return None
    try:
        computed_at, snapshot_id = data["computed_at"], data["id"]
        if not isinstance(computed_at, datetime) or not isinstance(snapshot_id, str):
            return None
        sections = {
            str(sid): SectionMastery(
                mastery=None if s.get("mastery") is None else float(s["mastery"]),
                cards=int(s.get("cards", 0)),
                reviewed=int(s.get("reviewed", 0)),
            )
            for sid, s in (data.get("sections") or {}).items()
        }
        fp = data.get("cards_fingerprint") or {}
        return Snapshot(
            id=snapshot_id,
            computed_at=computed_at,
            reviews_total=int(data.get("reviews_total", -1)),
            cards_fingerprint={k: int(fp.get(k, 0)) for k in FINGERPRINT_KEYS},
            mastery=None if data.get("mastery") is None else float(data["mastery"]),
            cards_counted=int(data.get("cards_counted", 0)),
            cards_capped=bool(data.get("cards_capped", False)),
            sections=sections,
        )
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


def is_stale(
    snapshot: Snapshot | None,
    *,
    reviews_total: int,
    cards_fingerprint: Mapping[str, int],
    now: datetime,
    max_age: timedelta = MAX_AGE,
) -> bool:
    if snapshot is None:
        return True
    # Only the course's own counters decide (a review elsewhere leaves it fresh);
    # a snapshot from before per-course review counts existed falls back to the total.
    changed = snapshot.cards_fingerprint != dict(cards_fingerprint)
    if "reviews" not in cards_fingerprint or not cards_fingerprint.get("reviews"):
        changed = changed or snapshot.reviews_total != reviews_total
    return changed or now - snapshot.computed_at >= max_age


def refresh_key(
    uid: str,
    course_id: str,
    *,
    reviews_total: int,
    cards_fingerprint: Mapping[str, int],
    snapshot: Snapshot | None,
) -> str:
    """The dedupe key of the refresh a stale snapshot asks for: one task per
    (review total, card counts, snapshot replaced), however many progress
    calls see the same staleness before the task has run. The snapshot's id
    is part of it so a snapshot stale only by age asks once per snapshot."""
    seen = snapshot.id if snapshot is not None else "none"
    return f"mastery/{uid}/{course_id}/{reviews_total}/{fingerprint_key(cards_fingerprint)}/{seen}"
