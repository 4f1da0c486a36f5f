"""DOCX with python-docx: paragraphs and tables in document order.

Headings come from paragraph styles ("Heading 1".."Heading 9", and "Title"
as level 1), following a custom style's base styles so "My Heading" built
on "Heading 2" still counts. DOCX has no fixed pages (layout is the
reader's job), so pages come from the breaks the file records: Word's own
"last rendered" page breaks when it saved them (its pagination at the last
save), else the author's explicit page breaks, else everything is page 1.
"""

from __future__ import annotations

import io
import re
from typing import Any

from aksio.documents.extract.common import Progress, body, clean_inline, heading, too_many_pages
from aksio.documents.model import Block, Extraction, ExtractionLimits, Page

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_STYLE = re.compile(r"^heading\s*([1-9])$", re.I)
_MAX_STYLE_DEPTH = 8


def extract_docx(data: bytes, limits: ExtractionLimits, progress: Progress) -> Extraction:
    import docx
    from docx.table import Table

    document = docx.Document(io.BytesIO(data))
    body_el = document.element.body
    rendered = bool(body_el.xpath(".//w:lastRenderedPageBreak"))
    items = list(document.iter_inner_content())
    progress.set_total(len(items))
    pages: list[list[Block]] = [[]]
    title = clean_inline(document.core_properties.title or "") or None
    for done, item in enumerate(items, start=1):
        if isinstance(item, Table):
            block = body(_table_text(item))
            if block is not None:
                pages[-1].append(block)
        else:
            level = _heading_level(item.style)
            if level == 0 and title is None:
                title = clean_inline(item.text) or None
            for n, segment in enumerate(_segments(item._p, rendered)):
                if n:  # a page break inside (or before) this paragraph
                    pages.append([])
                    if len(pages) > limits.max_pages:
                        raise too_many_pages(len(pages), limits.max_pages)
                block = heading(segment, max(level, 1)) if level is not None else body(segment)
                if block is not None:
                    pages[-1].append(block)
        progress.step(done)
    return Extraction(
        kind="docx",
        pages=tuple(Page(n, tuple(blocks)) for n, blocks in enumerate(pages, start=1)),
        title=title,
    )


def _heading_level(style: Any) -> int | None:
    """0 for the Title style, 1-9 for headings, None for body text."""
    for _ in range(_MAX_STYLE_DEPTH):
        if style is None:
            return None
        name = str(style.name or "").strip()
        if name.lower() == "title":
            return 0
        match = _HEADING_STYLE.match(name)
        if match:
            return int(match.group(1))
        style = style.base_style
    return None


def _segments(p: Any, rendered: bool) -> list[str]:
    """The paragraph's text split at page breaks, in document order. With
    rendered breaks, the explicit ones are ignored: Word renders each of them
    as a rendered break too, and counting both would double every page."""
    segments = [""]
    for el in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}lastRenderedPageBreak"):
        tag = el.tag[len(_W) :]
        if tag == "t":
            segments[-1] += el.text or ""
        elif tag == "tab":
            segments[-1] += " "
        elif tag == "cr":
            segments[-1] += "\n"
        elif tag == "br":
            if el.get(f"{_W}type") == "page":
                if not rendered:
                    segments.append("")
            else:
                segments[-1] += "\n"
        elif rendered:
            segments.append("")
    return segments


def _table_text(table: Any) -> str:
    """Rows as lines, cells joined by " | "; a merged cell appears once."""
    rows = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            text = clean_inline(cell.text.replace("\n", " "))
            if text:
                cells.append(text)
        if cells:
            rows.append(" | ".join(cells))
    return "\n".join(rows)
