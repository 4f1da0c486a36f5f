"""Flashcard request bodies built from the API's own models, valid by
construction; tests pass ``course_id`` (and a section) and override only
what they are about."""

from __future__ import annotations

import random
from typing import Any

from polyfactory import Ignore, Use
from polyfactory.factories.pydantic_factory import ModelFactory

from aksio.assessments.flashcards.models import FlashcardCreate, FlashcardReplace, ReviewRequest
from aksio.assessments.sources import SourceIn
from aksio.ids import new_id

QUESTIONS = [
    ("What does the mitochondrion produce?", "ATP, through oxidative phosphorylation."),
    ("Define **osmosis**.", "Diffusion of water across a semi-permeable membrane."),
    ("What is an eigenvector?", "A vector whose direction a linear map leaves unchanged."),
    ("Name the four DNA bases.", "Adenine, cytosine, guanine and thymine."),
    ("What is opportunity cost?", "The value of the best alternative given up."),
]
TAGS = ["exam", "chapter-1", "chapter-2", "definitions", "hard"]


def _question() -> str:
    # a serial number keeps fronts distinct: tests about duplicates choose their own
    return f"{random.choice(QUESTIONS)[0]} ({random.randint(1, 10**9)})"


class SourceInFactory(ModelFactory[SourceIn]):
    document_id = Use(new_id)
    page = Use(lambda: random.randint(1, 300))
    passage = Use(lambda: random.choice(QUESTIONS)[1])


class FlashcardCreateFactory(ModelFactory[FlashcardCreate]):
    course_id = Use(new_id)
    section_id = None
    front = Use(_question)
    back = Use(lambda: random.choice(QUESTIONS)[1])
    tags = Use(lambda: random.sample(TAGS, k=random.randint(0, 3)))
    source = None


class FlashcardReplaceFactory(ModelFactory[FlashcardReplace]):
    course_id = Ignore()  # left out (it may not be null); pass one to send it
    section_id = None
    front = Use(_question)
    back = Use(lambda: random.choice(QUESTIONS)[1] + "\n\n- edited")
    tags = Use(lambda: random.sample(TAGS, k=2))
    source = None


class ReviewRequestFactory(ModelFactory[ReviewRequest]):
    rating = Use(lambda: random.choice(["again", "hard", "good", "easy"]))
    duration_ms = Use(lambda: random.randint(500, 30_000))


def replace_json(**overrides: Any) -> dict[str, Any]:
    """A PUT body as JSON; ``course_id`` only when given (it may not be null)."""
    body: dict[str, Any] = FlashcardReplaceFactory.build(**overrides).model_dump(
        mode="json", exclude_unset=True
    )
    return body


def cards_json(count: int, **overrides: Any) -> list[dict[str, Any]]:
    """``count`` card bodies as JSON, for bulk requests."""
    return [
        FlashcardCreateFactory.build(**overrides).model_dump(mode="json", exclude_none=True)
        for _ in range(count)
    ]
