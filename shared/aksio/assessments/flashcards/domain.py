"""Pure flashcard logic: duplicate keys, the stored card document, and what a
review or its undo changes in it. No I/O."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aksio.assessments.scheduling import (
    DEFAULT_DESIRED_RETENTION,
    CardState,
    ReviewLogEntry,
    clamp_parameters,
)

ORIGINS = ("manual", "generated")


def normalize_text(text: str) -> str:
    """Casefolded, accents, punctuation and symbols removed, whitespace collapsed:
    "  Qu'est-ce que l'ADN ? " and "qu est ce que l adn" read the same."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = []
    for ch in decomposed:
        category = unicodedata.category(ch)
        if category.startswith("M"):  # combining marks: the accents NFKD split off
            continue
        # Punctuation and symbols separate words rather than join them.
        kept.append(" " if category[0] in "PSZC" else ch)
    return " ".join("".join(kept).split())


def fingerprint(front: str) -> str:
    """The duplicate-detection key of a card's front. Hashed so the stored
    value stays short: Firestore queries see only a string's first 1,500 bytes,
    and a front may be 2,000 characters."""
    return hashlib.sha256(normalize_text(front).encode()).hexdigest()[:32]


def generated_card_id(course_id: str, front_fingerprint: str) -> str:
    """A generated card's id, fixed by its course and front: two generation
    runs racing to add the same card write the same document, and the
    transaction that finds it already there skips it."""
    digest = hashlib.sha256(f"{course_id}/{front_fingerprint}".encode()).hexdigest()[:32]
    return f"gen-{digest}"


def new_card_document(
    fields: Mapping[str, Any], now: datetime, *, origin: str = "manual"
) -> dict[str, Any]:
    """The stored document of a new card from its API fields (``course_id``,
    ``section_id``, ``front``, ``back``, ``tags``, ``source``)."""
    if origin not in ORIGINS:
        raise ValueError(f"unknown origin {origin!r}")
    state = CardState.new(now)
    return {
        "course_id": fields["course_id"],
        "section_id": fields.get("section_id"),
        "front": fields["front"],
        "back": fields["back"],
        "tags": list(fields.get("tags") or []),
        "source": fields.get("source"),
        **scheduling_fields(state),
        "suspended": False,
        "review_count": 0,
        "lapses": 0,
        "fingerprint": fingerprint(fields["front"]),
        "origin": origin,
        "created_at": now,
        "updated_at": now,
    }


def scheduling_fields(state: CardState) -> dict[str, Any]:
    """The card fields that follow its FSRS state (``due`` as a datetime for queries)."""
    return {"fsrs": state.to_dict(), "state": state.state, "due": state.due}


def card_state(doc: Mapping[str, Any]) -> CardState:
    return CardState.from_dict(doc["fsrs"])


def is_lapse(log: ReviewLogEntry) -> bool:
    """FSRS's lapse: forgetting a card that had graduated to review."""
    return log.rating == "again" and log.state_before.state == "review"


def reviewed_fields(doc: Mapping[str, Any], log: ReviewLogEntry) -> dict[str, Any]:
    """The card update a review makes."""
    return {
        **scheduling_fields(log.state_after),
        "review_count": int(doc.get("review_count", 0)) + 1,
        "lapses": int(doc.get("lapses", 0)) + (1 if is_lapse(log) else 0),
    }


def undone_fields(doc: Mapping[str, Any], log: ReviewLogEntry) -> dict[str, Any]:
    """The card update that takes back the review ``log`` records (its last)."""
    return {
        **scheduling_fields(log.state_before),
        "review_count": int(doc.get("review_count", 0)) - 1,
        "lapses": int(doc.get("lapses", 0)) - (1 if is_lapse(log) else 0),
    }


def log_document(
    log: ReviewLogEntry, *, card_id: str, doc: Mapping[str, Any], seq: int, day: str
) -> dict[str, Any]:
    """The review log document. ``reviewed_at`` is a timestamp (the FSRS fit
    sorts and splits by it); ``day`` is the student's local date the stats
    counted it under, so an undo takes it off that same day."""
    return {
        **log.to_dict(),
        "reviewed_at": log.reviewed_at,
        "card_id": card_id,
        "course_id": doc["course_id"],
        "section_id": doc.get("section_id"),
        "seq": seq,
        "day": day,
    }


def local_day(now: datetime, timezone: str | None) -> str:
    """``YYYY-MM-DD`` in the student's timezone (UTC if unknown)."""
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).date().isoformat()


def desired_retention(profile: Mapping[str, Any] | None) -> float:
    value = (profile or {}).get("desired_retention")
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 1:
        return float(value)
    return DEFAULT_DESIRED_RETENTION


def usable_parameters(parameters: Sequence[float] | None) -> list[float] | None:
    """Personal parameters if they are a valid vector, else None (the
    defaults): a bad stored vector must not make every review fail."""
    if parameters is None:
        return None
    try:
        return list(clamp_parameters(parameters))
    except ValueError:
        return None
