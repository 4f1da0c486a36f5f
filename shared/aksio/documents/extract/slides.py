"""PPTX with python-pptx: one page per slide.

The title placeholder is a level-1 heading; other text frames, tables and
groups are body text in reading order (top to bottom, then left to right);
speaker notes follow as body text, since lecturers often explain there
what the slide only lists. Footers, dates and slide numbers are noise.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import Any

from aksio.documents.extract.common import (
    Progress,
    body,
    clean_inline,
    compact,
    heading,
    too_many_pages,
)
from aksio.documents.model import Block, Extraction, ExtractionLimits, Page


def extract_pptx(data: bytes, limits: ExtractionLimits, progress: Progress) -> Extraction:
    from pptx import Presentation

    prs = Presentation(io.BytesIO(data))
    slides = list(prs.slides)
    if len(slides) > limits.max_pages:
        raise too_many_pages(len(slides), limits.max_pages, unit="slides")
    progress.set_total(len(slides))
    pages = []
    for number, slide in enumerate(slides, start=1):
        pages.append(Page(number, compact(_slide_blocks(slide))))
        progress.step(number)
    title = clean_inline(prs.core_properties.title or "") or None
    return Extraction(kind="pptx", pages=tuple(pages), title=title)


def _slide_blocks(slide: Any) -> Iterator[Block | None]:
    title_shape = slide.shapes.title
    if title_shape is not None and title_shape.has_text_frame:
        yield heading(title_shape.text_frame.text, 1)
    for shape in _in_reading_order(slide.shapes):
        if title_shape is not None and shape.shape_id == title_shape.shape_id:
            continue
        yield from _shape_blocks(shape)
    if slide.has_notes_slide:
        notes = slide.notes_slide.notes_text_frame
        if notes is not None:
            yield body(notes.text)


def _in_reading_order(shapes: Iterable[Any]) -> list[Any]:
    return sorted(shapes, key=lambda s: (s.top or 0, s.left or 0))


def _shape_blocks(shape: Any) -> Iterator[Block | None]:
    from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER

    if shape.is_placeholder and shape.placeholder_format.type in (
        PP_PLACEHOLDER.FOOTER,
        PP_PLACEHOLDER.DATE,
        PP_PLACEHOLDER.SLIDE_NUMBER,
    ):
        return
    if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
        for inner in _in_reading_order(shape.shapes):
            yield from _shape_blocks(inner)
    elif getattr(shape, "has_table", False) and shape.has_table:
        rows = (
            " | ".join(t for t in (clean_inline(c.text) for c in row.cells) if t)
            for row in shape.table.rows
        )
        yield body("\n".join(rows))
    elif shape.has_text_frame:
        yield body(shape.text_frame.text)
