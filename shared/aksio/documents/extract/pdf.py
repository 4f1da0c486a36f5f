"""PDF text with pypdfium2 (PDFium: Apache/BSD, fast, no AGPL code).

Page by page: each page and its text page are closed as soon as their
lines are read, so memory stays flat however long the document is (only
the text is kept: about 2 MB for a 500-page book). Lines keep the position
and size of their first character; ``pdf_layout`` turns them into headings
and paragraphs once all pages are read (running headers show only across
pages).
"""

from __future__ import annotations

import re
import threading
from typing import Any

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]

from aksio.documents.extract.common import Progress, clean_inline, too_many_pages
from aksio.documents.extract.pdf_layout import (
    Fonts,
    Line,
    blocks,
    running_lines,
    without_running,
)
from aksio.documents.model import (
    Extraction,
    ExtractionFailed,
    ExtractionLimits,
    OutlineEntry,
    Page,
)

# PDFium is not thread-safe, and gen2 instances may serve concurrent events.
_PDFIUM_LOCK = threading.Lock()
_MAX_OUTLINE = 5000
_EOF_WINDOW = 2048
_LINE = re.compile(r"[^\r\n]+")
_PAGE_NUMBER = re.compile(r"^(page\s+)?(\d{1,4}|[ivxlc]{1,6})(\s*(/|of)\s*\d{1,4})?$", re.I)

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
    texts: list[list[Line]] = []  # all pages first: running headers show across pages
    for index in range(count):
        texts.append(_page_lines(pdf, index))
        progress.step(index + 1)
    empty = sum(1 for lines in texts if not lines)
    running = running_lines(texts, keep=[e.title for e in outline])
    fonts = None if outline else Fonts.of(texts)
    pages = [
        Page(n, blocks(without_running(lines, running), by_page.get(n, []), fonts))
        for n, lines in enumerate(texts, start=1)
    ]
    return Extraction(
        kind="pdf",
        pages=tuple(pages),
        outline=outline,
        title=_title(pdf),
        warnings=_warnings(empty, count),
    )


def _page_lines(pdf: pdfium.PdfDocument, index: int) -> list[Line]:
    page = pdf[index]
    try:
        textpage = page.get_textpage()
        try:
            text: str = textpage.get_text_range()
            lines = [_line(textpage, match) for match in _LINE.finditer(text)]
        finally:
            textpage.close()
    finally:
        page.close()
    lines = [line for line in lines if line.text]
    # running page numbers are noise in a passage
    while lines and _PAGE_NUMBER.match(lines[-1].text):
        lines.pop()
    while lines and _PAGE_NUMBER.match(lines[0].text):
        lines.pop(0)
    return lines


def _line(textpage: Any, match: re.Match[str]) -> Line:
    """A line of the page's text, with the box of its first character when
    PDFium maps it back (checked: the mapped character must be that one)."""
    raw = match.group()
    text = clean_inline(raw)
    indent = len(raw) - len(raw.lstrip())
    if not text or indent >= len(raw):
        return Line(text)
    char = pdfium_c.FPDFText_GetCharIndexFromTextIndex(textpage, match.start() + indent)
    if char < 0 or pdfium_c.FPDFText_GetUnicode(textpage, char) != ord(raw[indent]):
        return Line(text)
    try:
        _, bottom, _, top = textpage.get_charbox(char, loose=True)
    except pdfium.PdfiumError:
        return Line(text)
    return Line(text, float(bottom), float(top - bottom))


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
