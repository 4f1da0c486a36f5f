"""Document facts: counts, language, proposed sections."""

from __future__ import annotations

from aksio.documents.extract import extract
from aksio.documents.facts import facts, propose_sections
from aksio.documents.model import Block, Extraction, OutlineEntry, Page
from tests.factories import files

NORWEGIAN = (
    "Cellemembranen kontrollerer hvilke stoffer som kommer inn i og ut av cellen. "
    "Mitokondriene omdanner energien i glukose til en form cellen kan bruke. "
    "Studenter husker mer når de tester seg selv enn når de leser notatene på nytt. "
)


def _doc(
    blocks: list[Block], outline: tuple[OutlineEntry, ...] = (), title: str | None = None
) -> Extraction:
    return Extraction("docx", (Page(1, tuple(blocks)),), outline=outline, title=title)


def test_pdf_facts() -> None:
    result = facts(extract(files.textbook_pdf(7), filename="book.pdf"))
    assert result.page_count == 7
    assert result.language == "en"
    assert result.proposed_sections == (
        "Chapter 1: Cells and Energy",
        "Chapter 2: The Industrial Revolution",
        "Chapter 3: Markets and Prices",
    )
    expected = sum(
        len(t.split()) for p in files.textbook_pages(7) for t in [p.heading or "", *p.paragraphs]
    )
    assert result.word_count == expected


def test_language_of_another_language() -> None:
    assert facts(_doc([Block(NORWEGIAN * 3)])).language == "no"


def test_too_little_text_has_no_language() -> None:
    assert facts(_doc([Block("Osmosis and diffusion.")])).language is None
    scanned = facts(extract(files.scanned_pdf(2), filename="scan.pdf"))
    assert (scanned.page_count, scanned.word_count, scanned.language) == (2, 0, None)


def test_sections_from_the_outline_skip_front_and_back_matter() -> None:
    outline = (
        OutlineEntry("Contents", 1, 2),
        OutlineEntry("1. Cells", 1, 3),
        OutlineEntry("1.1 Membranes", 2, 3),
        OutlineEntry("2. Energy", 1, 9),
        OutlineEntry("2. Energy", 1, 10),  # duplicate bookmark
        OutlineEntry("References", 1, 20),
        OutlineEntry("Index", 1, 22),
    )
    assert propose_sections(_doc([], outline)) == ("1. Cells", "2. Energy")


def test_a_single_top_outline_entry_is_the_book_use_the_next_level() -> None:
    outline = (
        OutlineEntry("Biology for Beginners", 1, 1),
        OutlineEntry("Cells", 2, 2),
        OutlineEntry("Energy", 2, 5),
    )
    assert propose_sections(_doc([], outline)) == ("Cells", "Energy")


def test_sections_from_headings_skip_the_title() -> None:
    blocks = [
        Block("Lecture Notes", 1),
        Block("Cells", 1),
        Block("Membranes", 2),
        Block("Energy", 1),
        Block("Table of Contents", 1),
    ]
    assert propose_sections(_doc(blocks, title="Lecture Notes")) == ("Cells", "Energy")


def test_sections_fall_back_to_a_lower_level_and_are_bounded() -> None:
    blocks = [Block("Only Chapter", 1)] + [Block(f"Topic {i}", 2) for i in range(80)]
    sections = propose_sections(_doc(blocks))
    assert len(sections) == 50 and sections[0] == "Topic 0"


def test_no_headings_no_sections() -> None:
    assert facts(extract(files.markdown(), filename="a.md")).proposed_sections == (
        "Cells and Energy",
        "The Industrial Revolution",
    )
    assert propose_sections(_doc([Block("Just text.")])) == ()
