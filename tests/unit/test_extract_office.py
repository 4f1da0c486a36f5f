"""DOCX and PPTX, and the archive checks that run before their parsers."""

from __future__ import annotations

import time

import pytest

from aksio.documents.extract import extract
from aksio.documents.model import ExtractionFailed, ExtractionLimits
from tests.factories import files


def test_docx_headings_body_and_tables_in_order() -> None:
    result = extract(files.docx(), filename="notes.docx")
    assert result.kind == "docx"
    assert result.title == "Lecture Notes"
    assert len(result.pages) == 1  # no breaks in the file: DOCX has no pages of its own
    blocks = result.pages[0].blocks
    assert [(b.text, b.heading_level) for b in blocks[:3]] == [
        ("Lecture Notes", 1),
        ("Cells and Energy", 1),
        ("Overview of cells and energy", 2),
    ]
    assert blocks[3].text == files.paragraph(0)
    assert "Term | Definition\nOsmosis | Diffusion of water through a membrane" in [
        b.text for b in blocks
    ]


def test_docx_explicit_page_breaks_make_pages() -> None:
    result = extract(files.docx(page_break_between_chapters=True), filename="n.docx")
    assert [p.blocks[0].text for p in result.pages] == [
        "Lecture Notes",
        "The Industrial Revolution",
        "Markets and Prices",
    ]


def test_docx_page_limit() -> None:
    with pytest.raises(ExtractionFailed, match="3 pages"):
        extract(
            files.docx(page_break_between_chapters=True),
            filename="n.docx",
            limits=ExtractionLimits(max_pages=2),
        )


def test_docx_custom_style_based_on_a_heading() -> None:
    import io

    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE

    doc = Document()
    style = doc.styles.add_style("Chapter Heading", WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Heading 1"]
    doc.add_paragraph("Osmosis", style="Chapter Heading")
    doc.add_paragraph("Water moves across membranes.")
    buf = io.BytesIO()
    doc.save(buf)
    blocks = extract(buf.getvalue(), filename="c.docx").pages[0].blocks
    assert [(b.text, b.heading_level) for b in blocks] == [
        ("Osmosis", 1),
        ("Water moves across membranes.", None),
    ]


def test_pptx_one_page_per_slide_title_heading_and_notes() -> None:
    result = extract(files.pptx(), filename="deck.pptx")
    assert result.kind == "pptx"
    assert len(result.pages) == 3
    first = result.pages[0].blocks
    assert (first[0].text, first[0].heading_level) == ("Cells and Energy", 1)
    assert first[1].text == "\n".join(files.sentences(3, 0))
    assert first[-1].text == "Remind the class about slide 1."


def test_pptx_slide_limit() -> None:
    with pytest.raises(ExtractionFailed, match="3 slides"):
        extract(files.pptx(), filename="d.pptx", limits=ExtractionLimits(max_pages=2))


def test_docx_zip_bomb_is_refused_quickly_without_inflating() -> None:
    bomb = files.docx_zip_bomb()
    start = time.perf_counter()
    with pytest.raises(ExtractionFailed, match="zip bomb"):
        extract(bomb, filename="bomb.docx")
    assert time.perf_counter() - start < 0.5


def test_high_ratio_under_the_size_limit_is_refused_too() -> None:
    bomb = files.docx_zip_bomb(20 * 1024 * 1024)  # 20 MB of spaces: ratio far above 200
    with pytest.raises(ExtractionFailed, match="zip bomb"):
        extract(bomb, filename="bomb.docx")


@pytest.mark.parametrize("name", ["../evil.xml", "/abs/path.xml", "word/..\\..\\x.xml", "C:evil"])
def test_unsafe_paths_are_refused(name: str) -> None:
    with pytest.raises(ExtractionFailed, match="unsafe file paths"):
        extract(files.zip_with_entries(["word/document.xml", name]), filename="x.docx")


def test_too_many_entries() -> None:
    names = [f"word/media/{i}.xml" for i in range(50)]
    with pytest.raises(ExtractionFailed, match="parts"):
        extract(
            files.zip_with_entries(names),
            filename="x.docx",
            limits=ExtractionLimits(max_zip_entries=20),
        )


def test_docx_shaped_zip_without_a_document_is_damaged_not_a_crash() -> None:
    with pytest.raises(ExtractionFailed, match="damaged"):
        extract(files.zip_with_entries(["word/document.xml"]), filename="x.docx")
