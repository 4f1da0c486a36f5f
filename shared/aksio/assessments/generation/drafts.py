"""Model drafts -> cards and questions, treating model output as untrusted data.

A draft is kept only if it cites one of the passages sent (so every item
cites real text of the course, with that passage's document and page), is
not blank, passes the same validation as a card or question a student types,
and is not a repeat: of another draft of the batch, or (cards) of a card the
course already has. Pure: the caller supplies the existing fingerprints.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import ValidationError

from aksio.assessments.flashcards.domain import fingerprint
from aksio.assessments.flashcards.models import FlashcardCreate
from aksio.assessments.quizzes.models import QuestionCreate
from aksio.assessments.sources import SourceIn, excerpt
from aksio.ports.llm import CardDraft, QuestionDraft, SourcePassage

GENERATED_TAG = "generated"
D = TypeVar("D", CardDraft, QuestionDraft)


@dataclass
class Kept:
    """What survived validation, and why the rest did not."""

    items: list[Any] = field(default_factory=list)
    fingerprints: list[str] = field(default_factory=list)
    """One per item (cards: of the front; questions: of the prompt)."""
    unusable: int = 0
    """Citing an unknown passage, blank, or failing validation."""
    duplicates: int = 0
    """Repeats within the batch or of existing cards."""
    surplus: int = 0
    """Drafts beyond the count asked for (a provider must not, but may)."""


def citation(passage: SourcePassage) -> SourceIn:
    return SourceIn(
        document_id=passage.document_id, page=passage.page, passage=excerpt(passage.text)
    )


def cards_from_drafts(
    drafts: Sequence[CardDraft],
    passages: Sequence[SourcePassage],
    *,
    course_id: str,
    sections: Mapping[str, str],
    count: int,
) -> Kept:
    """Valid, cited, distinct cards (at most ``count``) in the drafts' order;
    a card's section is its cited document's in ``sections`` (else none)."""

    def build(draft: CardDraft, passage: SourcePassage) -> FlashcardCreate:
        return FlashcardCreate(
            course_id=course_id,
            section_id=sections.get(passage.document_id),
            front=draft.front,
            back=draft.back,
            tags=[GENERATED_TAG, draft.kind],
            source=citation(passage),
        )

    return _keep(drafts, passages, build, lambda card: card.front, count)


def _keep(
    drafts: Sequence[D],
    passages: Sequence[SourcePassage],
    build: Callable[[D, SourcePassage], Any],
    text_of: Callable[[Any], str],
    count: int,
) -> Kept:
    """``build`` each draft from the passage it cites (a ValidationError or an
    unknown passage: unusable), keeping the first ``count`` distinct by the
    fingerprint of ``text_of`` the item."""
    by_id = {p.passage_id: p for p in passages}
    kept = Kept()
    for draft in drafts:
        passage = by_id.get(draft.passage_id)
        try:
            item = build(draft, passage) if passage is not None else None
        except ValidationError:
            item = None
        if item is None:
            kept.unusable += 1
            continue
        key = fingerprint(text_of(item))
        if key in kept.fingerprints:
            kept.duplicates += 1
        elif len(kept.items) >= count:
            kept.surplus += 1
        else:
            kept.items.append(item)
            kept.fingerprints.append(key)
    return kept


def without_existing(kept: Kept, existing: Collection[str]) -> Kept:
    """Drop the cards whose fingerprint the course already has."""
    return _only(kept, lambda _, key: key not in existing)


def only_created(kept: Kept, fronts: Collection[str]) -> Kept:
    """The cards among ``kept`` whose front was written; the rest were already
    there (a concurrent run added them) and count as duplicates."""
    return _only(kept, lambda item, _: item.front in fronts)


def _only(kept: Kept, wanted: Callable[[Any, str], bool]) -> Kept:
    """The items (with their fingerprints) ``wanted``; the others become duplicates."""
    out = Kept(unusable=kept.unusable, duplicates=kept.duplicates, surplus=kept.surplus)
    for item, key in zip(kept.items, kept.fingerprints, strict=True):
        if wanted(item, key):
            out.items.append(item)
            out.fingerprints.append(key)
        else:
            out.duplicates += 1
    return out


def question_from_draft(
    draft: QuestionDraft, passage: SourcePassage, section_id: str | None
) -> QuestionCreate:
    """The question a draft describes; raises ValidationError if it is not a
    sound question (answer not among the options, too few options...)."""
    answer: str | list[str] | bool
    accepted: list[str] = []
    options = list(draft.options)
    if draft.kind == "multiple_choice":
        answer = list(draft.answer)
    elif draft.kind == "true_false":
        # Only a literal true/false is an answer: anything else is no key at all.
        word = draft.answer[0].strip().casefold()
        answer = word == "true" if word in {"true", "false"} else draft.answer[0]
        options = []
    else:
        answer = draft.answer[0]
        if draft.kind == "short_answer":
            accepted = list(dict.fromkeys([*draft.answer[1:], *draft.accepted]))
    return QuestionCreate(
        kind=draft.kind,
        prompt=draft.prompt,
        options=options,
        answer=answer,
        accepted_answers=accepted,
        explanation=draft.explanation,
        source=citation(passage),
        section_id=section_id,
    )


def questions_from_drafts(
    drafts: Sequence[QuestionDraft],
    passages: Sequence[SourcePassage],
    *,
    sections: Mapping[str, str],
    count: int,
) -> Kept:
    """Valid, cited, distinct questions (at most ``count``) in the drafts'
    order; a question's section is its cited document's in ``sections``."""

    def build(draft: QuestionDraft, passage: SourcePassage) -> QuestionCreate:
        return question_from_draft(draft, passage, sections.get(passage.document_id))

    return _keep(drafts, passages, build, lambda question: question.prompt, count)


def shortfall_warning(kept: Kept, requested: int, noun: str) -> str | None:
    """A sentence when fewer than ``requested`` items came out, saying why."""
    made = len(kept.items)
    if made >= requested:
        return None
    reasons = []
    if kept.duplicates:
        reasons.append(f"{kept.duplicates} {_plural('duplicate', kept.duplicates)} skipped")
    if kept.unusable:
        reasons.append(f"{kept.unusable} unusable {_plural('draft', kept.unusable)} dropped")
    why = f" ({', '.join(reasons)})" if reasons else ": the material did not yield more"
    return f"Only {made} of the {requested} {_plural(noun, requested)} requested were made{why}."


def _plural(noun: str, n: int) -> str:
    return noun if n == 1 else f"{noun}s"
