"""Study plan request bodies, built from the API's own models so they are valid
by construction; tests override only what they are about (dates are relative
to a ``today`` the test passes, since plans cannot start in the past)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from polyfactory import Use
from polyfactory.factories.pydantic_factory import ModelFactory

from aksio.learning import constraints, paths
from aksio.learning.calendar import minutes_on
from aksio.learning.constraints import Violation
from aksio.learning.planning import Plan, PlannedSession, PlanRequest, Unscheduled
from aksio.learning.plans import difficulty, inputs, repository
from aksio.learning.plans.models import Availability, PlanCreate
from aksio.ports.documents import DocumentStore


def _minutes() -> int:
    return random.choice([0, 30, 45, 60, 90, 120])


class AvailabilityFactory(ModelFactory[Availability]):
    monday = Use(lambda: random.choice([60, 90, 120]))
    """At least one day with time: a plan without any is a 400."""
    tuesday = Use(_minutes)
    wednesday = Use(_minutes)
    thursday = Use(_minutes)
    friday = Use(_minutes)
    saturday = Use(_minutes)
    sunday = Use(_minutes)


class PlanCreateFactory(ModelFactory[PlanCreate]):
    course_id = "set-by-test"
    exam_date = Use(lambda: date.today() + timedelta(days=random.randint(21, 60)))
    start_date = None
    availability = Use(AvailabilityFactory.build)
    blackout_dates = Use(list[date])
    preferred_session_minutes = Use(lambda: random.choice([30, 45, 60]))


def plan_body(course_id: str, today: date, *, days: int = 30, **overrides: Any) -> dict[str, Any]:
    """A JSON body for POST /study-plans/: exam ``days`` after ``today``
    (``availability`` may be given as a plain mapping)."""
    fields = {"exam_date": today + timedelta(days=days), **overrides}
    if isinstance(fields.get("availability"), dict):
        fields["availability"] = Availability.model_validate(fields["availability"])
    plan = PlanCreateFactory.build(course_id=course_id, **fields)
    return plan.model_dump(mode="json", exclude_none=True)


def plan_violations(store: DocumentStore, uid: str, plan_id: str) -> list[Violation]:
    """``constraints.check`` of a stored plan's current schedule (its ``planned``
    sessions from ``generate_from`` on) against a request rebuilt from what is
    stored, the way the task builds it: sessions kept from before a replan
    count as learned, a start day already studied on is left out, and each
    section's difficulty is the one stored on the plan."""
    snap = store.get(paths.study_plan(uid, plan_id))
    assert snap is not None
    data = snap.data
    start = date.fromisoformat(data["generate_from"])
    stored = [s.data for s in repository.plan_sessions(store, uid, plan_id)]
    current = [s for s in stored if s["status"] == "planned" and s["date"] >= start.isoformat()]
    kept = [s for s in stored if s not in current]
    course_id = data["course_id"]
    sections = inputs.read_sections(store, uid, course_id)
    request = PlanRequest(
        start_date=start,
        exam_date=date.fromisoformat(data["exam_date"]),
        availability=data["availability"],
        sections=inputs.section_inputs(
            sections,
            inputs.read_sizes(store, uid, course_id, sections),
            inputs.read_weakness(store, uid, course_id),
            inputs.learned_minutes(kept),
            {sid: r.difficulty for sid, r in difficulty.stored(data).items()},
        ),
        blackout_dates=frozenset(date.fromisoformat(d) for d in data["blackout_dates"])
        | {start for s in kept if s["date"] == start.isoformat()},
        booked_minutes=inputs.booked_minutes(kept, start),
        preferred_session_minutes=data["preferred_session_minutes"],
    )
    plan = Plan(
        tuple(
            PlannedSession(
                date.fromisoformat(s["date"]), s["kind"], s["section_id"], s["minutes"], s["title"]
            )
            for s in current
        ),
        tuple(Unscheduled(u["section_id"], u["minutes_missing"]) for u in data["unscheduled"]),
        tuple(data["warnings"]),
    )
    return constraints.check(request, plan) + _overbooked_days(stored, start, data)


def _overbooked_days(
    stored: list[dict[str, Any]], start: date, data: dict[str, Any]
) -> list[Violation]:
    """Independent of how the task books kept sessions: every day from
    ``generate_from`` on, with all its sessions but the skipped ones (kept and
    new), is within the plan's availability for that weekday."""
    per_day: dict[str, int] = {}
    for s in stored:
        if s["status"] != "skipped" and s["date"] >= start.isoformat():
            per_day[s["date"]] = per_day.get(s["date"], 0) + s["minutes"]
    out = []
    for day, minutes in sorted(per_day.items()):
        available = minutes_on(data["availability"], date.fromisoformat(day))
        if minutes > available:
            out.append(Violation("day_minutes", date.fromisoformat(day), None, f"{day}: {minutes}"))
    return out
