"""Request bodies for the accounts API, built from the API's own models so
they are valid by construction; tests override only what they are about."""

from __future__ import annotations

import random
from typing import Any

from polyfactory import Use
from polyfactory.factories.pydantic_factory import ModelFactory

from aksio.accounts.models import (
    ActivityCreate,
    FeedbackCreate,
    ProfileUpdate,
    RegisterRequest,
)
from tests.factories.users import DEFAULT_PASSWORD, unique_email

TIMEZONES = ["Europe/Oslo", "America/New_York", "Asia/Tokyo", "UTC", "Australia/Sydney"]


class RegisterFactory(ModelFactory[RegisterRequest]):
    email = Use(unique_email, "register")
    password = DEFAULT_PASSWORD
    display_name = Use(lambda: random.choice(["Ada", "Alan", "Grace", "Edsger"]))


class ProfileUpdateFactory(ModelFactory[ProfileUpdate]):
    display_name = Use(lambda: random.choice(["Kari Nordmann", "Ola Nordmann"]))
    university = "University of Bergen"
    program = "MSc Biology"
    timezone = Use(lambda: random.choice(TIMEZONES))
    locale = Use(lambda: random.choice(["en", "nb-NO", "de", "pt-BR"]))
    study_goals = Use(lambda: ["Pass the exam", "Review every week"])
    daily_goal_minutes = Use(lambda: random.randint(5, 240))
    desired_retention = Use(lambda: round(random.uniform(0.7, 0.97), 2))


class ActivityFactory(ModelFactory[ActivityCreate]):
    kind = Use(lambda: random.choice(["study", "review", "quiz", "reading"]))
    course_id = None
    minutes = Use(lambda: random.randint(1, 90))
    occurred_at = None


class FeedbackFactory(ModelFactory[FeedbackCreate]):
    message = Use(lambda: random.choice(["Love the flashcards", "Plans are too long"]))
    rating = Use(lambda: random.randint(1, 5))
    context = Use(lambda: {"screen": "dashboard"})


def body(factory: type[ModelFactory[Any]], **overrides: Any) -> dict[str, Any]:
    """A JSON body from ``factory`` with ``overrides`` applied."""
    data: dict[str, Any] = factory.build(**overrides).model_dump(mode="json", exclude_none=True)
    return data
