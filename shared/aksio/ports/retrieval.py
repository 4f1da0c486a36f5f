"""Retrieval port: the passages of a course that best answer a query.

The embedded adapter is lexical (BM25, ``aksio.adapters.bm25_retriever``);
production embeds passages with OpenAI and queries Firestore vector search
(``aksio.adapters.vector_retriever``). Passages themselves live in the
document store at ``users/{uid}/courses/{course_id}/chunks/{chunk_id}``;
a retriever returns ids and scores, so a search costs a bounded number of
document reads (one per hit), never one per chunk of the course.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class CourseScope:
    uid: str
    course_id: str

    @property
    def chunks_path(self) -> str:
        return f"users/{self.uid}/courses/{self.course_id}/chunks"


@dataclass(frozen=True)
class Passage:
    chunk_id: str
    document_id: str
    text: str
    page: int
    heading: str | None = None


@dataclass(frozen=True)
class Hit:
    chunk_id: str
    document_id: str
    score: float


class Retriever(Protocol):
    def index_document(
        self, scope: CourseScope, document_id: str, passages: Sequence[Passage]
    ) -> None:
        """Make ``passages`` searchable, replacing what the document had before."""
        ...

    def remove_document(self, scope: CourseScope, document_id: str) -> None: ...

    def remove_course(self, scope: CourseScope) -> None: ...

    def search(self, scope: CourseScope, query: str, limit: int = 5) -> list[Hit]: ...
