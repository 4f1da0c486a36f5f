"""From a PDF page's lines to headings and paragraphs.

A PDF holds positioned lines, not paragraphs or headings. Each line comes
with the position and size of its first character (PDFium's loose char box:
the font's height, near enough to the font size), which is all we need:

- paragraphs end where the gap to the next line is clearly wider than the
  page's usual line pitch, or (no geometry) at a short line ending a sentence;
- headings are the outline's titles on their pages when the PDF has bookmarks,
  else lines set clearly larger than the body text (levels by size), else
  unmistakable "Chapter 3" / "2.4 Title" lines;
- running headers and footers (the same line opening or closing many pages)
  are dropped, so they are not glued into every passage.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from aksio.documents.extract.common import MAX_HEADING_WORDS, guess_heading_level
from aksio.documents.model import Block, OutlineEntry

_SENTENCE_END = re.compile(r"[.!?:;][\"'\u201d\u2019)\]]*$")
_BULLET = re.compile(r"^([\u2022\u25aa\u25cf\u2013\u2014*-]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s")
_HYPHENATED = re.compile(r"[^\W\d_]-$")
_EDGE_NUMBER = re.compile(r"^\d+(?=\s)|(?<=\s)\d+$")
_EDGE_LINES = 2  # lines at the top and at the bottom of a page that may be running
_RUNNING_MIN_PAGES = 4
_RUNNING_SHARE = 0.3  # on at least this share of pages: a running header or footer
_MAX_HEADING_LINES = 3  # a long title may wrap over this many lines
_PARAGRAPH_GAP = 1.4  # a pitch this many times the usual one is a paragraph break
_HEADING_SIZE = 1.15  # this many times the body size is a heading
_MAX_LEVELS = 6


@dataclass(frozen=True)
class Line:
    text: str
    bottom: float | None = None
    """Bottom of the first character's box, PDF units (y grows upwards)."""
    size: float | None = None
    """Height of the first character's loose box: the font size, near enough."""


@dataclass(frozen=True)
class Fonts:
    """The document's body text size and its larger (heading) sizes."""

    body: float | None = None
    headings: tuple[float, ...] = ()  # largest first: level 1, 2...

    @classmethod
    def of(cls, pages: Sequence[Sequence[Line]]) -> Fonts:
        sizes: Counter[float] = Counter()
        for lines in pages:
            for line in lines:
                if line.size is not None:  # by characters: headings are many but short
                    sizes[_rounded(line.size)] += len(line.text)
        if not sizes:
            return cls()
        body = sizes.most_common(1)[0][0]
        larger = {
            _rounded(line.size)
            for lines in pages
            for line in lines
            if line.size is not None
            and _rounded(line.size) >= body * _HEADING_SIZE
            and _could_be_heading(line.text)
        }
        return cls(body, tuple(sorted(larger, reverse=True)[:_MAX_LEVELS]))

    def level(self, line: Line) -> int | None:
        if line.size is None or not self.headings:
            return None
        size = _rounded(line.size)
        return self.headings.index(size) + 1 if size in self.headings else None


def _rounded(size: float) -> float:
    return round(size * 2) / 2


def _could_be_heading(text: str) -> bool:
    words = text.split()
    return 0 < len(words) <= MAX_HEADING_WORDS and not text.endswith((".", ",", ";"))


# -- running headers and footers -----------------------------------------------


def _edge_key(text: str) -> str:
    """A header or footer line with the page number at either end masked:
    "12 Cells" ~ "14 Cells", but "1.1 Cells" and "2.1 Cells" stay apart."""
    return _EDGE_NUMBER.sub("#", text.casefold())


def running_lines(pages: Sequence[Sequence[Line]], keep: Sequence[str] = ()) -> frozenset[str]:
    """Keys of lines that open or close many pages ("Chapter 3. Markets  57"),
    except those in ``keep`` (outline titles are headings, never running)."""
    if len(pages) < _RUNNING_MIN_PAGES:
        return frozenset()
    counts: Counter[str] = Counter()
    for lines in pages:
        edges = (*lines[:_EDGE_LINES], *lines[-_EDGE_LINES:])
        counts.update({_edge_key(line.text) for line in edges})
    needed = max(_RUNNING_MIN_PAGES, int(len(pages) * _RUNNING_SHARE))
    kept = {_edge_key(text) for text in keep}
    return frozenset(key for key, n in counts.items() if n >= needed and key not in kept)


def without_running(lines: list[Line], running: frozenset[str]) -> list[Line]:
    if not running:
        return lines
    head = 0
    while head < min(_EDGE_LINES, len(lines)) and _edge_key(lines[head].text) in running:
        head += 1
    tail = len(lines)
    while tail > max(head, len(lines) - _EDGE_LINES) and _edge_key(lines[tail - 1].text) in running:
        tail -= 1
    return lines[head:tail]


# -- paragraphs and headings ------------------------------------------------------


class _Para:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, text: str) -> None:
        if self.lines and _HYPHENATED.search(self.lines[-1]) and text[:1].islower():
            self.lines[-1] = self.lines[-1][:-1] + text  # re-join a word split at the margin
        else:
            self.lines.append(text)

    def take(self) -> str:
        text, self.lines = " ".join(self.lines), []
        return text


def blocks(
    lines: Sequence[Line], entries: Sequence[OutlineEntry], fonts: Fonts | None
) -> tuple[Block, ...]:
    """One page's lines as blocks. ``entries``: the outline's titles on this
    page; ``fonts``: None when the outline decides headings (an outline is
    the author's own list of them), else the document's sizes."""
    wanted = {_key(e.title): e.level for e in entries if _key(e.title)}
    full = max((len(line.text) for line in lines), default=0)
    pitch = _usual_pitch(lines)
    out: list[Block] = []
    para = _Para()

    def flush() -> None:
        if para.lines:
            out.append(Block(para.take()))

    i = 0
    while i < len(lines):
        found = _outline_heading(lines, i, wanted) or _styled_heading(lines, i, fonts, para)
        if found is not None:
            flush()
            taken, level = found
            out.append(Block(" ".join(line.text for line in lines[i : i + taken]), level))
            i += taken
            continue
        line = lines[i]
        if _BULLET.match(line.text) or (i and _gap_before(lines[i - 1], line, pitch)):
            flush()
        para.add(line.text)
        # a short line ending a sentence ends its paragraph (also without geometry)
        if _SENTENCE_END.search(line.text) and len(line.text) < full * 0.85:
            flush()
        i += 1
    flush()
    return tuple(out)


def _usual_pitch(lines: Sequence[Line]) -> float | None:
    pitches = [
        a.bottom - b.bottom
        for a, b in itertools.pairwise(lines)
        if a.bottom is not None and b.bottom is not None and a.bottom > b.bottom
    ]
    return statistics.median(pitches) if pitches else None


def _gap_before(before: Line, line: Line, pitch: float | None) -> bool:
    if pitch is None or before.bottom is None or line.bottom is None:
        return False
    step = before.bottom - line.bottom
    return step > pitch * _PARAGRAPH_GAP or step <= 0  # a wide gap, or a new column


def _outline_heading(
    lines: Sequence[Line], i: int, wanted: dict[str, int]
) -> tuple[int, int] | None:
    """(lines taken, level) when lines[i:] start with an outline title of this page."""
    key = ""
    for taken in range(1, _MAX_HEADING_LINES + 1):
        if not wanted or i + taken > len(lines):
            return None
        key += _key(lines[i + taken - 1].text)
        if key in wanted:
            return taken, wanted.pop(key)  # a title marks one heading, not every repeat
        if not any(w.startswith(key) for w in wanted):
            return None
    return None


def _styled_heading(
    lines: Sequence[Line], i: int, fonts: Fonts | None, para: _Para
) -> tuple[int, int] | None:
    if fonts is None:
        return None
    line = lines[i]
    if fonts.headings:  # sizes tell: larger lines are headings, wrapped ones joined
        level = fonts.level(line)
        if level is None or not _could_be_heading(line.text):
            return None
        taken = 1
        while (
            taken < _MAX_HEADING_LINES
            and i + taken < len(lines)
            and fonts.level(lines[i + taken]) == level
        ):
            taken += 1
        return taken, level
    if para.lines:  # one font size throughout: only unmistakable numbered lines
        return None
    level = guess_heading_level(line.text)
    return (1, level) if level is not None else None


def _key(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())
