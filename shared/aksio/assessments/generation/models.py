"""Request and response bodies of generation (API.md "Generation"), and the
payloads of its two tasks.

Scope of a request: ``document_id`` (that document), ``section_id`` (the
passages that best match the section's title and description, from any of
the course's documents), or neither (a sample spread over the whole
course). Both at once is a 400: a section is not a part of one document,
so "this section of that document" would mean nothing definite.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from aksio.assessments.sources import NOT_BLANK
from aksio.pagination import PageQuery
from aksio.validation import INTEGRAL, Id, Strict

JobStatus = Literal["queued", "running", "ready", "failed"]

MAX_COUNT = 50
"""The schema's ceiling; ``Settings.generation_max_count`` may lower it (checked by the service)."""
DEFAULT_COUNT = 10


class _GenerateRequest(Strict):
    course_id: Id
    document_id: Id | None = None
    """Generate from this document (it must be processed: ``ready``)."""
    section_id: Id | None = None
    """Or from the course's passages about this section."""
    count: Annotated[int, Field(ge=1, le=MAX_COUNT), INTEGRAL] = DEFAULT_COUNT
    """How many items to ask for; fewer may come (``warnings`` says why)."""

    @model_validator(mode="after")
    def _one_scope(self) -> _GenerateRequest:
        if self.document_id is not None and self.section_id is not None:
            raise ValueError("give document_id or section_id, not both (neither: the whole course)")
        return self


class FlashcardGenerateRequest(_GenerateRequest):
    """Cards from a document, a section, or (neither given) the whole course."""


class QuizGenerateRequest(_GenerateRequest):
    """A quiz from a document, a section, or (neither given) the whole course."""

    title: (
        Annotated[
            str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NOT_BLANK
        ]
        | None
    ) = None
    """Left out: named after the document, section or course."""


class GenerationJob(BaseModel):
    """A flashcard generation job; its cards appear in the flashcard list."""

    id: str
    kind: Literal["flashcards"] = "flashcards"
    course_id: str
    document_id: str | None = None
    section_id: str | None = None
    requested_count: int
    status: JobStatus
    created_count: int = 0
    """Cards added to the course."""
    skipped_duplicates: int = 0
    """Drafts dropped because the course (or the same batch) already had that card."""
    error: str | None = None
    warnings: list[str] = []
    created_at: datetime
    updated_at: datetime


class JobListQuery(PageQuery):
    """Newest first; ``course_id`` filters."""

    model_config = ConfigDict(extra="forbid")

    course_id: Id | None = None


# ------------------------------------------------------------------ task payloads
class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uid: Id


class FlashcardTaskPayload(_Payload):
    job_id: Id
    """Everything else is in the job document."""


class QuizTaskPayload(_Payload):
    quiz_id: Id
    course_id: Id
    document_id: Id | None = None
    section_id: Id | None = None
    count: int = Field(ge=1, le=MAX_COUNT)
