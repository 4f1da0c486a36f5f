"""Small helpers every format's extractor shares: whitespace, blocks,
headings guessed from plain lines, and progress reporting."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from aksio.documents.model import Block, ExtractionFailed, ProgressCallback

# Ligatures PDF fonts emit as one glyph: split, so words match a query.
_LIGATURES = str.maketrans(
    {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"}
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00ad\ufffe\uffff\u200b]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u3000]+")
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+\S")
_NAMED = re.compile(
    r"^(chapter|part|book|section|unit|lecture|appendix|kapittel|del)\s+"
    r"([0-9]{1,3}|[ivxlc]{1,7}|[a-z]|one|two|three|four|five|six|seven|eight|nine|ten)\b",
    re.I,
)
MAX_HEADING_WORDS = 14


def clean_inline(text: str) -> str:
    """One line of text: NFC, no control characters, single spaces."""
    text = unicodedata.normalize("NFC", text.translate(_LIGATURES))
    return _SPACES.sub(" ", _CONTROL.sub("", text)).strip()


def clean_lines(text: str) -> str:
    """Text whose line breaks matter (table rows, bullets): each line cleaned,
    empty lines dropped."""
    lines = (clean_inline(line) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def body(text: str) -> Block | None:
    text = clean_lines(text)
    return Block(text) if text else None


def heading(text: str, level: int) -> Block | None:
    text = clean_inline(text.replace("\n", " "))
    return Block(text, heading_level=max(1, min(level, 9))) if text else None


def compact(blocks: Iterable[Block | None]) -> tuple[Block, ...]:
    return tuple(b for b in blocks if b is not None)


def guess_heading_level(line: str) -> int | None:
    """A heading level for a line of unstructured text (a PDF without an
    outline, a plain-text file), or None. Only the unmistakable shapes:
    "Chapter 3 ...", "Part II", "2.4 Market failure"; a false heading would
    cut passages apart, a missed one only loses a section proposal."""
    words = line.split()
    if not words or len(words) > MAX_HEADING_WORDS or line.endswith((".", ",", ";", ":")):
        return None
    if _NAMED.match(line):
        return 1
    numbered = _NUMBERED.match(line)
    if numbered and len(words) >= 2 and words[1][:1].isupper():
        return numbered.group(1).count(".") + 1
    return None


class Progress:
    """Calls the caller's progress callback at most every ``every`` steps.
    An exception the callback raises is the caller's, not the file's:
    it travels out as CallbackFailed so ``extract`` re-raises it unchanged
    instead of reporting a damaged file."""

    def __init__(self, callback: ProgressCallback | None, total: int, every: int = 10) -> None:
        self._callback = callback
        self._base_every = max(every, 1)
        self.set_total(total)

    def set_total(self, total: int) -> None:
        """Extractors learn the number of pages (slides, paragraphs) late.
        At most about 50 reports however long the file: each may be a write."""
        self._total = max(total, 1)
        self._every = max(self._base_every, self._total // 50)

    def step(self, done: int) -> None:
        if self._callback is not None and (done % self._every == 0 or done >= self._total):
            self.report(min(done / self._total, 1.0))

    def report(self, share: float) -> None:
        if self._callback is None:
            return
        try:
            self._callback(share)
        except Exception as exc:
            raise CallbackFailed(exc) from exc


class CallbackFailed(Exception):
    def __init__(self, error: Exception) -> None:
        super().__init__(repr(error))
        self.error = error


def too_many_pages(count: int, limit: int, unit: str = "pages") -> ExtractionFailed:
    return ExtractionFailed(
        f"This file has {count} {unit}; the most we can process is {limit}. "
        "Split it into smaller files and upload them separately."
    )
