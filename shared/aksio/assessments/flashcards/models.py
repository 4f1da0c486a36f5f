"""Request and response bodies of the flashcards API (names fixed by API.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic.json_schema import SkipJsonSchema

from aksio.assessments.scheduling import RatingName, StateName
from aksio.assessments.sources import NOT_BLANK, Source, SourceIn, is_blank
from aksio.pagination import PageQuery
from aksio.validation import INTEGRAL, OMITTED, Id, Strict, refuse_null

MAX_TAGS = 20
MAX_BULK = 100
MAX_DUE_LIMIT = 100
MAX_DURATION_MS = 86_400_000
"""A day: anything longer is a clock error, not a review."""


Front = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), NOT_BLANK
]


def _not_blank(value: str) -> str:
    # The back is Markdown: leading indentation can mean a code block, so it is
    # kept, but a back of only whitespace is no answer.
    if is_blank(value):
        raise ValueError("must not be blank")
    return value


Back = Annotated[
    str, StringConstraints(min_length=1, max_length=10_000), NOT_BLANK, AfterValidator(_not_blank)
]
Tag = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=50),
    NOT_BLANK,
]


def _dedupe(tags: list[str]) -> list[str]:
    # Order kept (first occurrence), so the client sees its tags as it sent them.
    return list(dict.fromkeys(tags))


Tags = Annotated[list[Tag], Field(max_length=MAX_TAGS), AfterValidator(_dedupe)]


class FlashcardCreate(Strict):
    """A new card. ``section_id`` must be a section of ``course_id``."""

    course_id: Id
    section_id: Id | None = None
    front: Front
    back: Back
    """Markdown."""
    tags: Tags = []
    source: SourceIn | None = None


class FlashcardReplace(Strict):
    """PUT: every editable field; one left out takes its default. A card
    cannot move to another course: ``course_id``, if sent, must be its own."""

    course_id: Id | SkipJsonSchema[None] = OMITTED
    section_id: Id | None = None
    front: Front
    back: Back
    tags: Tags = []
    source: SourceIn | None = None

    _not_null = field_validator("course_id")(refuse_null)


class FlashcardBulkCreate(Strict):
    """Up to 100 cards, created all together or not at all."""

    items: Annotated[list[FlashcardCreate], Field(min_length=1, max_length=MAX_BULK)]


class Flashcard(BaseModel):
    id: str
    course_id: str
    section_id: str | None
    front: str
    back: str
    tags: list[str]
    source: Source | None
    state: StateName
    due: datetime
    suspended: bool
    review_count: int
    lapses: int
    created_at: datetime
    updated_at: datetime


class FlashcardList(BaseModel):
    items: list[Flashcard]


class FlashcardListQuery(PageQuery):
    """Newest first; each filter given narrows the list."""

    model_config = ConfigDict(extra="forbid")

    course_id: Id | None = None
    section_id: Id | None = None
    tag: Tag | None = None
    state: StateName | None = None
    suspended: bool | None = None


class ReviewRequest(Strict):
    rating: RatingName
    duration_ms: Annotated[int, Field(ge=0, le=MAX_DURATION_MS), INTEGRAL] | None = None
    """How long the student looked at the card before rating it."""


class ReviewResult(BaseModel):
    card: Flashcard
    retrievability: float
    """Predicted probability of recall just before this review (0 for a new card)."""
    next_due: datetime


class DueQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    course_id: Id | None = None
    limit: int = Field(default=20, ge=1, le=MAX_DUE_LIMIT)


class DueCounts(BaseModel):
    new: int
    learning: int
    """Learning and relearning."""
    review: int


class DueCards(BaseModel):
    items: list[Flashcard]
    counts: DueCounts = Field(
        description="All the user's (or the course's) not-suspended cards by state, "
        "due or not (kept as counters, so the call costs the same at any collection size)."
    )
