"""Where a card or question came from: a passage of one of the course's documents."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from aksio.documents import paths as doc_paths
from aksio.errors import NotFound
from aksio.ids import ID_PATTERN, is_valid_id
from aksio.ports.documents import Snapshot
from aksio.validation import INTEGRAL, Strict

PASSAGE_MAX_CHARS = 2000

NOT_BLANK_PATTERN = r"[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
"""A character that is not Unicode White_Space: what pydantic's
``strip_whitespace`` strips (Python's ``str.strip`` would also strip
U+001C-U+001F, and JSON Schema's ``\\s`` differs again, so neither is used)."""

NOT_BLANK = Field(json_schema_extra={"pattern": NOT_BLANK_PATTERN})
"""For text stripped then required non-empty: says in the JSON schema that
whitespace alone is refused (a search: one such character anywhere passes),
as the validation does."""
_NOT_BLANK = re.compile(NOT_BLANK_PATTERN)


def is_blank(text: str) -> bool:
    """Only White_Space characters (or none), by the same rule as NOT_BLANK."""
    return _NOT_BLANK.search(text) is None


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
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=PASSAGE_MAX_CHARS),
        NOT_BLANK,
    ]


def excerpt(text: str, limit: int = PASSAGE_MAX_CHARS) -> str:
    """The passage cut at a word boundary to fit a citation."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


DOCUMENT_GONE = "No such document."


def cited_documents(sources: Iterable[SourceIn | Mapping[str, Any] | None]) -> list[str]:
    """The distinct document ids some citations name, sorted."""
    ids: set[str] = set()
    for source in sources:
        if isinstance(source, SourceIn):
            ids.add(source.document_id)
        elif source is not None:
            ids.add(str(source["document_id"]))
    return sorted(ids)


def document_paths(uid: str, course_id: str, document_ids: Iterable[str]) -> list[str]:
    """Where the cited documents must be: a citation names a document of the
    card's or question's own course, never another user's or course's (404)."""
    paths = []
    for document_id in document_ids:
        if not is_valid_id(document_id):
            raise NotFound(DOCUMENT_GONE, details={"document_id": document_id[:128]})
        paths.append(doc_paths.document(uid, course_id, document_id))
    return paths


def require_documents(snaps: Sequence[Snapshot | None], document_ids: Sequence[str]) -> None:
    """404 naming the first cited document that ``snaps`` (read from
    ``document_paths``, in order) did not find."""
    for document_id, snap in zip(document_ids, snaps, strict=True):
        if snap is None:
            raise NotFound(DOCUMENT_GONE, details={"document_id": document_id})
