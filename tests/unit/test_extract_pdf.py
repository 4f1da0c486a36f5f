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


def test_without_outline_larger_lines_are_headings_by_size() -> None:
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
    from aksio.documents.extract.pdf_layout import Line, blocks

    lines = [Line("The membrane controls which sub-"), Line("stances enter and leave the cell.")]
    assert blocks(lines, [], None)[0].text == (
        "The membrane controls which substances enter and leave the cell."
    )


def test_layout_paragraph_breaks_from_line_gaps() -> None:
    from aksio.documents.extract.pdf_layout import Fonts, Line, blocks

    # a full last line ("...the cell.") would not end a paragraph by length;
    # the wider gap below it does
    lines = [
        Line("Enzymes lower the activation energy of reactions without being", 700, 12),
        Line("consumed, and they are specific to the shape of their substrate.", 686, 12),
        Line("Osmosis moves water across a membrane from low to high solute", 662, 12),
        Line("concentration until both sides hold the same concentration.", 648, 12),
    ]
    out = blocks(lines, [], Fonts.of([lines]))
    assert [b.text.split()[0] for b in out] == ["Enzymes", "Osmosis"]


def test_layout_wrapped_large_heading_is_one_heading() -> None:
    from aksio.documents.extract.pdf_layout import Fonts, Line, blocks

    lines = [
        Line("The Long Road to the", 760, 24),
        Line("Industrial Revolution", 732, 24),
        Line("Steam engines made it possible to build factories anywhere.", 700, 12),
        Line("Railways connected distant markets and cut costs for everyone.", 686, 12),
    ]
    out = blocks(lines, [], Fonts.of([lines]))
    assert (out[0].text, out[0].heading_level) == (
        "The Long Road to the Industrial Revolution",
        1,
    )
    assert len(out) == 2


def test_layout_one_font_size_only_numbered_lines_are_headings() -> None:
    from aksio.documents.extract.pdf_layout import Fonts, Line, blocks

    lines = [
        Line("2.4 Market Failure"),
        Line("Markets fail when prices leave out costs that others pay."),
        Line("3 percent of firms said so."),
    ]
    out = blocks(lines, [], Fonts.of([lines]))
    assert [(b.text, b.heading_level) for b in out] == [
        ("2.4 Market Failure", 2),
        (
            "Markets fail when prices leave out costs that others pay. 3 percent of firms said so.",
            None,
        ),
    ]
