"""HTTP handlers of the sessions area of ``/api/v1/learning``.

Ownership is the path (``users/{uid}/study_sessions/...``): another user's
session id answers 404 like one that never existed.
"""

from __future__ import annotations

from aksio.http.context import RequestContext
from aksio.http.router import Router
from aksio.learning import filters
from aksio.learning.sessions import repository, service
from aksio.learning.sessions.models import (
    Session,
    SessionCreate,
    SessionListQuery,
    SessionUpdate,
)
from aksio.pagination import Page

router = Router(prefix="/api/v1/learning", tag="sessions")


@router.get("/sessions/", errors=(404,))
def list_sessions(ctx: RequestContext, query: SessionListQuery) -> Page[Session]:
    """The caller's sessions (plan and ad-hoc) by date, filtered by date
    range (inclusive), course, plan and status. 404 when ``course_id`` or
    ``plan_id`` is not one of the caller's."""
    store = ctx.services.documents
    filters.check_filters(store, ctx.uid, query.course_id, query.plan_id)
    return repository.list_sessions(store, ctx.uid, query)


@router.post("/sessions/", status=201, errors=(404,))
def create_session(ctx: RequestContext, body: SessionCreate) -> Session:
    """An ad-hoc session, outside any plan (``plan_id`` null), ``planned``."""
    s = ctx.services
    return repository.create_session(s.documents, ctx.uid, body, s.clock.now())


@router.get("/sessions/<session_id>/", errors=(404,))
def get_session(ctx: RequestContext, session_id: str) -> Session:
    """One session."""
    return repository.get_session(ctx.services.documents, ctx.uid, session_id)


@router.patch("/sessions/<session_id>/", errors=(404, 409))
def update_session(ctx: RequestContext, session_id: str, body: SessionUpdate) -> Session:
    """Start (``in_progress``), complete (``completed`` with ``actual_minutes``,
    default the planned minutes, and ``notes``) or skip (``skipped``).
    Completing records a study activity (the streak) and the minutes of the
    day; a completed or skipped session cannot change status again (409)."""
    return service.update_session(ctx.services, ctx.uid, session_id, body)
