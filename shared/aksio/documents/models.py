"""Request and response bodies of the documents and search API (API.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic.json_schema import SkipJsonSchema

from aksio.documents.sniff import EXTENSIONS
from aksio.validation import INTEGRAL, OMITTED, Id, Strict, refuse_null


def _any_case(ext: str) -> str:
    # JSON Schema patterns are ECMA-262: no inline (?i), so spell both cases out
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in ext)


FILENAME_PATTERN = (
    r"^.*\.(" + "|".join(_any_case(e.lstrip(".")) for e in sorted(EXTENSIONS)) + r")$"
)
"""A name ending in a supported extension, in any case."""

DocumentStatus = Literal["uploaded", "processing", "ready", "failed"]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Document(BaseModel):
    id: str
    course_id: str
    section_id: str | None = None
    """The section of the course the document belongs to; null: the whole course."""
    title: str
    filename: str
    content_type: str
    size: int
    status: DocumentStatus
    progress: int = 0
    """Percent of the pages extracted while ``processing``."""
    error: str | None = None
    warnings: list[str] = []
    page_count: int | None = None
    word_count: int | None = None
    language: str | None = None
    proposed_sections: list[str] = []
    created_at: datetime
    updated_at: datetime | None = None


class UploadUrlRequest(Strict):
    filename: Annotated[
        str, StringConstraints(min_length=1, max_length=255, pattern=FILENAME_PATTERN)
    ]
    size: Annotated[int, Field(ge=1), INTEGRAL]
    """Bytes the client will upload; the URL accepts exactly this many."""
    title: Title | None = None
    section_id: Id | None = None
    """A section of the course the document belongs to (404 if it is not one)."""


class DocumentUpdate(Strict):
    """PATCH: fields given are changed; ``section_id: null`` unlinks the
    document from its section; ``title`` cannot be null."""

    title: Title | SkipJsonSchema[None] = OMITTED
    section_id: Id | None = None

    _not_null = field_validator("title")(refuse_null)


class UploadUrl(BaseModel):
    document: Document
    upload_url: str
    method: Literal["PUT"] = "PUT"
    headers: dict[str, str]
    """Send these with the PUT (the content type the session was opened for)."""


class SearchQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    limit: Annotated[int, Field(ge=1, le=20)] = 5


class SearchHit(BaseModel):
    document_id: str
    title: str
    page: int
    heading: str | None
    text: str
    score: float


class SearchResults(BaseModel):
    items: list[SearchHit]
