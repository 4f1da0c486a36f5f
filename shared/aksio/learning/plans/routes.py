"""HTTP handlers of the plans area of ``/api/v1/learning``.

Plans are built in the background: create and replan answer 202 with the
plan ``queued``; reading it shows ``queued -> running -> ready | failed``.
Another user's plan id is simply not found (ownership is the path).
"""

from __future__ import annotations

from aksio.http.context import RequestContext
from aksio.http.router import Router
from aksio.learning import filters
from aksio.learning.plans import repository, service
from aksio.learning.plans.models import Plan, PlanCreate, PlanListQuery
from aksio.pagination import Page
from aksio.tasks.stuck import shown, shown_page

router = Router(prefix="/api/v1/learning", tag="plans")


@router.get("/study-plans/", errors=(404,))
def list_plans(ctx: RequestContext, query: PlanListQuery) -> Page[Plan]:
    """The caller's plans, newest first (``course_id`` filters); without
    sessions: read one plan for them. 404 when ``course_id`` is not one of
    the caller's courses."""
    store = ctx.services.documents
    filters.check_filters(store, ctx.uid, query.course_id)
    return shown_page(ctx.services, repository.list_plans(store, ctx.uid, query))


@router.post("/study-plans/", status=202, errors=(404, 409, 429, 503))
def create_plan(ctx: RequestContext, body: PlanCreate) -> Plan:
    """Plan a course up to its exam; the plan is built in the background.
    Counts against a daily limit (with replans)."""
    return service.request_plan(ctx.services, ctx.uid, body)


@router.get("/study-plans/<plan_id>/", errors=(404,))
def get_plan(ctx: RequestContext, plan_id: str) -> Plan:
    """One plan with its sessions by date (a plan fallen behind starts replanning)."""
    return shown(ctx.services, service.get_plan(ctx.services, ctx.uid, plan_id))


@router.delete("/study-plans/<plan_id>/", status=204, errors=(404,))
def delete_plan(ctx: RequestContext, plan_id: str) -> None:
    """Delete the plan and its sessions."""
    repository.delete_plan(ctx.services.documents, ctx.uid, plan_id)


@router.post("/study-plans/<plan_id>/replan/", status=202, errors=(404, 409, 429, 503))
def replan(ctx: RequestContext, plan_id: str) -> Plan:
    """Rebuild the plan from today: what was done is kept and counted, missed
    and remaining work is rescheduled, weak sections get more time. Counts
    against the daily limit of plan requests."""
    return service.replan(ctx.services, ctx.uid, plan_id, asked=True)
