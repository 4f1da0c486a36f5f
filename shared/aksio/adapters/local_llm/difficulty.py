"""How hard a section reads, judged from its text alone.

Three signals, each mapped linearly onto 0..1 between an "easy" and a "hard"
anchor and then weighted:

- readability (``LIX``: mean sentence length plus the percentage of words
  longer than six letters; below ~25 is a children's book, above ~55 a
  specialist text). LIX needs no syllable rules, so it works alike for English
  and the Scandinavian languages it was made for;
- terminology: the share of words inside the course's technical key terms
  (``aksio.assessments.keyterms.key_terms`` over every section's passages,
  keeping phrases and long words: "activation energy", "equilibrium"; the
  short everyday nouns a children's story repeats, "dog", "ball", are key
  terms of that story but no terminology);
- notation: the share of tokens that are numbers, formula symbols or Greek
  letters (worked derivations and tables take longer than prose).

Pure and deterministic; the reason names the numbers it came from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from aksio.adapters.local_llm.sentences import language_code
from aksio.assessments.keyterms import key_terms
from aksio.documents.chunking import split_sentences
from aksio.ports.llm import DifficultyEstimate, DifficultyRequest, SectionSample

MIN_WORDS = 20
"""Below this a section is not judged (a heading or a caption says little)."""
LIX_EASY, LIX_HARD = 25.0, 60.0
TERMS_EASY, TERMS_HARD = 0.02, 0.2
NOTATION_EASY, NOTATION_HARD = 0.0, 0.10
WEIGHTS = (0.6, 0.25, 0.15)
"""Readability, terminology, notation: readability is the best-studied signal."""
VOCABULARY_SIZE = 40
LONG_WORD = 6
"""LIX counts words of more than six letters as long."""

_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")
_TOKEN = re.compile(r"\S+")
_NOTATION = re.compile(
    r"\d|[=+\u2212\u00d7\u00f7^\u2211\u222b\u221a\u2264\u2265<>\u2202\u2248\u221e\u0391-\u03c9]"
)


@dataclass(frozen=True)
class Signals:
    words: int
    mean_sentence: float
    long_share: float
    term_share: float
    notation_share: float

    @property
    def lix(self) -> float:
        return self.mean_sentence + 100 * self.long_share

    @property
    def difficulty(self) -> float:
        parts = (
            _scale(self.lix, LIX_EASY, LIX_HARD),
            _scale(self.term_share, TERMS_EASY, TERMS_HARD),
            _scale(self.notation_share, NOTATION_EASY, NOTATION_HARD),
        )
        return round(sum(w * p for w, p in zip(WEIGHTS, parts, strict=True)), 3)

    def reason(self) -> str:
        level = (
            "very plain"
            if self.lix < 30
            else "plain"
            if self.lix < 40
            else "fairly dense"
            if self.lix < 50
            else "dense"
        )
        return (
            f"Reads as {level} text: sentences average {self.mean_sentence:.0f} words, "
            f"{self.long_share:.0%} of words are long, technical terms make up "
            f"{self.term_share:.0%} of the words and numbers or symbols "
            f"{self.notation_share:.0%} of the text."
        )


def _scale(value: float, easy: float, hard: float) -> float:
    return min(1.0, max(0.0, (value - easy) / (hard - easy)))


def signals(texts: Sequence[str], vocabulary: Sequence[str]) -> Signals | None:
    """The section's signals, or None when it has too little text to judge."""
    text = " ".join(" ".join(texts).split())
    words = _WORD.findall(text)
    if len(words) < MIN_WORDS:
        return None
    sentences = max(1, len(split_sentences(text)))
    tokens = _TOKEN.findall(text)
    long_words = sum(1 for w in words if len(w) > LONG_WORD)
    notation = sum(1 for t in tokens if _NOTATION.search(t))
    return Signals(
        words=len(words),
        mean_sentence=len(words) / sentences,
        long_share=long_words / len(words),
        term_share=_term_words(text, vocabulary) / len(words),
        notation_share=notation / max(1, len(tokens)),
    )


def _term_words(text: str, vocabulary: Sequence[str]) -> int:
    """Words of ``text`` inside an occurrence of a key term (longest terms first,
    each word counted once)."""
    lowered = text.casefold()
    taken = [False] * len(lowered)
    total = 0
    for term in sorted(vocabulary, key=lambda t: (-len(t), t)):
        words = [re.escape(w) for w in term.casefold().split()]
        if not words:
            continue
        words[-1] += r"(?:s|es)?"  # plural of the last word (English; harmless elsewhere)
        pattern = re.compile(r"(?<![\w-])" + r"\s+".join(words) + r"(?![\w-])")
        for match in pattern.finditer(lowered):
            start, end = match.span()
            if any(taken[start:end]):
                continue
            taken[start:end] = [True] * (end - start)
            total += len(term.split())
    return total


def estimate(request: DifficultyRequest) -> list[DifficultyEstimate]:
    language = language_code(request.language)
    terms = key_terms(
        [p for s in request.sections for p in s.passages], limit=VOCABULARY_SIZE, language=language
    )
    vocabulary = [t for t in terms if len(t.split()) > 1 or len(t) > LONG_WORD]
    out: list[DifficultyEstimate] = []
    seen: set[str] = set()
    for section in request.sections:
        if section.section_id in seen:
            continue
        seen.add(section.section_id)
        found = _judge(section, vocabulary)
        if found is not None:
            out.append(found)
    return out


def _judge(section: SectionSample, vocabulary: Sequence[str]) -> DifficultyEstimate | None:
    measured = signals(section.passages, vocabulary)
    if measured is None:
        return None
    return DifficultyEstimate(
        section_id=section.section_id, difficulty=measured.difficulty, reason=measured.reason()
    )
