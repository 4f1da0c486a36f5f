"""The embedded language model: study material drafted from a course's own
sentences and key terms, deterministically, offline and without a key.

It writes nothing new: a definition card's back, a cloze card's sentence and a
question's explanation are sentences of the cited passage, so every draft is
as correct as the passage is. Same request, same drafts.
"""

from __future__ import annotations

from aksio.adapters.local_llm.cards import draft_cards
from aksio.adapters.local_llm.questions import draft_questions
from aksio.ports.llm import CardDraft, DraftRequest, QuestionDraft


class LocalLanguageModel:
    name = "local"

    def draft_flashcards(self, request: DraftRequest) -> list[CardDraft]:
        return draft_cards(request)[: max(request.count, 0)]

    def draft_questions(self, request: DraftRequest) -> list[QuestionDraft]:
        return draft_questions(request)[: max(request.count, 0)]


__all__ = ["LocalLanguageModel"]
