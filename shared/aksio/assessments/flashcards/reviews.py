"""Reviewing a card, undoing the last review, and the due queue.

A review is one transaction of 3 reads (card, profile, stats) and 3 writes
(card, review log entry, stats). The log entry's path is the card's review
number (``paths.review``), so concurrent reviews of one card serialise on
the card document: each sees the state the previous one wrote, and none is
lost or applied twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aksio.accounts.paths import user
from aksio.assessments import ownership, paths, scheduling, stats
from aksio.assessments.flashcards import domain
from aksio.assessments.flashcards.models import DueCards, DueCounts, Flashcard, ReviewResult
from aksio.assessments.flashcards.repository import CARD_GONE, card_path, to_flashcard
from aksio.assessments.scheduling import RatingName, ReviewLogEntry
from aksio.errors import Conflict, NotFound
from aksio.ports.documents import DocumentStore, Query, Transaction, collection

SUSPENDED = "The flashcard is suspended; unsuspend it to review it."
NOTHING_TO_UNDO = "The flashcard has no review to undo."


@dataclass(frozen=True)
class Reviewed:
    result: ReviewResult
    total_reviews: int
    """The user's review total after this one (for the FSRS refit schedule)."""
    first_of_day: bool
    """The student's first review of their local day (it counts for the streak)."""


def review_card(
    store: DocumentStore,
    uid: str,
    card_id: str,
    *,
    rating: RatingName,
    duration_ms: int | None,
    now: Callable[[], datetime],
) -> Reviewed:
    """Apply one rating. ``now`` is the clock, read inside the transaction so
    a retried attempt reviews at its own time, after the review it lost to."""
    path = card_path(uid, card_id)

    def apply(tx: Transaction) -> Reviewed:
        card_snap, profile, stats_snap = tx.get_many([path, user(uid), paths.stats(uid)])
        if card_snap is None:
            raise NotFound(CARD_GONE)
        doc = card_snap.data
        if doc.get("suspended"):
            raise Conflict(SUSPENDED)
        stats_data = stats_snap.data if stats_snap else None
        profile_data = profile.data if profile else None
        at = now()
        outcome = scheduling.review(
            domain.card_state(doc),
            rating,
            at,
            desired_retention=domain.desired_retention(profile_data),
            parameters=domain.usable_parameters(stats.fsrs_parameters(stats_data)),
            duration_ms=duration_ms,
        )
        change = domain.reviewed_fields(doc, outcome.log)
        seq = change["review_count"]
        day = domain.local_day(at, (profile_data or {}).get("timezone"))
        tx.update(path, change)
        tx.set(
            paths.review(uid, card_id, seq),
            domain.log_document(outcome.log, card_id=card_id, doc=doc, seq=seq, day=day),
        )
        update = _review_stats(doc, outcome.log, day=day, section_id=doc.get("section_id"), sign=1)
        tx.set(paths.stats(uid), update, merge=True)
        card = to_flashcard(card_id, {**doc, **change})
        result = ReviewResult(
            card=card, retrievability=outcome.retrievability_before, next_due=outcome.next_due
        )
        return Reviewed(
            result=result,
            total_reviews=stats.total_reviews(stats_data) + 1,
            first_of_day=stats.reviews_on(stats_data, day) <= 0,
        )

    return store.run_transaction(apply)


def _review_stats(
    doc: dict[str, Any], log: ReviewLogEntry, *, day: str, section_id: str | None, sign: int
) -> dict[str, Any]:
    """The stats change of a review (``sign=-1``: of its undo). A suspended
    card (only when undoing) is counted under ``suspended``, not its state."""
    before, after = log.state_before.state, log.state_after.state
    if sign < 0:
        before, after = after, before
    moved = {} if doc.get("suspended") else stats.card_moved(doc["course_id"], before, after)
    logged = stats.review_logged(
        course_id=doc["course_id"],
        section_id=section_id,
        state_before=log.state_before.state,
        rating=log.rating,
        day=day,
        sign=sign,
    )
    return stats.combine(moved, logged)


def undo_review(store: DocumentStore, uid: str, card_id: str) -> Flashcard:
    """Take back the card's last review exactly: its state before, its review
    count and lapses, its log entry, and what the review added to the stats."""
    path = card_path(uid, card_id)

    def apply(tx: Transaction) -> Flashcard:
        card_snap = tx.get(path)
        if card_snap is None:
            raise NotFound(CARD_GONE)
        doc = card_snap.data
        seq = int(doc.get("review_count", 0))
        if seq < 1:
            raise Conflict(NOTHING_TO_UNDO)
        log_path = paths.review(uid, card_id, seq)
        log_snap = tx.get(log_path)
        if log_snap is None:
            raise Conflict(NOTHING_TO_UNDO)
        log = ReviewLogEntry.from_dict(log_snap.data)
        day = str(log_snap.data.get("day") or domain.local_day(log.reviewed_at, None))
        change = domain.undone_fields(doc, log)
        tx.update(path, change)
        tx.delete(log_path)
        # the section and day the review was counted under, even if they changed since
        update = _review_stats(
            doc, log, day=day, section_id=log_snap.data.get("section_id"), sign=-1
        )
        tx.set(paths.stats(uid), update, merge=True)
        return to_flashcard(card_id, {**doc, **change})

    return store.run_transaction(apply)


def due_query(uid: str, course_id: str | None, now: datetime, limit: int) -> Query:
    query = collection(paths.flashcards(uid)).where("suspended", "==", False)
    if course_id is not None:
        query = query.where("course_id", "==", course_id)
    return query.where("due", "<=", now).order_by("due").limit_to(limit)


def due_cards(
    store: DocumentStore, uid: str, course_id: str | None, now: datetime, limit: int
) -> DueCards:
    """Cards due now, most overdue first, and the counts by state from the
    stats document: ``limit`` reads at most, plus one (plus the course's, read
    with the stats: 404 unless it is the caller's live course)."""
    course = [] if course_id is None else ownership.course_filter_paths(uid, course_id)
    stats_snap, *found = store.get_many([paths.stats(uid), *course])
    if found:
        ownership.require_found(found)
    snaps = store.query(due_query(uid, course_id, now, limit))
    counts = stats.card_counts(stats_snap.data if stats_snap else None, course_id)
    return DueCards(items=[to_flashcard(s.id, s.data) for s in snaps], counts=DueCounts(**counts))
