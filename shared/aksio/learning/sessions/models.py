"""Request and response bodies of the sessions API (names fixed by API.md).

``datetime`` is imported as a module: a field named ``date`` would otherwise
shadow the type in the class body.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from aksio.ids import ID_PATTERN
from aksio.learning.isodate import IsoDate
from aksio.learning.planning import MAX_SESSION_CEILING, MIN_SESSION_FLOOR, SessionKind
from aksio.pagination import PageQuery
from aksio.validation import INTEGRAL, OMITTED, Strict

SessionStatus = Literal["planned", "in_progress", "completed", "skipped"]
MAX_ACTUAL_MINUTES = 24 * 60
MAX_NOTES = 5000

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]


def _refuse_null(value: object) -> object:
    if value is None:
        raise ValueError("cannot be null")
    return value


def _none_if_empty(value: str | None) -> str | None:
    return value or None


Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Notes = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=MAX_NOTES),
    AfterValidator(_none_if_empty),
]
Minutes = Annotated[int, Field(ge=MIN_SESSION_FLOOR, le=MAX_SESSION_CEILING), INTEGRAL]
ActualMinutes = Annotated[int, Field(ge=0, le=MAX_ACTUAL_MINUTES), INTEGRAL]


class Session(BaseModel):
    id: str
    plan_id: str | None
    """None for an ad-hoc session."""
    course_id: str
    section_id: str | None
    title: str
    kind: SessionKind
    date: dt.date
    minutes: int
    """Planned length."""
    status: SessionStatus
    actual_minutes: int | None
    notes: str | None
    started_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    created_at: dt.datetime
    updated_at: dt.datetime


class SessionCreate(Strict):
    """An ad-hoc session (outside any plan), created ``planned``."""

    course_id: Id
    section_id: Id | None = None
    title: Title | None = None
    """Left out: the section's title, else the course's."""
    kind: SessionKind = "learn"
    date: IsoDate | None = None
    """Left out: today, in the student's time zone."""
    minutes: Minutes
    notes: Notes | None = None


class SessionUpdate(Strict):
    """PATCH: start (``in_progress``), complete (``completed``, with
    ``actual_minutes``, default the planned minutes) or skip (``skipped``);
    ``notes`` may change at any time (null clears them)."""

    status: Literal["in_progress", "completed", "skipped"] | SkipJsonSchema[None] = OMITTED
    actual_minutes: ActualMinutes | SkipJsonSchema[None] = OMITTED
    notes: Notes | None = None

    # None is the "not given" default; runs only for fields sent, so it names them
    _not_null = field_validator("status", "actual_minutes")(_refuse_null)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        sent = self.model_fields_set
        if not sent:
            raise ValueError("send at least one of status, actual_minutes, notes")
        if "actual_minutes" in sent and self.status != "completed":
            # minutes count once, when the session is completed: changing them
            # later would leave the activity log and streak telling another story
            raise ValueError('actual_minutes is sent only with status "completed"')
        return self


class SessionListQuery(PageQuery):
    """Ordered by date (then creation order); every filter is optional.
    ``from``/``to`` (or ``date_from``/``date_to``) are inclusive."""

    date_from: IsoDate | None = Field(
        default=None, validation_alias=AliasChoices("from", "date_from")
    )
    date_to: IsoDate | None = Field(default=None, validation_alias=AliasChoices("to", "date_to"))
    course_id: Id | None = None
    plan_id: Id | None = None
    status: SessionStatus | None = None
    limit: int = Field(default=50, ge=1, le=200)

    @model_validator(mode="after")
    def _range(self) -> Self:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("from must not be after to")
        return self
