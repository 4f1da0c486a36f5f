"""Study plan request bodies, built from the API's own models so they are valid
by construction; tests override only what they are about (dates are relative
to a ``today`` the test passes, since plans cannot start in the past)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from polyfactory import Use
from polyfactory.factories.pydantic_factory import ModelFactory

from aksio.learning.plans.models import Availability, PlanCreate


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
    """A JSON body for POST /study-plans/: exam ``days`` after ``today``."""
    plan = PlanCreateFactory.build(
        course_id=course_id, exam_date=today + timedelta(days=days), **overrides
    )
    return plan.model_dump(mode="json", exclude_none=True)
