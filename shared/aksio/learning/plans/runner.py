"""Building a plan in the background (the ``generate_study_plan`` task).

Idempotent, since a task may be delivered twice or retried after a run that
did its work: a plan no longer ``queued``/``running`` is left alone; session
ids derive from the plan id, its revision and the session's index, so a
rerun overwrites what a crashed run wrote, and sessions of the plan that the
new schedule no longer holds are deleted.

What a replan keeps: every session the student acted on (completed, skipped,
in progress) and the missed ones of earlier days (the record of what was
planned); it replaces the plan's ``planned`` sessions from ``generate_from``
on. Completed learn minutes count as learned; the day a replan starts is
left out if the student already studied on it (its minutes are partly used,
and the planner only knows whole weekdays); a later day they worked ahead on
(a session completed or begun early) keeps only the time its kept sessions
leave, so no day of the stored schedule is over its minutes.

Difficulty per section comes from the language model
(``aksio.learning.plans.difficulty``), is stored on the plan as
``section_difficulty`` and reused by later builds; when it cannot be
estimated the plan is still built, with a warning.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import date
from typing import TYPE_CHECKING, Any

from aksio.courses.repository import require_course
from aksio.errors import NotFound
from aksio.learning import paths
from aksio.learning.planning import Plan, PlanInputError, PlanRequest, generate_plan
from aksio.learning.plans import difficulty, inputs, repository
from aksio.ports.documents import DocumentStoreError
from aksio.ports.documents import NotFound as DocumentMissing

if TYPE_CHECKING:
    from aksio.composition import Services
    from aksio.ports.documents import Snapshot

log = logging.getLogger("aksio.learning.plans")

GIVE_UP = "Could not build the plan: {}. Try again with replan."
COURSE_GONE = "Could not build the plan: the course was deleted."


def run(services: Services, uid: str, plan_id: str) -> None:
    store = services.documents
    snap = store.get(paths.study_plan(uid, plan_id))
    if snap is None or snap.data.get("status") not in repository.BUSY:
        return  # deleted, or already built (a repeated delivery) or failed
    repository.update_plan(store, uid, plan_id, {"status": "running"}, services.clock.now())
    data = snap.data
    course_id = str(data["course_id"])
    try:
        course = require_course(store, uid, course_id)
    except NotFound:
        fail(services, uid, plan_id, COURSE_GONE)
        return
    sections = inputs.read_sections(store, uid, course_id)
    documents = inputs.read_documents(store, uid, course_id)
    rated, warning = difficulty.estimate(
        services,
        uid,
        course_id,
        sections,
        language=inputs.course_language(documents),
        course_title=_title(course.data),
        previous=difficulty.stored(data),
    )
    start = date.fromisoformat(str(data.get("generate_from") or data["start_date"]))
    existing = repository.plan_sessions(store, uid, plan_id)
    kept = [s for s in existing if _kept(s, start)]
    blackouts = frozenset(date.fromisoformat(d) for d in data.get("blackout_dates") or [])
    if any(inputs.session_date(s.data) == start for s in kept):
        blackouts |= {start}
    request = PlanRequest(
        start_date=start,
        exam_date=date.fromisoformat(str(data["exam_date"])),
        availability=dict(data["availability"]),
        sections=inputs.section_inputs(
            sections,
            inputs.section_sizes(sections, documents),
            inputs.read_weakness(store, uid, course_id),
            inputs.learned_minutes(s.data for s in kept),
            {sid: r.difficulty for sid, r in rated.items()},
        ),
        blackout_dates=blackouts,
        booked_minutes=inputs.booked_minutes((s.data for s in kept), start),
        preferred_session_minutes=int(data["preferred_session_minutes"]),
    )
    try:
        plan = generate_plan(request)
    except PlanInputError as exc:
        # The course or the calendar changed since the request was accepted.
        fail(services, uid, plan_id, f"Could not build the plan: {exc.message}")
        return
    extra = {
        "warnings": [*plan.warnings, *([warning] if warning else [])],
        "section_difficulty": [
            rated[s.section_id].to_dict() for s in sections if s.section_id in rated
        ],
    }
    _store(services, uid, plan_id, data, plan, extra=extra, kept=kept, existing=existing)


def _title(course: dict[str, Any]) -> str | None:
    title = course.get("title")
    return title if isinstance(title, str) else None


def _kept(session: Snapshot, start: date) -> bool:
    status = session.data.get("status")
    return status in inputs.DONE or inputs.session_date(session.data) < start


def session_docs(
    plan_id: str, course_id: str, revision: int, plan: Plan, now: Any
) -> list[dict[str, Any]]:
    """The stored sessions of a generated plan (the fields the sessions area reads)."""
    return [
        {
            "id": repository.session_id(plan_id, revision, i),
            "plan_id": plan_id,
            "course_id": course_id,
            "section_id": s.section_id,
            "title": s.title,
            "kind": s.kind,
            "date": s.date.isoformat(),
            "minutes": s.minutes,
            "status": "planned",
            "actual_minutes": None,
            "notes": None,
            "created_at": now,
            "updated_at": now,
        }
        for i, s in enumerate(plan.sessions)
    ]


def _store(
    services: Services,
    uid: str,
    plan_id: str,
    data: dict[str, Any],
    plan: Plan,
    *,
    extra: dict[str, Any],
    kept: list[Snapshot],
    existing: list[Snapshot],
) -> None:
    store, now = services.documents, services.clock.now()
    docs = session_docs(plan_id, str(data["course_id"]), int(data.get("revision", 0)), plan, now)
    new_ids = {str(d["id"]) for d in docs}
    kept_ids = {s.id for s in kept}
    repository.write_sessions(store, uid, docs)
    repository.delete_sessions(
        store, uid, [s.id for s in existing if s.id not in kept_ids and s.id not in new_ids]
    )
    result = {
        "status": "ready",
        "error": None,
        **extra,
        "unscheduled": [
            {"section_id": u.section_id, "minutes_missing": u.minutes_missing}
            for u in plan.unscheduled
        ],
        "session_count": len(kept) + len(docs),
    }
    try:
        repository.update_plan(store, uid, plan_id, result, now)
    except DocumentMissing:
        # Deleted while it was being built: take back what this run wrote.
        repository.delete_sessions(store, uid, new_ids)


def fail(services: Services, uid: str, plan_id: str, error: str) -> None:
    with contextlib.suppress(DocumentMissing):  # a deleted plan has no one to tell
        repository.update_plan(
            services.documents,
            uid,
            plan_id,
            {"status": "failed", "error": error},
            services.clock.now(),
        )


def gave_up(services: Services, uid: str, plan_id: str, exc: Exception) -> None:
    """After the last attempt: the plan is failed with a reason a student can read."""
    reason = (
        "the database could not be reached"
        if isinstance(exc, DocumentStoreError)
        else "an unexpected error stopped it several times"
    )
    log.error("plan generation gave up", extra={"uid": uid, "plan": plan_id, "error": str(exc)})
    fail(services, uid, plan_id, GIVE_UP.format(reason))
