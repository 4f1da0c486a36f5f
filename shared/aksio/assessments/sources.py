"""Where a card or question came from: a passage of one of the course's documents."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from aksio.ids import ID_PATTERN
from aksio.validation import INTEGRAL, Strict

PASSAGE_MAX_CHARS = 2000


class Source(BaseModel):
    """A citation: ``{document_id, page, passage}`` (API.md)."""

    document_id: str
    page: int | None = None
    passage: str
    """The cited text itself (an excerpt of the chunk), so a citation reads on its own."""


class SourceIn(Strict):
    document_id: Annotated[str, StringConstraints(pattern=ID_PATTERN)]
    page: Annotated[int, Field(ge=1, le=100_000), INTEGRAL] | None = None
    passage: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=PASSAGE_MAX_CHARS)
    ]


def excerpt(text: str, limit: int = PASSAGE_MAX_CHARS) -> str:
    """The passage cut at a word boundary to fit a citation."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"
