"""HTTP handlers of the flashcards area of ``/api/v1/assessments``.

Ownership is the path (``users/{uid}/flashcards/...``): another user's card
id is simply not found, so it answers 404 like an id that never existed.
"""

from __future__ import annotations

from aksio.assessments import ownership
from aksio.assessments.flashcards import repository, reviews
from aksio.assessments.flashcards.models import (
    DueCards,
    DueQuery,
    Flashcard,
    FlashcardBulkCreate,
    FlashcardCreate,
    FlashcardList,
    FlashcardListQuery,
    FlashcardReplace,
    ReviewRequest,
    ReviewResult,
)
from aksio.http.context import RequestContext
from aksio.http.router import Router
from aksio.pagination import Page

router = Router(prefix="/api/v1/assessments", tag="flashcards")


@router.get("/flashcards/", errors=(404,))
def list_flashcards(ctx: RequestContext, query: FlashcardListQuery) -> Page[Flashcard]:
    """The caller's flashcards, newest first; filter by course, section, tag, state.

    404 when ``course_id`` is not one of the caller's courses, or ``section_id``
    (given with it) not one of its sections."""
    store = ctx.services.documents
    ownership.check_filter(store, ctx.uid, query.course_id, query.section_id)
    return repository.list_cards(store, ctx.uid, query)


@router.post("/flashcards/", status=201, errors=(404,))
def create_flashcard(ctx: RequestContext, body: FlashcardCreate) -> Flashcard:
    """Create a flashcard in one of the caller's courses (and one of its sections)."""
    s = ctx.services
    return repository.create_cards(s.documents, ctx.uid, [body], s.clock.now())[0]


@router.post("/flashcards/bulk/", status=201, errors=(404,))
def create_flashcards(ctx: RequestContext, body: FlashcardBulkCreate) -> FlashcardList:
    """Create up to 100 flashcards at once: all of them, or none if one is invalid."""
    s = ctx.services
    items = repository.create_cards(s.documents, ctx.uid, body.items, s.clock.now())
    return FlashcardList(items=items)


@router.get("/flashcards/due/", errors=(404,))
def due_flashcards(ctx: RequestContext, query: DueQuery) -> DueCards:
    """Cards due now (one course or all), most overdue first, with counts of
    the new, learning and review cards (all of them, due or not). 404 when
    ``course_id`` is not one of the caller's courses."""
    s = ctx.services
    return reviews.due_cards(s.documents, ctx.uid, query.course_id, s.clock.now(), query.limit)


@router.get("/flashcards/<card_id>/", errors=(404,))
def get_flashcard(ctx: RequestContext, card_id: str) -> Flashcard:
    """One flashcard."""
    return repository.get_card(ctx.services.documents, ctx.uid, card_id)


@router.put("/flashcards/<card_id>/", errors=(404,))
def replace_flashcard(ctx: RequestContext, card_id: str, body: FlashcardReplace) -> Flashcard:
    """Replace the card's content, tags, section and source (its course stays)."""
    s = ctx.services
    return repository.replace_card(s.documents, ctx.uid, card_id, body, s.clock.now())


@router.delete("/flashcards/<card_id>/", status=204, errors=(404,))
def delete_flashcard(ctx: RequestContext, card_id: str) -> None:
    """Delete the card and its review history."""
    repository.delete_card(ctx.services.documents, ctx.uid, card_id)


@router.post("/flashcards/<card_id>/review/", errors=(404, 409))
def review_flashcard(ctx: RequestContext, card_id: str, body: ReviewRequest) -> ReviewResult:
    """Rate the card (again, hard, good, easy): FSRS schedules its next review.
    The day's first review is also a ``review`` activity (the streak)."""
    from aksio.assessments import personalization  # only reviews need the fit schedule

    s = ctx.services
    done = reviews.review_card(
        s.documents,
        ctx.uid,
        card_id,
        rating=body.rating,
        duration_ms=body.duration_ms,
        now=s.clock.now,
    )
    personalization.after_review(s.tasks, s.settings, ctx.uid, done.total_reviews)
    if done.first_of_day:
        # one activity a day, not one a card: the streak counts days
        from aksio.accounts.activity import record_after_commit
        from aksio.accounts.models import ActivityCreate

        card = done.result.card
        record_after_commit(
            s.documents,
            ctx.uid,
            ActivityCreate(kind="review", course_id=card.course_id),
            s.clock.now(),
            card=card.id,
        )
    return done.result


@router.post("/flashcards/<card_id>/undo-review/", errors=(404, 409))
def undo_flashcard_review(ctx: RequestContext, card_id: str) -> Flashcard:
    """Take back the card's last review exactly."""
    return reviews.undo_review(ctx.services.documents, ctx.uid, card_id)


@router.post("/flashcards/<card_id>/suspend/", errors=(404,))
def suspend_flashcard(ctx: RequestContext, card_id: str) -> Flashcard:
    """Suspend the card: it is never due and cannot be reviewed until unsuspended."""
    s = ctx.services
    return repository.set_suspended(s.documents, ctx.uid, card_id, True, s.clock.now())


@router.post("/flashcards/<card_id>/unsuspend/", errors=(404,))
def unsuspend_flashcard(ctx: RequestContext, card_id: str) -> Flashcard:
    """Put a suspended card back into the review queue."""
    s = ctx.services
    return repository.set_suspended(s.documents, ctx.uid, card_id, False, s.clock.now())
