"""Chunks: within a section, with pages and headings, sized, overlapping, deterministic."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from aksio.documents.chunking import chunk, split_sentences
from aksio.documents.extract import extract
from aksio.documents.model import Block, Extraction, Page
from tests.factories import files


def _doc(*pages: list[Block]) -> Extraction:
    return Extraction("pdf", tuple(Page(n, tuple(b)) for n, b in enumerate(pages, start=1)))


def _sentence(n: int, words: int = 10) -> str:
    return " ".join([f"Word{n}"] + ["filler"] * (words - 2) + ["end."])


def _para(start: int, sentences: int, words: int = 10) -> str:
    return " ".join(_sentence(start + i, words) for i in range(sentences))


def test_realistic_pdf_chunks() -> None:
    chunks = chunk(extract(files.textbook_pdf(6), filename="book.pdf"))
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert chunks[0].page == 1 and chunks[0].heading == "Chapter 1: Cells and Energy"
    assert {c.heading for c in chunks if c.page == 2} == {"1.1 Key ideas, part 1"}
    assert all(30 <= c.word_count <= 300 for c in chunks)
    assert all(c.word_count == len(c.text.split()) for c in chunks)
    assert chunks == chunk(extract(files.textbook_pdf(6), filename="book.pdf"))


def test_never_crosses_a_heading_and_heading_carries_across_pages() -> None:
    doc = _doc(
        [Block("Osmosis", 1), Block(_para(0, 3))],
        [Block(_para(10, 3))],  # no heading on page 2: still under "Osmosis"
        [Block("Diffusion", 1), Block(_para(20, 3))],
    )
    chunks = chunk(doc)
    assert [(c.heading, c.page) for c in chunks] == [("Osmosis", 1), ("Diffusion", 3)]
    assert "Word10" in chunks[0].text and "Word20" not in chunks[0].text


def test_text_before_any_heading_has_none() -> None:
    chunks = chunk(_doc([Block(_para(0, 2)), Block("Later", 2), Block(_para(5, 2))]))
    assert [c.heading for c in chunks] == [None, "Later"]


def test_long_paragraph_splits_at_sentences_with_overlap() -> None:
    doc = _doc([Block("H", 1), Block(_para(0, 60))])  # 600 words in one paragraph
    chunks = chunk(doc, target_words=180, max_words=300, overlap_words=30)
    assert len(chunks) >= 3
    for c in chunks:
        assert c.text.startswith("Word") and c.text.endswith("end.")  # whole sentences
        assert c.word_count <= 300
    # each chunk after the first starts with the last sentences of the one before
    for before, after in itertools.pairwise(chunks):
        first_sentence = split_sentences(after.text)[0]
        assert first_sentence in before.text
    joined = " ".join(c.text for c in chunks)
    assert all(f"Word{i} " in joined for i in range(60))


def test_page_is_where_the_chunk_starts() -> None:
    doc = _doc([Block("H", 1), Block(_para(0, 10))], [Block(_para(100, 15))])
    chunks = chunk(doc)
    # a new page is a good place to end a passage that is big enough
    assert [(c.page, c.word_count) for c in chunks] == [(1, 100), (2, 180)]
    # the second repeats the last sentences of the first, yet it is page 2's passage
    overlap = " ".join(_sentence(n) for n in (7, 8, 9))  # 30 words: overlap_words
    assert chunks[1].text.startswith(overlap + "\n\nWord100 ")


def test_tiny_paragraphs_merge() -> None:
    doc = _doc([Block("H", 1)] + [Block(f"Point {i} is short.") for i in range(12)])
    chunks = chunk(doc)
    assert len(chunks) == 1
    assert chunks[0].text.count("\n\n") == 11


def test_tiny_last_piece_merges_into_the_previous_chunk() -> None:
    doc = _doc([Block("H", 1), Block(_para(0, 18)), Block("A short closing remark.")])
    chunks = chunk(doc)
    assert len(chunks) == 1
    assert chunks[0].text.endswith("\n\nA short closing remark.")


def test_a_giant_sentence_is_cut_into_windows() -> None:
    doc = _doc([Block(" ".join(["word"] * 1000))])
    chunks = chunk(doc)
    assert all(c.word_count <= 300 for c in chunks)
    assert sum(c.word_count for c in chunks) >= 1000


def test_table_rows_keep_their_lines() -> None:
    doc = _doc([Block("Term | Definition\nOsmosis | Water through a membrane")])
    assert chunk(doc)[0].text == "Term | Definition\nOsmosis | Water through a membrane"


def test_empty_and_heading_only() -> None:
    assert chunk(_doc()) == []
    assert chunk(_doc([Block("Only a title", 1)])) == []


def test_sentence_splitting() -> None:
    assert split_sentences("Mendel (e.g. in 1866) bred peas. J. S. Mill agreed. 3 more.") == [
        "Mendel (e.g. in 1866) bred peas.",
        "J. S. Mill agreed.",
        "3 more.",
    ]
    assert split_sentences("The value is 3.5 units. next is lowercase.") == [
        "The value is 3.5 units. next is lowercase."
    ]


@settings(derandomize=True, max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(
            st.one_of(
                st.tuples(st.just(None), st.integers(1, 80), st.integers(3, 40)),
                st.tuples(st.integers(1, 3), st.just(1), st.just(3)),
            ),
            max_size=6,
        ),
        max_size=6,
    )
)
def test_properties(pages: list[list[tuple[int | None, int, int]]]) -> None:
    counter = iter(range(10**6))
    built: list[list[Block]] = []
    for page in pages:
        blocks = []
        for level, sentences, words in page:
            if level is None:
                text = " ".join(_sentence(next(counter), words) for _ in range(sentences))
                blocks.append(Block(text))
            else:
                blocks.append(Block(f"Heading {next(counter)}", level))
        built.append(blocks)
    doc = _doc(*built)
    chunks = chunk(doc)
    assert chunks == chunk(doc)
    assert all(0 < c.word_count <= 300 for c in chunks)
    assert [c.page for c in chunks] == sorted(c.page for c in chunks)
    # every body sentence lands in a chunk under its own heading
    heading: str | None = None
    for number, blocks in enumerate(built, start=1):
        for block in blocks:
            if block.heading_level is not None:
                heading = block.text
                continue
            for sentence in split_sentences(block.text):
                assert any(sentence in c.text and c.heading == heading for c in chunks)
                assert any(c.page <= number for c in chunks if sentence in c.text)
