"""What text extraction produces, independent of the file format.

A document is pages (slides) of blocks; a block is either a heading (with
its level) or body text. Chunking keeps each passage's page and the heading
it sits under; section proposals come from the outline or the headings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

DocumentKind = Literal["pdf", "docx", "pptx", "markdown", "text", "html"]

CONTENT_TYPES: dict[DocumentKind, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "markdown": "text/markdown",
    "text": "text/plain",
    "html": "text/html",
}


class ExtractionFailed(Exception):
    """The file cannot be read; ``reason`` is a sentence a student understands."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Block:
    text: str
    heading_level: int | None = None
    """1 for a top-level heading, 2 below it...; None for body text."""


@dataclass(frozen=True)
class Page:
    number: int
    """1-based page (or slide) number."""
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class OutlineEntry:
    title: str
    level: int
    page: int | None


@dataclass(frozen=True)
class Extraction:
    kind: DocumentKind
    pages: tuple[Page, ...]
    outline: tuple[OutlineEntry, ...] = ()
    title: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExtractionLimits:
    max_bytes: int = 100 * 1024 * 1024
    max_pages: int = 2000
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    """Zip-based formats (DOCX, PPTX): refuse archives that inflate past this."""
    max_compression_ratio: float = 200.0
    max_zip_entries: int = 10_000
    """Zip-based formats: a real DOCX or PPTX has tens to a few thousand parts."""


ProgressCallback = Callable[[float], None]
"""Called with the share done (0.0-1.0) while pages are extracted."""


@dataclass(frozen=True)
class Chunk:
    index: int
    page: int
    heading: str | None
    text: str
    word_count: int


@dataclass(frozen=True)
class DocumentFacts:
    page_count: int
    word_count: int
    language: str | None
    proposed_sections: tuple[str, ...] = field(default_factory=tuple)
