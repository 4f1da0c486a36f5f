"""Accepting plan requests and replans: check what can be checked at once
(the course, its sections, the dates and availability), record the plan as
``queued`` and queue the ``generate_study_plan`` task that builds it."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from aksio.courses.repository import require_course
from aksio.errors import AppError, Conflict, InvalidInput, Unavailable
from aksio.ids import new_id
from aksio.learning.planning import MAX_HORIZON_DAYS, PlanRequest, SectionInput, validate
from aksio.learning.plans import inputs, repository
from aksio.learning.plans.models import Plan, PlanCreate, PlanTaskPayload
from aksio.ports.tasks import Task, TaskAlreadyExists
from aksio.ratelimit import hit_daily
from aksio.tasks.stuck import stuck_after

if TYPE_CHECKING:
    from aksio.composition import Services
    from aksio.ports.documents import Snapshot

log = logging.getLogger("aksio.learning.plans")

PLAN_TASK = "generate_study_plan"
UNAVAILABLE = "The plan could not be started right now; try again."
NO_SECTIONS = (
    "This course has no sections to plan yet: add sections or upload documents "
    "(and accept their proposed sections) first."
)
DEFAULT_REPLAN_MARGIN = 120


# ------------------------------------------------------------------ dates
def today_for(services: Services, uid: str) -> date:
    """Today in the profile's timezone (UTC without a profile or a known zone)."""
    from aksio.accounts.paths import user

    now = services.clock.now()
    snap = services.documents.get(user(uid))
    name = (snap.data.get("timezone") if snap is not None else None) or "UTC"
    try:
        return now.astimezone(ZoneInfo(str(name))).date()
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return now.date()


def _iso(day: date) -> str:
    return day.isoformat()


# ------------------------------------------------------------------ create
def request_plan(services: Services, uid: str, body: PlanCreate) -> Plan:
    store, now = services.documents, services.clock.now()
    require_course(store, uid, body.course_id)
    sections = inputs.read_sections(store, uid, body.course_id)
    if not sections:
        raise Conflict(NO_SECTIONS)
    today = today_for(services, uid)
    start = body.start_date or today
    if (start - today).days > MAX_HORIZON_DAYS:
        # Dates that far out are typos; they would only fail later, in the task.
        raise InvalidInput(
            f"The start date must be within {MAX_HORIZON_DAYS} days from today.",
            details=[{"field": "start_date", "location": "body", "message": "too far ahead"}],
        )
    availability = body.availability.model_dump()
    validate(
        PlanRequest(
            start_date=start,
            exam_date=body.exam_date,
            availability=availability,
            sections=[SectionInput(s.section_id, s.title) for s in sections],
            blackout_dates=frozenset(body.blackout_dates),
            preferred_session_minutes=body.preferred_session_minutes,
        ),
        today,
    )
    count_request(services, uid, now)  # after every check a client can fix
    plan_id = new_id()
    data = {
        "course_id": body.course_id,
        "status": "queued",
        "error": None,
        "warnings": [],
        "start_date": _iso(start),
        "exam_date": _iso(body.exam_date),
        "availability": availability,
        "blackout_dates": sorted({_iso(d) for d in body.blackout_dates}),
        "preferred_session_minutes": body.preferred_session_minutes,
        "unscheduled": [],
        "session_count": 0,
        "revision": 0,
        "generate_from": _iso(start),
        "created_at": now,
        "updated_at": now,
    }
    plan = repository.create_plan(store, uid, plan_id, data)
    _enqueue_or_fail(services, uid, plan_id, repository.plan_path(uid, plan_id))
    return plan


def _enqueue_or_fail(services: Services, uid: str, plan_id: str, dedupe_key: str) -> None:
    payload = PlanTaskPayload(uid=uid, plan_id=plan_id).model_dump()
    try:
        # A repeat of this very enqueue is the only possible dedupe hit.
        with contextlib.suppress(TaskAlreadyExists):
            services.tasks.enqueue(Task(PLAN_TASK, payload, dedupe_key=dedupe_key))
    except Exception as exc:
        log.exception("could not queue plan generation", extra={"uid": uid, "plan": plan_id})
        with contextlib.suppress(Exception):
            repository.update_plan(
                services.documents,
                uid,
                plan_id,
                {"status": "failed", "error": UNAVAILABLE},
                services.clock.now(),
            )
        raise Unavailable(UNAVAILABLE) from exc


def count_request(services: Services, uid: str, now: datetime) -> None:
    """One of the user's plan requests for the UTC day (429 past the limit)."""
    limit = services.settings.plan_daily_limit
    hit_daily(services.documents, f"plan:{uid}", limit, now, "study plan requests")


# ------------------------------------------------------------------ replan
def replan(
    services: Services,
    uid: str,
    plan_id: str,
    today: date | None = None,
    *,
    asked: bool = False,
) -> Plan:
    """Regenerate the plan from ``today`` (the profile's today by default):
    the task keeps what the student did and replans the rest. A replan the
    student ``asked`` for counts against the daily limit once the checks a
    client can fix have passed (automatic ones do not count)."""
    store = services.documents
    snap = repository.require_plan(store, uid, plan_id)
    require_course(store, uid, str(snap.data.get("course_id")))
    today = today or today_for(services, uid)
    if date.fromisoformat(str(snap.data["exam_date"])) <= today:
        raise InvalidInput(
            "The exam date has passed; there is nothing left to plan.",
            details=[{"field": "exam_date", "location": "body", "message": "in the past"}],
        )
    if asked:
        count_request(services, uid, services.clock.now())
    data = repository.mark_queued_for_replan(
        store,
        uid,
        plan_id,
        _iso(today),
        services.clock.now(),
        stuck_after=stuck_after(services.settings),
    )
    key = f"{repository.plan_path(uid, plan_id)}/revision-{data['revision']}"
    _enqueue_or_fail(services, uid, plan_id, key)
    return Plan.model_validate({**data, "id": plan_id})


# ------------------------------------------------------------------ behind
def behind_by_minutes(sessions: Iterable[Mapping[str, Any]], today: date) -> int:
    """Planned minutes the student did not do: sessions skipped (whatever
    their day: a skipped session will not happen) and sessions of earlier
    days never completed. Completed sessions count nothing."""
    behind = 0
    for s in sessions:
        status = s.get("status")
        if status == "completed":
            continue
        if status == "skipped" or inputs.session_date(s) < today:
            behind += int(s.get("minutes") or 0)
    return behind


def replan_margin(services: Services) -> int:
    return int(getattr(services.settings, "plan_replan_margin_minutes", DEFAULT_REPLAN_MARGIN))


def behind_schedule(
    services: Services, plan: Mapping[str, Any], sessions: Sequence[Snapshot], today: date
) -> bool:
    """Whether a ready plan's current schedule is behind by more than the margin.
    Only the current schedule counts, the sessions of the plan's latest
    revision: what was missed or skipped before the last replan is already
    accounted for by it (else the replan itself would look behind and every
    read would replan again)."""
    if plan.get("status") != "ready":
        return False  # failed, or already being (re)generated
    revision = int(plan.get("revision") or 0)
    current = [s.data for s in sessions if repository.session_revision(s.id) == revision]
    return behind_by_minutes(current, today) > replan_margin(services)


def maybe_replan(services: Services, uid: str, plan_id: str, today: date) -> bool:
    """Queue a replan when the student is behind the plan's current schedule
    by more than the configured margin. Called after a session is skipped or
    completed; never raises (a failure here must not fail that request).
    Returns True if a replan was queued."""
    try:
        store = services.documents
        snap = store.get(repository.plan_path(uid, plan_id))
        if snap is None or snap.data.get("status") != "ready":
            return False  # gone, failed, or already being (re)generated
        sessions = repository.plan_sessions(store, uid, plan_id)
        if not behind_schedule(services, snap.data, sessions, today):
            return False
        return _auto_replan(services, uid, plan_id, today) is not None
    except Exception:
        log.exception("automatic replan failed", extra={"uid": uid, "plan": plan_id})
        return False


def _auto_replan(services: Services, uid: str, plan_id: str, today: date) -> Plan | None:
    """Queue a replan the student did not ask for; None when it cannot be
    (the exam has passed, the course is gone, the queue is down)."""
    try:
        queued = replan(services, uid, plan_id, today)
    except AppError as exc:
        log.info("no automatic replan", extra={"uid": uid, "plan": plan_id, "reason": exc.message})
        return None
    log.info("plan behind schedule: replan queued", extra={"uid": uid, "plan": plan_id})
    return queued


# ------------------------------------------------------------------ read
def get_plan(services: Services, uid: str, plan_id: str) -> Plan:
    """One plan with its sessions. A ready plan the student has fallen behind
    on is queued for a replan as it is read, so a student back after days
    away finds it adapting without having to mark each missed session.
    Reading the profile for the local date is skipped when even the latest
    date anywhere (UTC + 1 day) shows no lag: a plain read stays 2 reads."""
    store = services.documents
    snap = repository.require_plan(store, uid, plan_id)
    sessions = repository.plan_sessions(store, uid, plan_id)
    plan = repository.to_plan(snap, sessions)
    latest = services.clock.now().astimezone(UTC).date() + timedelta(days=1)
    if not behind_schedule(services, snap.data, sessions, latest):
        return plan
    today = today_for(services, uid)
    if not behind_schedule(services, snap.data, sessions, today):
        return plan
    queued = _auto_replan(services, uid, plan_id, today)
    return plan if queued is None else queued.model_copy(update={"sessions": plan.sessions})
