"""The embedded language model: study material drafted from a course's own
sentences and key terms, deterministically, offline and without a key.

It writes nothing new: a definition card's back, a cloze card's sentence and a
question's explanation are sentences of the cited passage, so every draft is
as correct as the passage is. Same request, same drafts.

Difficulty is measured, not judged: readability, terminology and notation of
each section's passages (``difficulty``), with the numbers in the reason.
"""

from __future__ import annotations

from aksio.adapters.local_llm.cards import draft_cards
from aksio.adapters.local_llm.difficulty import estimate
from aksio.adapters.local_llm.questions import draft_questions
from aksio.ports.llm import (
    CardDraft,
    DifficultyEstimate,
    DifficultyRequest,
    DraftRequest,
    QuestionDraft,
)


class LocalLanguageModel:
    name = "local"

    def draft_flashcards(self, request: DraftRequest) -> list[CardDraft]:
        return draft_cards(request)[: max(request.count, 0)]

    def draft_questions(self, request: DraftRequest) -> list[QuestionDraft]:
        return draft_questions(request)[: max(request.count, 0)]

    def estimate_difficulty(self, request: DifficultyRequest) -> list[DifficultyEstimate]:
        return estimate(request)


__all__ = ["LocalLanguageModel"]
