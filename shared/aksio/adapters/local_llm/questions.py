"""Choice and true/false questions from a course's sentences.

A choice question blanks a key term of a sentence; its distractors are other
key terms of the course (the request's vocabulary first, then the terms of
these passages) that the sentence does not mention, of the same length in
words and, in English, the same number (plural or singular) where possible.
A true/false question states a sentence as written (true) or with its key
term swapped for a distractor (false); the explanation is always the source
sentence as written. The swapped-in term never shares a passage with the
term it replaces: terms discussed together are often parts, kinds or other
names of each other ("phospholipid bilayer", "plasma membrane"), and the
swap could then still be true while the key says false. A choice question's
distractors, for the same reason, never share a passage with the answer
("wrapping them in part of its ___": plasma membrane, and the phospholipid
bilayer discussed with it would be a second right answer); a question left
with too few becomes a true/false one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from aksio.adapters.local_llm.sentences import (
    Sentence,
    TermIndex,
    answer_text,
    candidate_queues,
    normalise,
    stable_hash,
    take_in_turn,
)
from aksio.ports.llm import DraftRequest, QuestionDraft

DISTRACTORS = 3
MIN_DISTRACTORS = 2
SWAP_CANDIDATES = 12
"""Distractors looked at for a false statement's swap, best first."""
_KINDS = ("single_choice", "single_choice", "true_false")
"""Two choice questions to one true/false: recall of a term is the richer test."""
TRUE_FALSE_OPTIONS = ["true", "false"]


def _plural(term: str) -> bool:
    last = term.rsplit(maxsplit=1)[-1].lower()
    return last.endswith("s") and not last.endswith(("ss", "us", "is"))


def distractors(
    answer: str, sentence: str, pool: Sequence[str], index: TermIndex, want: int
) -> list[str]:
    """Up to ``want`` terms that are wrong in ``sentence``: not the answer,
    not overlapping it, not mentioned by the sentence, not each other."""
    answer_key = normalise(answer)
    answer_words = set(answer_key.split())
    chosen: list[str] = []
    keys: set[str] = {answer_key}
    candidates = []
    for rank, term in enumerate(pool):
        key = normalise(term)
        if not key or key in keys or set(key.split()) & answer_words:
            continue
        if key.rstrip("s") == answer_key.rstrip("s") or index.mentions(sentence, term):
            continue
        keys.add(key)
        shape = abs(len(term.split()) - len(answer.split()))
        number = 0 if index.language != "en" or _plural(term) == _plural(answer) else 1
        # alike in shape first, then the course's more central terms, varied by sentence
        candidates.append((shape + number, rank // 10, stable_hash(sentence, key), term))
    for *_, term in sorted(candidates):
        key_words = set(normalise(term).split())
        if any(key_words & set(normalise(c).split()) for c in chosen):
            continue  # "cell wall" and "cell membrane" side by side hint at each other
        chosen.append(term)
        if len(chosen) == want:
            break
    return chosen


def draft_questions(request: DraftRequest) -> list[QuestionDraft]:
    if request.count <= 0 or not request.passages:
        return []
    index = TermIndex.of(request.passages, request.language, limit=max(40, 2 * request.count))
    if not index.terms:
        return []
    # Distractors come from the whole course when the caller knows its terms.
    pool = _unique([*request.vocabulary, *index.terms])
    avoid = {normalise(a) for a in request.avoid}

    queues = candidate_queues(request.passages, request.language, index)
    texts = [p.text for p in request.passages]

    used: Counter[int] = Counter()

    def make(
        sentence: Sentence, terms: list[int], cap: int, made: Sequence[QuestionDraft]
    ) -> QuestionDraft | None:
        kind = _KINDS[len(made) % len(_KINDS)]
        state = _State(index, pool, used, cap, made, texts)
        drafted = _question(kind, sentence, terms, state)
        if drafted is None and kind == "single_choice":  # too few distractors
            drafted = _question("true_false", sentence, terms, state)
        return drafted

    return take_in_turn(queues, request.count, make, lambda q: normalise(q.prompt), avoid)


@dataclass
class _State:
    index: TermIndex
    pool: Sequence[str]
    used: Counter[int]
    """How many questions each term (by rank) already has."""
    cap: int
    made: Sequence[QuestionDraft]
    passages: Sequence[str]
    """The request's passage texts (which terms are discussed together)."""

    def unrelated(self, term: str, other: str) -> bool:
        """Whether no passage mentions both terms."""
        return not any(
            self.index.mentions(text, term) and self.index.mentions(text, other)
            for text in self.passages
        )


def _question(
    kind: str, sentence: Sentence, terms: list[int], state: _State
) -> QuestionDraft | None:
    index, pool, used, cap, made = state.index, state.pool, state.used, state.cap, state.made
    for term_index in sorted(terms, key=lambda i: (used[i], i)):
        if used[term_index] >= cap:
            continue
        match = index.find(sentence.text, term_index)
        if match is None:
            continue
        answer = answer_text(sentence.text, match, index.terms[term_index])
        if kind == "single_choice":
            prompt = index.blank(sentence.text, term_index)
            if len(prompt.split()) < 6:
                continue
            candidates = distractors(answer, sentence.text, pool, index, SWAP_CANDIDATES)
            wrong = [c for c in candidates if state.unrelated(answer, c)][:DISTRACTORS]
            if len(wrong) < MIN_DISTRACTORS:
                continue
            options = sorted([answer, *wrong], key=lambda o: stable_hash(sentence.text, o))
            used[term_index] += 1
            return QuestionDraft(
                kind="single_choice",
                prompt=prompt,
                options=options,
                answer=[answer],
                explanation=sentence.text,
                passage_id=sentence.passage_id,
            )
        # true/false: every other one is false, made by swapping the term
        false_statements = sum(1 for q in made if q.answer == ["false"])
        true_statements = sum(1 for q in made if q.answer == ["true"])
        if false_statements < true_statements:
            candidates = distractors(answer, sentence.text, pool, index, SWAP_CANDIDATES)
            wrong = [c for c in candidates if state.unrelated(answer, c)][:1]
            if wrong:
                used[term_index] += 1
                return QuestionDraft(
                    kind="true_false",
                    prompt=index.replace(sentence.text, term_index, wrong[0]),
                    options=list(TRUE_FALSE_OPTIONS),
                    answer=["false"],
                    explanation=sentence.text,
                    passage_id=sentence.passage_id,
                )
        used[term_index] += 1
        return QuestionDraft(
            kind="true_false",
            prompt=sentence.text,
            options=list(TRUE_FALSE_OPTIONS),
            answer=["true"],
            explanation=sentence.text,
            passage_id=sentence.passage_id,
        )
    return None


def _unique(terms: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for term in terms:
        key = normalise(term)
        if key and key not in seen:
            seen.add(key)
            out.append(term)
    return out
