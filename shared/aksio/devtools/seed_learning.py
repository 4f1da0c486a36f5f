"""Demo learning data for the dev command: the demo course's sections, a study
plan built by the plan task through the task queue (as the API builds it), and
the plan's sessions of the past days completed, so sessions, progress minutes
and plan adherence have something to show on the first start.

Each part is skipped once done, so a restart adds nothing.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta

from aksio.clock import FixedClock
from aksio.composition import Services
from aksio.courses import repository as courses
from aksio.courses.models import SectionCreate, SectionListQuery
from aksio.learning.plans import repository as plans
from aksio.learning.plans import service as plan_service
from aksio.learning.plans.models import Availability, PlanCreate, PlanListQuery
from aksio.learning.sessions import service as session_service
from aksio.learning.sessions.models import SessionUpdate

log = logging.getLogger("aksio.devtools.seed")

# The demo chapter (Darwin on domestic pigeons) in the order it argues.
DEMO_SECTIONS = (
    ("The breeds of the domestic pigeon", "How far the carrier, tumbler, pouter, fantail differ."),
    ("Descent from the rock-pigeon", "Why every breed descends from Columba livia."),
    ("Selection by the fanciers", "Slow, unconscious selection as the cause of the breeds."),
)
PLAN_STARTED_DAYS_AGO = 3
DEMO_AVAILABILITY = Availability(
    monday=45, tuesday=45, wednesday=45, thursday=45, friday=30, saturday=60, sunday=60
)
PLAN_TASK_TIMEOUT_S = 60.0


def seed_learning(services: Services, uid: str, course_id: str) -> None:
    _seed_sections(services, uid, course_id)
    plan_id = _seed_plan(services, uid, course_id)
    if plan_id is not None:
        _complete_past_sessions(services, uid, plan_id)


def _seed_sections(services: Services, uid: str, course_id: str) -> None:
    store, now = services.documents, services.clock.now()
    if courses.list_sections(store, uid, course_id, SectionListQuery(limit=1)).items:
        return
    for title, description in DEMO_SECTIONS:
        courses.create_section(
            store, uid, course_id, SectionCreate(title=title, description=description), now
        )


def _seed_plan(services: Services, uid: str, course_id: str) -> str | None:
    """The demo plan's id once it is ready (None if it could not be built).
    Requested as if three days ago, so some of its sessions are in the past."""
    store = services.documents
    listed = plans.list_plans(store, uid, PlanListQuery(course_id=course_id, limit=1)).items
    if listed:
        return listed[0].id if listed[0].status == "ready" else None
    course = courses.get_course(store, uid, course_id)
    if course.exam_date is None:
        return None
    real_clock = services.clock
    services.clock = FixedClock(real_clock.now() - timedelta(days=PLAN_STARTED_DAYS_AGO))
    try:
        plan = plan_service.request_plan(
            services,
            uid,
            PlanCreate(
                course_id=course_id,
                exam_date=course.exam_date,
                availability=DEMO_AVAILABILITY,
                preferred_session_minutes=30,
            ),
        )
        # The plan task runs on the queue's thread, reading the same (moved) clock.
        if not _drain(services):
            log.warning("demo plan: the plan task did not finish in time")
    finally:
        services.clock = real_clock
    built = plans.get_plan(store, uid, plan.id)
    if built.status != "ready":
        log.warning("demo plan ended %s: %s", built.status, built.error)
        return None
    return built.id


def _drain(services: Services) -> bool:
    from aksio.adapters.inprocess_tasks import InProcessTaskQueue

    queue = services.tasks
    return queue.drain(PLAN_TASK_TIMEOUT_S) if isinstance(queue, InProcessTaskQueue) else True


def _complete_past_sessions(services: Services, uid: str, plan_id: str) -> None:
    """Complete every planned session dated before today, each in the evening
    of its day, as a student who kept to the plan would have."""
    today = plan_service.today_for(services, uid)
    past = [
        plans.to_session(s)
        for s in plans.plan_sessions(services.documents, uid, plan_id)
        if s.data.get("status") == "planned" and str(s.data.get("date")) < today.isoformat()
    ]
    real_clock = services.clock
    try:
        for session in sorted(past, key=lambda s: (s.date, s.id)):
            evening = datetime.combine(session.date, time(17, 0), tzinfo=UTC)
            services.clock = FixedClock(evening)
            session_service.update_session(
                services,
                uid,
                session.id,
                SessionUpdate(status="completed", actual_minutes=session.minutes),
            )
    finally:
        services.clock = real_clock
