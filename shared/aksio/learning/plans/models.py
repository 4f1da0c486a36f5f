"""Request and response bodies of the study plans API (names fixed by API.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from aksio.ids import ID_PATTERN
from aksio.learning.isodate import IsoDate
from aksio.learning.planning import MAX_DAY_MINUTES, MAX_PREFERRED_MINUTES, MIN_PREFERRED_MINUTES
from aksio.pagination import PageQuery
from aksio.validation import INTEGRAL, Strict

PlanStatus = Literal["queued", "running", "ready", "failed"]
SessionKind = Literal["learn", "review", "quiz", "final_review"]
SessionStatus = Literal["planned", "in_progress", "completed", "skipped"]
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
DayMinutes = Annotated[int, Field(ge=0, le=MAX_DAY_MINUTES), INTEGRAL]
MAX_BLACKOUT_DATES = 366


class Availability(Strict):
    """Minutes per weekday; a day left out has none. Any other key is a 400."""

    monday: DayMinutes = 0
    tuesday: DayMinutes = 0
    wednesday: DayMinutes = 0
    thursday: DayMinutes = 0
    friday: DayMinutes = 0
    saturday: DayMinutes = 0
    sunday: DayMinutes = 0


class PlanCreate(Strict):
    course_id: Id
    exam_date: IsoDate
    start_date: IsoDate | None = None
    """Left out or null: today in the profile's timezone."""
    availability: Availability
    blackout_dates: Annotated[list[IsoDate], Field(max_length=MAX_BLACKOUT_DATES)] = []
    preferred_session_minutes: Annotated[
        int, Field(ge=MIN_PREFERRED_MINUTES, le=MAX_PREFERRED_MINUTES), INTEGRAL
    ] = 45


class PlanListQuery(PageQuery):
    """Newest first; ``course_id`` filters."""

    model_config = ConfigDict(extra="forbid")

    course_id: Id | None = None


class UnscheduledSection(BaseModel):
    section_id: str
    minutes_missing: int


class SectionDifficulty(BaseModel):
    """The language model's estimate for one section (0 easy .. 1 hard), which
    scales its learn minutes; sections without one were not estimated."""

    section_id: str
    difficulty: float
    reason: str


class PlanSession(BaseModel):
    id: str
    plan_id: str | None
    course_id: str
    section_id: str | None
    """None for a quiz over several sections and the practice exam."""
    title: str
    kind: SessionKind
    date: date
    minutes: int
    status: SessionStatus
    actual_minutes: int | None = None
    notes: str | None = None


class Plan(BaseModel):
    id: str
    course_id: str
    status: PlanStatus
    error: str | None = None
    warnings: list[str] = []
    start_date: date
    exam_date: date
    availability: dict[str, int]
    blackout_dates: list[date] = []
    preferred_session_minutes: int
    sessions: list[PlanSession] = []
    """Filled by ``GET /study-plans/{id}/`` (by date); lists leave it empty."""
    unscheduled: list[UnscheduledSection] = []
    section_difficulty: list[SectionDifficulty] = []
    session_count: int = 0
    created_at: datetime
    updated_at: datetime


class PlanTaskPayload(BaseModel):
    """The ``generate_study_plan`` task's payload."""

    model_config = ConfigDict(extra="forbid")

    uid: str
    plan_id: str
