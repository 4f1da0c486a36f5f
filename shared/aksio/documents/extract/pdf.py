"""PDF text with pypdfium2 (PDFium: Apache/BSD, fast, no AGPL code).

Page by page: each page and its text page are closed as soon as their text
is read, so memory stays flat however long the document is. PDF has no
paragraphs or headings, only positioned lines; we rebuild paragraphs from
line lengths and end punctuation, and headings from the outline (the
bookmarks name the headings and the pages they are on) or, without one,
from unmistakable numbered or "Chapter N" lines.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]

from aksio.documents.extract.common import (
    Progress,
    clean_inline,
    guess_heading_level,
    too_many_pages,
)
from aksio.documents.model import (
    Block,
    Extraction,
    ExtractionFailed,
    ExtractionLimits,
    OutlineEntry,
    Page,
)

# PDFium is not thread-safe, and gen2 instances may serve concurrent events.
_PDFIUM_LOCK = threading.Lock()
_MAX_OUTLINE = 5000
_MAX_HEADING_LINES = 3  # a long outline title may wrap over this many lines
_EOF_WINDOW = 2048
_SENTENCE_END = re.compile(r"[.!?:;][\"'\u201d\u2019)\]]*$")
_BULLET = re.compile(r"^([\u2022\u25aa\u25cf\u2013\u2014*-]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s")
_PAGE_NUMBER = re.compile(r"^(page\s+)?(\d{1,4}|[ivxlc]{1,6})(\s*(/|of)\s*\d{1,4})?$", re.I)
_HYPHENATED = re.compile(r"[^\W\d_]-$")
_EDGE_NUMBER = re.compile(r"^\d+(?=\s)|(?<=\s)\d+$")
_EDGE_LINES = 2  # lines at the top and at the bottom of a page that may be running
_RUNNING_MIN_PAGES = 4
_RUNNING_SHARE = 0.3  # on at least this share of pages: a running header or footer

SCANNED_WARNING = (
    "This PDF has no text layer (it looks scanned), so there is nothing to search or "
    "study from. Run it through text recognition (OCR) and upload the result."
)


def extract_pdf(data: bytes, limits: ExtractionLimits, progress: Progress) -> Extraction:
    if b"%%EOF" not in data[-_EOF_WINDOW:]:
        # PDFium would quietly rebuild what it can; a student should know.
        raise ExtractionFailed(
            "This PDF is incomplete (it looks truncated). Upload the full file again."
        )
    with _PDFIUM_LOCK:
        pdf = _open(data)
        try:
            return _read(pdf, limits, progress)
        finally:
            pdf.close()


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise ExtractionFailed(
                "This PDF is password-protected. Remove the password and upload it again."
            ) from exc
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise ExtractionFailed(
                "This PDF uses an encryption we cannot open. Save an unprotected copy and "
                "upload it again."
            ) from exc
        raise ExtractionFailed("This PDF is damaged and cannot be read.") from exc


def _read(pdf: pdfium.PdfDocument, limits: ExtractionLimits, progress: Progress) -> Extraction:
    count = len(pdf)
    if count > limits.max_pages:
        raise too_many_pages(count, limits.max_pages)
    progress.set_total(count)
    outline = _outline(pdf, count)
    by_page: dict[int, list[OutlineEntry]] = {}
    for entry in outline:
        if entry.page is not None:
            by_page.setdefault(entry.page, []).append(entry)
    texts: list[list[str]] = []  # all lines first: running headers show only across pages
    for index in range(count):
        texts.append(_page_lines(pdf, index))
        progress.step(index + 1)
    empty = sum(1 for lines in texts if not lines)
    titles = frozenset(_edge_key(e.title) for e in outline)  # a heading is never "running"
    running = _running_lines(texts) - titles
    pages: list[Page] = []
    for index, lines in enumerate(texts):
        kept = _without_running(lines, running)
        pages.append(Page(index + 1, _blocks(kept, by_page.get(index + 1, []), guess=not outline)))
    return Extraction(
        kind="pdf",
        pages=tuple(pages),
        outline=outline,
        title=_title(pdf),
        warnings=_warnings(empty, count),
    )


def _page_lines(pdf: pdfium.PdfDocument, index: int) -> list[str]:
    page = pdf[index]
    try:
        textpage = page.get_textpage()
        try:
            text: str = textpage.get_text_bounded()
        finally:
            textpage.close()
    finally:
        page.close()
    lines = [clean_inline(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    # running page numbers are noise in a passage
    while lines and _PAGE_NUMBER.match(lines[-1]):
        lines.pop()
    while lines and _PAGE_NUMBER.match(lines[0]):
        lines.pop(0)
    return lines


def _edge_key(line: str) -> str:
    """A header or footer line with the page number at either end masked:
    "12 Cells" ~ "14 Cells", but "1.1 Cells" and "2.1 Cells" stay apart."""
    return _EDGE_NUMBER.sub("#", line.casefold())


def _running_lines(texts: Sequence[Sequence[str]]) -> frozenset[str]:
    """Keys of lines that open or close many pages: running headers and
    footers ("Chapter 3. Markets    57"), noise glued into every passage."""
    if len(texts) < _RUNNING_MIN_PAGES:
        return frozenset()
    counts: Counter[str] = Counter()
    for lines in texts:
        edges = {_edge_key(line) for line in (*lines[:_EDGE_LINES], *lines[-_EDGE_LINES:])}
        counts.update(edges)
    needed = max(_RUNNING_MIN_PAGES, int(len(texts) * _RUNNING_SHARE))
    return frozenset(key for key, n in counts.items() if n >= needed)


def _without_running(lines: list[str], running: frozenset[str]) -> list[str]:
    if not running:
        return lines
    head = 0
    while head < min(_EDGE_LINES, len(lines)) and _edge_key(lines[head]) in running:
        head += 1
    tail = len(lines)
    while tail > max(head, len(lines) - _EDGE_LINES) and _edge_key(lines[tail - 1]) in running:
        tail -= 1
    return lines[head:tail]


def _outline(pdf: pdfium.PdfDocument, count: int) -> tuple[OutlineEntry, ...]:
    entries: list[OutlineEntry] = []
    for bookmark in pdf.get_toc(max_depth=6):
        title = clean_inline(bookmark.get_title() or "")
        if not title:
            continue
        dest = bookmark.get_dest()
        index = dest.get_index() if dest is not None else None
        page = index + 1 if isinstance(index, int) and 0 <= index < count else None
        entries.append(OutlineEntry(title, bookmark.level + 1, page))
        if len(entries) >= _MAX_OUTLINE:  # a hostile outline must not grow without end
            break
    return tuple(entries)


def _title(pdf: pdfium.PdfDocument) -> str | None:
    title = clean_inline(pdf.get_metadata_value("Title") or "")
    if not title or title.lower() in {"untitled", "title", "document"}:
        return None
    return title[:300]


def _warnings(empty: int, count: int) -> tuple[str, ...]:
    if count and empty == count:
        return (SCANNED_WARNING,)
    if empty and empty * 5 >= count:
        return (
            f"{empty} of {count} pages have no text layer (they look scanned); their "
            "content cannot be searched or studied from.",
        )
    return ()


def _key(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


@dataclass
class _Para:
    lines: list[str]

    def add(self, line: str) -> None:
        if self.lines and _HYPHENATED.search(self.lines[-1]) and line[:1].islower():
            self.lines[-1] = self.lines[-1][:-1] + line  # re-join a word split at the margin
        else:
            self.lines.append(line)

    def text(self) -> str:
        return " ".join(self.lines)


def _blocks(
    lines: Sequence[str], entries: Sequence[OutlineEntry], *, guess: bool
) -> tuple[Block, ...]:
    """Lines of one page as headings and paragraphs."""
    wanted = {_key(e.title): e.level for e in entries if _key(e.title)}
    full = max((len(line) for line in lines), default=0)
    blocks: list[Block] = []
    para = _Para([])

    def flush() -> None:
        if para.lines:
            blocks.append(Block(para.text()))
            para.lines = []

    i = 0
    while i < len(lines):
        matched = _heading_at(lines, i, wanted)
        if matched is None and guess and not para.lines:
            level = guess_heading_level(lines[i])
            if level is not None and len(lines[i]) < full * 0.8:
                matched = (1, level)
        if matched is not None:
            flush()
            taken, level = matched
            blocks.append(Block(" ".join(lines[i : i + taken]), heading_level=level))
            i += taken
            continue
        line = lines[i]
        if _BULLET.match(line):
            flush()
        para.add(line)
        # a short line that ends a sentence ends its paragraph
        if _SENTENCE_END.search(line) and len(line) < full * 0.85:
            flush()
        i += 1
    flush()
    return tuple(blocks)


def _heading_at(lines: Sequence[str], i: int, wanted: dict[str, int]) -> tuple[int, int] | None:
    """(lines taken, level) when lines[i:] start with an outline title of this page."""
    if not wanted:
        return None
    key = ""
    for taken in range(1, _MAX_HEADING_LINES + 1):
        if i + taken > len(lines):
            return None
        key += _key(lines[i + taken - 1])
        if key in wanted:
            return taken, wanted.pop(key)  # a title marks one heading, not every repeat
        if not any(w.startswith(key) for w in wanted):
            return None
    return None
