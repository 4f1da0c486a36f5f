"""HTTP handlers of the progress area of ``/api/v1/learning``."""

from __future__ import annotations

from aksio.http.context import RequestContext
from aksio.http.router import Router
from aksio.learning.progress import repository
from aksio.learning.progress.models import Progress, ProgressQuery

router = Router(prefix="/api/v1/learning", tag="progress")


@router.get("/progress/", errors=(404,))
def get_progress(ctx: RequestContext, query: ProgressQuery) -> Progress:
    """Minutes per day and week, reviews per day, retention, streak, cards
    due soon, plan adherence, and mastery and weakest sections per course
    (every active course, or ``course_id``'s). Reads aggregates only: its
    cost does not grow with the history of reviews, attempts or sessions.
    Mastery comes from per-course snapshots (``mastery_as_of``); a missing or
    stale one is refreshed in the background."""
    s = ctx.services
    return repository.get_progress(
        s.documents, ctx.uid, query, s.clock.now(), tasks=lambda: s.tasks
    )
