"""Response and query models of the progress API (names fixed by API.md;
fields beyond it are additions)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from aksio.accounts.models import Streak
from aksio.ids import ID_PATTERN

MAX_DAYS = 366

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]


class ProgressQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    course_id: Id | None = None
    """One course (404 if it is not the caller's); left out: every active course."""
    days: int = Field(default=30, ge=1, le=MAX_DAYS)
    """How many days (ending today) the by-day maps cover."""


class SectionProgress(BaseModel):
    section_id: str
    title: str
    mastery: float | None
    """Mean FSRS retrievability of the section's cards (unreviewed = 0);
    None when it has no cards, or before the course's first mastery snapshot."""
    cards: int
    reviewed_cards: int


class WeakSection(BaseModel):
    section_id: str
    title: str
    score: float
    """0..1, higher is weaker: the mean of the signals the section has."""
    weakness: float | None
    """Share of quiz answers wrong, lapses counted as wrong (assessments stats)."""
    mastery: float | None


class CourseProgress(BaseModel):
    course_id: str
    title: str
    mastery: float | None
    """Mean retrievability over the course's cards counted (with and without
    section), as of ``mastery_as_of``; None before the first snapshot."""
    mastery_as_of: datetime | None
    """When the mastery figures (course and sections) were computed: they come
    from a snapshot refreshed in the background. None: not computed yet."""
    mastery_stale: bool
    """True when the snapshot is missing or out of date: a refresh was asked
    for, and a later call shows it."""
    cards_counted: int
    cards_capped: bool
    """True when the course has more cards than were read (the most recent ones count)."""
    sections: list[SectionProgress]
    weakest_sections: list[WeakSection]


class Progress(BaseModel):
    minutes_by_day: dict[str, int]
    """Minutes of completed sessions on each day of the window (local dates)."""
    minutes_by_week: dict[str, int]
    """Whole-week totals keyed by Monday, for the weeks the window touches."""
    reviews_by_day: dict[str, int]
    """Flashcard reviews each day (of the course asked for, else of all courses)."""
    retention: float | None
    """Share of reviews of cards in the review state that were recalled (of the
    course asked for, else of all courses)."""
    streak: Streak
    due_next_7_days: int
    """Active cards due by now + 7 days (overdue ones included)."""
    due_next_30_days: int
    plan_adherence: float | None
    """Completed plan sessions over plan sessions dated up to today; None if none yet."""
    courses: list[CourseProgress]
