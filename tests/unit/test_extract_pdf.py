"""PDF extraction with pypdfium2: pages, outline, headings, bad PDFs."""

from __future__ import annotations

import pytest
from aksio.documents.extract import extract
from aksio.documents.extract.pdf import SCANNED_WARNING
from aksio.documents.model import ExtractionFailed, ExtractionLimits

from tests.factories import files


def test_pages_headings_paragraphs_and_outline() -> None:
    result = extract(files.textbook_pdf(4), filename="book.pdf")
    assert result.kind == "pdf"
    assert result.title == "Introduction to Everything"
    assert [p.number for p in result.pages] == [1, 2, 3, 4]
    assert [(e.title, e.level, e.page) for e in result.outline] == [
        ("Chapter 1: Cells and Energy", 1, 1),
        ("1.1 Key ideas, part 1", 2, 2),
        ("1.2 Key ideas, part 2", 2, 3),
        ("Chapter 2: The Industrial Revolution", 1, 4),
    ]
    first = result.pages[0].blocks
    assert (first[0].text, first[0].heading_level) == ("Chapter 1: Cells and Energy", 1)
    assert result.pages[1].blocks[0].heading_level == 2
    # the four paragraphs drawn on the page come back as four body blocks,
    # with lines wrapped at the margin joined again
    body = [b for b in first if b.heading_level is None]
    expected = files.textbook_pages(4)[0].paragraphs
    assert [b.text for b in body] == list(expected)
    assert result.warnings == ()


def test_page_numbers_are_not_text() -> None:
    result = extract(files.textbook_pdf(2), filename="book.pdf")
    assert all(b.text != "2" for b in result.pages[1].blocks)


def test_running_headers_are_not_text() -> None:
    result = extract(
        files.textbook_pdf(6, running_header="Introduction to Everything"), filename="b.pdf"
    )
    text = " ".join(b.text for p in result.pages for b in p.blocks)
    assert "Introduction to Everything" not in text
    first = result.pages[0].blocks
    assert (first[0].text, first[0].heading_level) == ("Chapter 1: Cells and Energy", 1)
    assert first[1].text == files.textbook_pages(6)[0].paragraphs[0]


def test_without_outline_numbered_and_chapter_lines_are_headings() -> None:
    result = extract(files.textbook_pdf(3, outline=False), filename="book.pdf")
    assert result.outline == ()
    levels = [(b.text, b.heading_level) for p in result.pages for b in p.blocks if b.heading_level]
    assert levels == [
        ("Chapter 1: Cells and Energy", 1),
        ("1.1 Key ideas, part 1", 2),
        ("1.2 Key ideas, part 2", 2),
    ]


def test_progress_is_reported_up_to_done() -> None:
    seen: list[float] = []
    extract(files.textbook_pdf(12), filename="book.pdf", on_progress=seen.append)
    assert seen == sorted(seen)
    assert seen[-1] == 1.0
    assert len(seen) >= 2


def test_progress_callback_errors_are_the_callers() -> None:
    def boom(_: float) -> None:
        raise KeyError("caller bug")

    with pytest.raises(KeyError):
        extract(files.textbook_pdf(2), filename="book.pdf", on_progress=boom)


def test_password_protected() -> None:
    with pytest.raises(ExtractionFailed, match="This PDF is password-protected"):
        extract(files.encrypted_pdf(), filename="secret.pdf")


def test_truncated() -> None:
    with pytest.raises(ExtractionFailed, match="incomplete"):
        extract(files.truncated_pdf(), filename="cut.pdf")


def test_corrupt() -> None:
    data = b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"
    with pytest.raises(ExtractionFailed, match="damaged"):
        extract(data, filename="broken.pdf")


def test_scanned_pdf_is_empty_pages_with_a_warning() -> None:
    result = extract(files.scanned_pdf(2), filename="scan.pdf")
    assert len(result.pages) == 2
    assert all(p.blocks == () for p in result.pages)
    assert result.warnings == (SCANNED_WARNING,)
    assert result.warnings[0].startswith("This PDF has no text layer (it looks scanned)")


def test_too_many_pages() -> None:
    with pytest.raises(ExtractionFailed, match="5 pages; the most we can process is 4"):
        extract(files.textbook_pdf(5), filename="b.pdf", limits=ExtractionLimits(max_pages=4))


def test_too_big() -> None:
    data = files.textbook_pdf(1)
    with pytest.raises(ExtractionFailed, match="larger than"):
        extract(data, filename="b.pdf", limits=ExtractionLimits(max_bytes=len(data) - 1))


def test_hyphenated_line_ends_are_joined() -> None:
    from aksio.documents.extract.pdf import _blocks

    lines = ["The membrane controls which sub-", "stances enter and leave the cell."]
    assert _blocks(lines, [], guess=False)[0].text == (
        "The membrane controls which substances enter and leave the cell."
    )
