"""Passages for search and generation, cut from an extraction.

A passage never crosses a heading, so every passage is about one thing and
carries the nearest heading above it (carried across pages) and the page it
starts on, which is what a student needs to find it in the original.
Passages prefer to end at paragraph (then page) boundaries, split long
paragraphs between sentences, and repeat a sentence or two of the previous
passage of the same section (the overlap) so an idea cut at the boundary
is still whole in one of them. Tiny leftovers merge into their neighbour.
Pure and deterministic: the same extraction always gives the same chunks,
so re-processing a file overwrites its chunks instead of adding to them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from aksio.documents.model import Chunk, Extraction

_SENTENCE_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*\s+")
_ABBREVIATIONS = frozenset(
    {"e.g", "i.e", "etc", "vs", "cf", "al", "approx", "ca", "fig", "figs", "eq", "eqs", "no",
     "nos", "vol", "ch", "sec", "pp", "p", "dr", "mr", "mrs", "ms", "prof", "st", "jr", "sr",
     "inc", "ltd", "co", "dept", "univ", "ed", "eds", "resp", "ref", "refs", "viz"}
)  # fmt: skip


@dataclass(frozen=True)
class _Unit:
    """A sentence (or a piece of an over-long one): the atom of packing."""

    text: str
    page: int
    para: int
    words: int
    joiner: str = " "  # before this unit when it follows one of its own paragraph


@dataclass
class _Section:
    heading: str | None
    paragraphs: list[list[_Unit]]


def chunk(
    extraction: Extraction,
    *,
    target_words: int = 180,
    max_words: int = 300,
    overlap_words: int = 30,
) -> list[Chunk]:
    if not 0 < target_words <= max_words or not 0 <= overlap_words < target_words:
        raise ValueError("need 0 < target_words <= max_words and 0 <= overlap_words < target")
    packer = _Packer(target_words, max_words, overlap_words)
    out: list[Chunk] = []
    for section in _sections(extraction, max_words, target_words):
        for units, lead in packer.pack(section.paragraphs):
            text = _join(units)
            # the page of its own first sentence: the overlap repeats the page before
            page = units[lead].page
            out.append(Chunk(len(out), page, section.heading, text, len(text.split())))
    return out


def _sections(extraction: Extraction, max_words: int, piece_words: int) -> Iterator[_Section]:
    section = _Section(None, [])
    para = 0
    for page in extraction.pages:
        for block in page.blocks:
            if block.heading_level is not None:
                if section.paragraphs:
                    yield section
                section = _Section(block.text, [])
                continue
            para += 1
            units = list(_units(block.text, page.number, para, max_words, piece_words))
            if units:
                section.paragraphs.append(units)
    if section.paragraphs:
        yield section


def _units(text: str, page: int, para: int, max_words: int, piece_words: int) -> Iterator[_Unit]:
    for line_no, line in enumerate(text.split("\n")):  # lines of a table or list stay lines
        for sentence_no, sentence in enumerate(split_sentences(line)):
            words = sentence.split()
            # a "sentence" longer than a passage (a table row, a run-on list)
            # is cut into word windows: rare, and better than one huge passage
            step = len(words) if len(words) <= max_words else piece_words
            for start in range(0, len(words), step):
                piece = words[start : start + step]
                new_line = line_no > 0 and sentence_no == 0 and start == 0
                yield _Unit(" ".join(piece), page, para, len(piece), "\n" if new_line else " ")


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``: split after . ! ? when the next word starts
    with a capital or a digit and the word before is not an abbreviation
    or an initial ("e.g. Mendel", "J. S. Mill")."""
    out: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if end >= len(text):
            break
        following = text[end]
        if not (following.isupper() or following.isdigit() or following in "\"'(\u201c["):
            continue
        before = text[start : match.start()].rsplit(None, 1)
        last_word = before[-1].lower().lstrip("(\"'") if before else ""
        if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
            continue
        out.append(text[start:end].strip())
        start = end
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


class _Packer:
    def __init__(self, target: int, max_words: int, overlap: int) -> None:
        self.target = target
        self.max = max_words
        self.overlap = overlap
        self.min = max(1, target // 4)  # below this a final passage is merged back

    def pack(self, paragraphs: list[list[_Unit]]) -> list[tuple[list[_Unit], int]]:
        """Passages as (units, how many of the first units repeat the previous one)."""
        done: list[tuple[list[_Unit], int]] = []  # (units, how many lead units are overlap)
        cur: list[_Unit] = []
        lead = 0  # overlap units at the head of cur

        def words(units: list[_Unit]) -> int:
            return sum(u.words for u in units)

        def flush() -> None:
            nonlocal cur, lead
            done.append((cur, lead))
            cur = self._tail(cur)
            lead = len(cur)

        for para in paragraphs:
            size, have = words(para), words(cur)
            fresh = have - words(cur[:lead])
            fits = have + size <= self.max
            new_page = bool(cur) and para[0].page != cur[-1].page
            # end at this paragraph boundary when the passage is big enough
            # and the paragraph would not fit, or it starts a new page
            if fresh >= self.target // 2 and (not fits or have >= self.target or new_page):
                flush()
            whole = words(cur) + size <= self.max
            for unit in para:
                have = words(cur)
                fresh = have - words(cur[:lead])
                if fresh == 0 and have + unit.words > self.max:
                    cur, lead = [], 0  # the overlap would push this passage over the limit
                elif fresh and (
                    have + unit.words > self.max or (not whole and have >= self.target)
                ):
                    flush()
                    if words(cur) + unit.words > self.max:
                        cur, lead = [], 0
                cur.append(unit)
        if len(cur) > lead:
            done.append((cur, lead))
        return self._merge_tiny(done)

    def _tail(self, units: list[_Unit]) -> list[_Unit]:
        """The last whole sentences of a passage, up to ``overlap`` words."""
        tail: list[_Unit] = []
        total = 0
        for unit in reversed(units):
            if total + unit.words > self.overlap:
                break
            tail.insert(0, unit)
            total += unit.words
        return tail if len(tail) < len(units) else []

    def _merge_tiny(self, done: list[tuple[list[_Unit], int]]) -> list[tuple[list[_Unit], int]]:
        if len(done) >= 2:
            last, lead = done[-1]
            fresh = last[lead:]
            prev = done[-2][0]
            if sum(u.words for u in fresh) < self.min and (
                sum(u.words for u in prev) + sum(u.words for u in fresh) <= self.max
            ):
                done[-2] = (prev + fresh, done[-2][1])
                done.pop()
        return done


def _join(units: list[_Unit]) -> str:
    parts = [units[0].text]
    for before, unit in itertools.pairwise(units):
        parts.append((unit.joiner if unit.para == before.para else "\n\n") + unit.text)
    return "".join(parts)
