"""Request and response bodies of the courses API (names fixed by API.md).

Optional text fields treat an empty string as "none": a form whose input was
cleared sends ``""``, and storing it would make ``code: ""`` and ``code: null``
two ways of saying the same thing.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic.json_schema import SkipJsonSchema

from aksio.courses.domain import (
    COLOR_PATTERN,
    MAX_SECTIONS_PER_COURSE,
    normalize_color,
)
from aksio.pagination import PageQuery
from aksio.validation import INTEGRAL, OMITTED, Id, Strict, none_if_empty, refuse_null

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Code = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=32), AfterValidator(none_if_empty)
]
Term = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=64), AfterValidator(none_if_empty)
]
Description = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=5000), AfterValidator(none_if_empty)
]
Color = Annotated[str, StringConstraints(pattern=COLOR_PATTERN), AfterValidator(normalize_color)]


# ------------------------------------------------------------------ courses
class CourseCreate(Strict):
    """A new course. ``color`` left out or null: a colour from the palette."""

    title: Title
    code: Code | None = None
    description: Description | None = None
    term: Term | None = None
    """E.g. ``Autumn 2025``."""
    exam_date: date | None = None
    color: Color | None = None
    archived: bool = False


class CourseReplace(CourseCreate):
    """PUT: every editable field is set; one left out takes its default (null,
    the palette colour, not archived)."""


class CourseUpdate(Strict):
    """PATCH: fields given are changed, fields left out keep their value.
    ``title`` and ``archived`` cannot be null; ``color: null`` restores the
    palette colour."""

    title: Title | SkipJsonSchema[None] = OMITTED
    code: Code | None = None
    description: Description | None = None
    term: Term | None = None
    exam_date: date | None = None
    color: Color | None = None
    archived: bool | SkipJsonSchema[None] = OMITTED

    # None is the "not given" default; runs only for fields sent, so it names them
    _not_null = field_validator("title", "archived")(refuse_null)


class Course(BaseModel):
    id: str
    title: str
    code: str | None
    description: str | None
    term: str | None
    exam_date: date | None
    color: str
    archived: bool
    created_at: datetime
    updated_at: datetime


class CourseListQuery(PageQuery):
    """Newest first. ``archived`` left out lists both."""

    model_config = ConfigDict(extra="forbid")

    archived: bool | None = None


class CourseDeletion(BaseModel):
    """The answer to DELETE: the course is gone from lists and reads at once;
    its documents, files and everything else go in the background."""

    id: str
    status: Literal["deleting"] = "deleting"


# ------------------------------------------------------------------ sections
class SectionCreate(Strict):
    title: Title
    description: Description | None = None
    position: Annotated[int, Field(ge=0, le=MAX_SECTIONS_PER_COURSE), INTEGRAL] | None = None
    """Where to insert (0 = first); left out or null: at the end."""


class SectionReplace(Strict):
    """PUT: title and description; a description left out is cleared."""

    title: Title
    description: Description | None = None


class SectionUpdate(Strict):
    """PATCH: fields given are changed; ``title`` cannot be null."""

    title: Title | SkipJsonSchema[None] = OMITTED
    description: Description | None = None

    _not_null = field_validator("title")(refuse_null)


class SectionReorder(Strict):
    section_ids: Annotated[list[Id], Field(max_length=MAX_SECTIONS_PER_COURSE)]
    """Every section id of the course, exactly once, in the new order."""


class Section(BaseModel):
    id: str
    course_id: str
    title: str
    description: str | None
    order: int
    """Position in the course, 0-based and without gaps."""


class SectionListQuery(PageQuery):
    """In order; by default one page holds every section of a course."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=MAX_SECTIONS_PER_COURSE, ge=1, le=MAX_SECTIONS_PER_COURSE)
