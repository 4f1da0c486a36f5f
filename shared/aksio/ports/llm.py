"""Language model port: study material drafted from a course's own passages.

The port is task-shaped (cards, questions), not a free-form chat call, so the
embedded provider can honour it without a model: ``aksio.adapters.local_llm``
builds definition and cloze cards and multiple-choice questions from the
passages' key terms and sentences, deterministically and offline.
Production uses ``aksio.adapters.openai_llm`` (``openai`` SDK, structured
outputs validated by the pydantic models below).

Model output is data from outside: every draft names the passage it came from
(``passage_id``, one of the request's passages), and callers drop drafts that
cite anything else, are empty, or repeat existing material.

Difficulty estimates are data too: each names a section of the request
(``section_id``) and carries a difficulty in 0..1. Providers validate their
output into ``DifficultyEstimate`` (an item outside 0..1 or otherwise invalid is
dropped, not guessed at); callers still drop estimates for section ids they did
not ask about and repeats of one section (the first counts), and clamp the value
into 0..1 before it reaches the planner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field


class LanguageModelError(Exception):
    """The model could not produce usable output. ``reason`` is a sentence a
    student can read (it becomes the job's ``error``); ``retryable`` says
    whether trying again later may help (rate limits, outages, timeouts)."""

    def __init__(self, reason: str, *, retryable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


@dataclass(frozen=True)
class SourcePassage:
    """A passage of a course document the drafts may cite."""

    passage_id: str
    """The chunk id (``aksio.documents.paths.chunk_id``)."""
    document_id: str
    text: str
    page: int | None = None
    heading: str | None = None
    document_title: str | None = None


@dataclass(frozen=True)
class DraftRequest:
    passages: Sequence[SourcePassage]
    count: int
    """How many drafts are wanted; a provider may return fewer, never more."""
    language: str = "en"
    course_title: str | None = None
    vocabulary: Sequence[str] = field(default_factory=tuple)
    """Other key terms of the course (distractors for choice questions)."""
    avoid: Sequence[str] = field(default_factory=tuple)
    """Fronts or prompts that already exist: do not produce these again."""


CardKind = Literal["definition", "cloze", "question"]
QuestionKind = Literal["single_choice", "multiple_choice", "true_false", "short_answer"]


class _Draft(BaseModel):
    # Model output: unknown keys are refused rather than silently kept.
    model_config = ConfigDict(extra="forbid")


class CardDraft(_Draft):
    kind: CardKind
    front: str = Field(min_length=1, max_length=2000)
    back: str = Field(min_length=1, max_length=10000)
    passage_id: str = Field(min_length=1, max_length=200)


class QuestionDraft(_Draft):
    """``answer``: the option text for single_choice, the list of correct
    option texts for multiple_choice, ``"true"``/``"false"`` for true_false, and
    the expected text for short_answer (``accepted`` lists other forms)."""

    kind: QuestionKind
    prompt: str = Field(min_length=1, max_length=2000)
    options: list[str] = Field(default_factory=list, max_length=8)
    answer: list[str] = Field(min_length=1, max_length=8)
    accepted: list[str] = Field(default_factory=list, max_length=8)
    explanation: str = Field(min_length=1, max_length=4000)
    passage_id: str = Field(min_length=1, max_length=200)


class CardDrafts(_Draft):
    cards: list[CardDraft]


class QuestionDrafts(_Draft):
    questions: list[QuestionDraft]


@dataclass(frozen=True)
class SectionSample:
    """A few passages of one section, enough to judge how hard it reads."""

    section_id: str
    title: str
    passages: Sequence[str]


@dataclass(frozen=True)
class DifficultyRequest:
    sections: Sequence[SectionSample]
    language: str = "en"
    course_title: str | None = None


class DifficultyEstimate(_Draft):
    section_id: str = Field(min_length=1, max_length=200)
    difficulty: float = Field(ge=0.0, le=1.0)
    """0: introductory, plain language; 1: dense, specialist material."""
    reason: str = Field(min_length=1, max_length=1000)
    """One sentence a student can read: why this section is rated so."""


class LanguageModel(Protocol):
    name: str
    """Provider and model, for logs and stored provenance ("local", "openai:gpt-4o-mini")."""

    def draft_flashcards(self, request: DraftRequest) -> list[CardDraft]:
        """At most ``request.count`` cards; raises LanguageModelError."""
        ...

    def draft_questions(self, request: DraftRequest) -> list[QuestionDraft]:
        """At most ``request.count`` questions; raises LanguageModelError."""
        ...

    def estimate_difficulty(self, request: DifficultyRequest) -> list[DifficultyEstimate]:
        """At most one estimate per requested section, in any order; a section
        may be left out (too little text to judge). Raises LanguageModelError."""
        ...
