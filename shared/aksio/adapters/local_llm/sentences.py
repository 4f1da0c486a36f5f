"""Sentences of passages, the terms they mention, and which ones read as
self-contained study material (shared by cards and questions)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from aksio.assessments.keyterms import key_terms
from aksio.documents.chunking import split_sentences
from aksio.ports.llm import SourcePassage

BLANK = "_____"
MIN_WORDS, MAX_WORDS = 7, 45
"""Shorter is a fragment (a heading, a caption); longer is a paragraph in all
but punctuation, too much to read on a card."""
MIN_CHARS, MAX_CHARS = 40, 320

# Sentences that lean on the one before ("It", "This", "But") or speak for the
# author ("I") make poorer stand-alone cards; they rank below the others.
_LEANING = {
    "en": re.compile(
        r"^(?:it|its|this|these|that|those|they|their|them|he|she|his|her|such|but|and|or|"
        r"so|yet|hence|thus|therefore|however|here|there|i|we|our|nor|moreover|again)\b",
        re.IGNORECASE,
    ),
    "no": re.compile(
        r"^(?:det|dette|disse|de|den|han|hun|men|og|eller|så|derfor|her|der|jeg|vi)\b",
        re.IGNORECASE,
    ),
}
_FIRST_PERSON = re.compile(r"\b(?:I|I've|I'm|my|me)\b")
# An outline line ("On the absence of intermediate varieties at the present
# day.", "To sum up the circumstances ...") opens with a preposition and has no
# finite verb; the English check looks for an auxiliary or a past participle.
_EN_OUTLINE = re.compile(r"^(?:on|of|to|in|from|about|concerning|summary)\b", re.IGNORECASE)
_EN_VERB = re.compile(
    r"\b(?:is|are|was|were|be|been|has|have|had|do|does|did|can|could|may|might|will|"
    r"would|shall|should|must)\b|\w{3,}ed\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Sentence:
    text: str
    passage_id: str
    position: int
    """Order of the sentence among all passages' sentences."""


def language_code(language: str) -> str:
    code = language.lower().replace("_", "-").split("-")[0]
    return "no" if code in {"nb", "nn"} else code


def normalise(text: str) -> str:
    """For comparing fronts and prompts: case, accents, punctuation and spacing ignored."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def stable_hash(*parts: str) -> int:
    """A hash that is the same in every process (``hash()`` is salted)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def sentences_of(passages: Sequence[SourcePassage]) -> list[Sentence]:
    out: list[Sentence] = []
    seen: set[str] = set()
    for passage in passages:
        for text in split_sentences(" ".join(passage.text.split())):
            key = normalise(text)
            if key in seen:
                continue  # passages overlap by a sentence or two: cite it once
            seen.add(key)
            out.append(Sentence(text, passage.passage_id, len(out)))
    return out


def quality(sentence: str, language: str) -> float:
    """0 for sentences not worth a card; higher reads better on its own."""
    words = len(sentence.split())
    if not (MIN_WORDS <= words <= MAX_WORDS and MIN_CHARS <= len(sentence) <= MAX_CHARS):
        return 0.0
    if sentence[-1] not in ".!?\"'\u201d)" or sentence.endswith("?"):
        return 0.0  # a question or a cut-off line is no statement to learn
    if not sentence[0].isupper():
        return 0.0  # a lower-case or numeric start is a sentence cut in two
    code = language_code(language)
    if code == "en" and _EN_OUTLINE.match(sentence) and not _EN_VERB.search(sentence):
        return 0.0
    score = 1.0 if 10 <= words <= 30 else 0.7
    leaning = _LEANING.get(language_code(language))
    if leaning and leaning.match(sentence):
        score *= 0.5
    if language_code(language) == "en" and _FIRST_PERSON.search(sentence):
        score *= 0.6
    if sentence.count("(") != sentence.count(")") or sentence.count("\u201c") > 1:
        score *= 0.7
    if sentence.endswith("!"):
        score *= 0.5  # rhetoric more often than a fact
    return score


class TermIndex:
    """The course's key terms and where each occurs in a sentence."""

    def __init__(self, terms: Sequence[str], language: str) -> None:
        self.language = language_code(language)
        self.terms: list[str] = []
        self._patterns: list[re.Pattern[str]] = []
        seen: set[str] = set()
        for term in terms:
            key = normalise(term)
            if not key or key in seen:
                continue
            seen.add(key)
            self.terms.append(term)
            self._patterns.append(self._pattern(term))

    @classmethod
    def of(cls, passages: Sequence[SourcePassage], language: str, limit: int) -> TermIndex:
        return cls(key_terms([p.text for p in passages], limit=limit, language=language), language)

    def _pattern(self, term: str, edge: str = r"[\w-]") -> re.Pattern[str]:
        words = [re.escape(w) for w in term.split()]
        if self.language == "en":
            last = term.rsplit(maxsplit=1)[-1]
            if last.endswith("ies"):
                stem = last[:-3] + "y"
            elif last.endswith("s") and not last.endswith(("ss", "us", "is")):
                stem = last[:-1]
            else:
                stem = last
            if stem.endswith("y") and len(stem) > 2 and stem[-2] not in "aeiou":
                words[-1] = f"(?:{re.escape(stem)}|{re.escape(stem[:-1])}ies)"
            else:
                words[-1] = f"{re.escape(stem)}(?:s|es)?"
        # a term is a whole word: "genus" is not blanked out of "horse-genus"
        body = r"\s+".join(words)
        return re.compile(rf"(?<!{edge}){body}(?!{edge})", re.IGNORECASE)

    def find(self, sentence: str, term_index: int) -> re.Match[str] | None:
        return self._patterns[term_index].search(sentence)

    def in_sentence(self, sentence: str) -> list[int]:
        """Indexes (by rank) of the terms the sentence mentions, leaving out a
        term that only occurs inside a longer one ("America" in "South America")."""
        spans: dict[int, list[tuple[int, int]]] = {}
        for i in range(len(self.terms)):
            found = [m.span() for m in self._patterns[i].finditer(sentence)]
            if found:
                spans[i] = found

        def inside_longer(i: int) -> bool:
            others = [span for j, found in spans.items() if j != i for span in found]
            return all(
                any(a <= start and end <= b and b - a > end - start for a, b in others)
                for start, end in spans[i]
            )

        return [i for i in spans if not inside_longer(i)]

    def mentions(self, sentence: str, term: str) -> bool:
        """Whether the sentence names the term, even inside a compound: a
        distractor that appears in "horse-genus" would confuse."""
        return self._pattern(term, edge=r"\w").search(sentence) is not None

    def blank(self, sentence: str, term_index: int) -> str:
        """The sentence with every occurrence of the term blanked (a second
        occurrence would give the answer away)."""
        return self._patterns[term_index].sub(BLANK, sentence)

    def replace(self, sentence: str, term_index: int, other: str) -> str:
        """The sentence saying ``other`` where it says the term."""

        def swap(match: re.Match[str]) -> str:
            at_start = match.start() == 0
            return other[0].upper() + other[1:] if at_start else other

        return self._patterns[term_index].sub(swap, sentence)


def answer_text(sentence: str, match: re.Match[str], term: str) -> str:
    """The term as the sentence spells it (so it reads in the blank), without
    the capital it has only for starting the sentence."""
    found = " ".join(match.group(0).split())
    if match.start() == 0 and term[:1].islower() and found[:1].isupper() and found[1:2].islower():
        found = found[0].lower() + found[1:]
    return found


Candidate = tuple[float, Sentence, list[int]]
"""A usable sentence: its score, itself, and the indexes of the key terms in it."""


def candidate_queues(
    passages: Sequence[SourcePassage],
    language: str,
    index: TermIndex,
    *,
    bonus: Callable[[str], float] | None = None,
) -> list[list[Candidate]]:
    """Per passage, its readable sentences holding a key term, best first
    (``bonus`` raises some, e.g. definitions): drafting takes from each queue
    in turn so the drafts spread over the passages."""
    by_passage: dict[str, list[Candidate]] = {}
    for sentence in sentences_of(passages):
        score = quality(sentence.text, language)
        terms = index.in_sentence(sentence.text) if score else []
        if terms:
            if bonus is not None:
                score += bonus(sentence.text)
            by_passage.setdefault(sentence.passage_id, []).append((score, sentence, terms))
    return [
        sorted(items, key=lambda item: (-item[0], item[1].position))
        for items in by_passage.values()
    ]


D = TypeVar("D")


def take_in_turn(
    queues: list[list[Candidate]],
    count: int,
    make: Callable[[Sentence, list[int], int, Sequence[D]], D | None],
    key: Callable[[D], str],
    seen: set[str],
) -> list[D]:
    """Up to ``count`` drafts taken from the queues in turn (one per passage per
    round, so they spread over the passages), each term used at most ``cap``
    times, the cap raised 1, 2, 3 only once nothing more can be made under it.
    ``make(sentence, terms, cap, made_so_far)`` drafts from one candidate or
    gives None; a draft whose ``key`` is in ``seen`` is not taken. A sentence
    that gave a draft leaves its queue."""
    made: list[D] = []
    for cap in (1, 2, 3):
        progress = True
        while progress and len(made) < count:
            progress = False
            for queue in queues:
                if len(made) >= count:
                    break
                for position, (_, sentence, terms) in enumerate(queue):
                    draft = make(sentence, terms, cap, made)
                    if draft is not None and key(draft) not in seen:
                        del queue[position]
                        made.append(draft)
                        seen.add(key(draft))
                        progress = True
                        break
    return made
