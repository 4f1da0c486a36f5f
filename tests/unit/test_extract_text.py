"""Markdown, plain text and HTML: one page each, structure kept, markup gone."""

from __future__ import annotations

from aksio.documents.extract import extract
from tests.factories import files


def _blocks(data: bytes, name: str) -> list[tuple[str, int | None]]:
    result = extract(data, filename=name)
    assert len(result.pages) == 1
    return [(b.text, b.heading_level) for b in result.pages[0].blocks]


def test_markdown() -> None:
    assert _blocks(files.markdown(), "notes.md") == [
        ("Cells and Energy", 1),
        ("Intro with bold, emphasis, code and a link.", None),
        ("Membranes", 2),
        (files.paragraph(1), None),
        ("first point\nsecond point", None),
        ("# not a heading\nx = 1", None),
        ("The Industrial Revolution", 1),
        (files.paragraph(2), None),
        ("diagram of a steam engine", None),
    ]


def test_markdown_setext_headings_and_title() -> None:
    result = extract(b"Cell Biology\n============\n\nBody.\n\nPart A\n------\n", filename="a.md")
    assert [(b.text, b.heading_level) for b in result.pages[0].blocks] == [
        ("Cell Biology", 1),
        ("Body.", None),
        ("Part A", 2),
    ]
    assert result.title == "Cell Biology"


def test_plain_text_paragraphs_and_chapter_lines() -> None:
    blocks = _blocks(files.text(), "book.txt")
    assert blocks[0] == ("CHAPTER I", 1)
    assert blocks[1] == (files.paragraph(3) + " wrapped on a second line.", None)
    assert blocks[3] == ("CHAPTER II", 1)
    assert len(blocks) == 5


def test_crlf_and_bom() -> None:
    data = "\ufeffFirst line\r\nsame paragraph.\r\n\r\nSecond.".encode()
    assert _blocks(data, "a.txt") == [("First line same paragraph.", None), ("Second.", None)]


def test_html_headings_body_and_no_chrome() -> None:
    result = extract(files.html(), filename="page.html")
    assert result.title == "Lecture 4 & notes"
    blocks = [(b.text, b.heading_level) for b in result.pages[0].blocks]
    assert blocks == [
        ("Markets and Prices", 1),
        (files.paragraph(6), None),
        ("Supply & demand", 2),
        ("Prices move when\nsupply changes.", None),
        ("first", None),
        ("second", None),
        ("Good | Price", None),
    ]
    text = " ".join(b for b, _ in blocks)
    assert "never shown" not in text and "color" not in text and "Menu item" not in text


def test_html_without_head_or_with_unclosed_tags() -> None:
    data = b"<h2>Osmosis<p>Water moves.<div>More text"
    assert _blocks(data, "x.html") == [("Osmosis", 2), ("Water moves.", None), ("More text", None)]
