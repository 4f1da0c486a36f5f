"""Definition and cloze cards from a course's sentences.

A definition card comes from a sentence whose subject is a key term and whose
verb defines it ("Osmosis is the movement of ...", "X refers to ..."); a cloze
card blanks the key term of any other readable sentence. Cards are spread
over the passages (round robin) and over the terms (a term is used again only
when the others have run out), so a short request still covers the material.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from aksio.adapters.local_llm.sentences import (
    BLANK,
    Sentence,
    TermIndex,
    answer_text,
    candidate_queues,
    language_code,
    normalise,
    take_in_turn,
)
from aksio.ports.llm import CardDraft, DraftRequest

# "<term> is a/an/the ...", "<term> are ... that ...", "<term> means/refers to ...":
# the complement must start like a definition, so "Species are not immutable"
# or "Selection is daily scrutinising" are not taken for one.
_DEFINITION = {
    "en": re.compile(
        r"^(?:(?P<article>a|an|the)\s+)?(?P<subject>[\w'\u2019 -]{2,60}?)\s*(?:,[^,]{1,80},\s*)?\s+"
        r"(?:(?P<verb>is|are)\s+(?:(?:defined|known|described)\s+as\s+)?"
        r"(?=(?:a|an|the)\s|\w+(?:\s\w+)?\s(?:that|which|who|whose|in\s+which)\s)"
        r"|(?P<means>means|refers\s+to|denotes|describes)\s)",
        re.IGNORECASE,
    ),
    "no": re.compile(
        r"^(?P<subject>[\w -]{2,60}?)\s+"
        r"(?:(?P<verb>er)\s+(?=(?:en|et|ei|den|det)\s|\w+\s(?:som|der)\s)"
        r"|(?P<means>betyr|viser\s+til)\s)",
        re.IGNORECASE,
    ),
}
_QUESTION = {
    "en": {"is": "What is {}?", "are": "What are {}?"},
    "no": {"is": "Hva er {}?", "are": "Hva er {}?"},
}


@dataclass(frozen=True)
class Definition:
    term: str
    front: str


def definition(sentence: str, index: TermIndex) -> Definition | None:
    """The card a defining sentence makes, when its subject is a key term."""
    language = index.language
    pattern = _DEFINITION.get(language)
    if pattern is None:
        return None
    match = pattern.match(sentence)
    if not match:
        return None
    subject = " ".join(match.group("subject").split())
    term = next(
        (t for t in index.terms if normalise(t) == normalise(subject)),
        None,
    )
    if term is None:
        # the subject may be the term plus its plural ending, or a longer phrase
        for i, candidate in enumerate(index.terms):
            found = index.find(subject, i)
            if found and found.start() == 0 and found.end() == len(subject):
                term = answer_text(subject, found, candidate)
                break
    if term is None:
        return None
    plural = (match.group("verb") or "").lower() in {"are"}
    form = _QUESTION[language]["are" if plural else "is"]
    article = (match.groupdict().get("article") or "").lower()
    # "The plasma membrane is ..." asks "What is the plasma membrane?"
    return Definition(term, form.format(f"{article} {term}" if article else term))


def draft_cards(request: DraftRequest) -> list[CardDraft]:
    if request.count <= 0 or not request.passages:
        return []
    index = TermIndex.of(request.passages, request.language, limit=max(40, 2 * request.count))
    if not index.terms:
        return []
    avoid = {normalise(a) for a in request.avoid}
    queues = candidate_queues(
        request.passages,
        request.language,
        index,
        # definitions first: the most useful card there is
        bonus=lambda text: 1.0 if definition(text, index) else 0.0,
    )

    fronts: set[str] = set(avoid)
    used: Counter[int] = Counter()

    def make(
        sentence: Sentence, terms: list[int], cap: int, _: Sequence[CardDraft]
    ) -> CardDraft | None:
        return _card(sentence, terms, _State(index, used, cap, fronts))

    return take_in_turn(queues, request.count, make, lambda c: normalise(c.front), fronts)


@dataclass
class _State:
    index: TermIndex
    used: Counter[int]
    """How many cards each term (by rank) already has."""
    cap: int
    fronts: set[str]


def _card(sentence: Sentence, terms: list[int], state: _State) -> CardDraft | None:
    index, used, cap, fronts = state.index, state.used, state.cap, state.fronts
    defined = definition(sentence.text, index)
    if defined is not None:
        term_index = next(
            (i for i in terms if normalise(index.terms[i]) == normalise(defined.term)), None
        )
        key = term_index if term_index is not None else -1
        if used[key] < cap and normalise(defined.front) not in fronts:
            used[key] += 1
            return CardDraft(
                kind="definition",
                front=defined.front,
                back=sentence.text,
                passage_id=sentence.passage_id,
            )
    # the least used term of the sentence, the higher ranked on a tie
    for term_index in sorted(terms, key=lambda i: (used[i], i)):
        if used[term_index] >= cap:
            continue
        match = index.find(sentence.text, term_index)
        if match is None:
            continue
        front = index.blank(sentence.text, term_index)
        if normalise(front) in fronts or front.count(BLANK) > 2:
            continue
        if len(front.replace(BLANK, "").split()) < 5:
            continue  # the blank would be most of the sentence
        used[term_index] += 1
        answer = answer_text(sentence.text, match, index.terms[term_index])
        return CardDraft(
            kind="cloze",
            front=front,
            back=f"{answer}\n\n{sentence.text}",
            passage_id=sentence.passage_id,
        )
    return None


__all__ = ["definition", "draft_cards", "language_code"]
