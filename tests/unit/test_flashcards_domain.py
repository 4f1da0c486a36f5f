"""Pure flashcard logic: duplicate keys, request validation, and the card
fields a review and its undo change."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from aksio.assessments import scheduling
from aksio.assessments.flashcards import domain
from aksio.assessments.flashcards.models import FlashcardCreate, ReviewRequest
from tests.factories.flashcards import FlashcardCreateFactory

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def strict(model: Any, data: object) -> Any:
    """Validate as the HTTP layer does: JSON, strict types."""
    return model.model_validate_json(json.dumps(data), strict=True)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("What is ATP?", "what is atp"),
        ("  Qu'est-ce   que l'ADN ? ", "qu est ce que l adn"),
        ("Café: définition", "cafe definition"),
        ("Straße", "STRASSE"),
        ("x\ty\nz", "x y z"),
    ],
)
def test_fingerprint_ignores_case_accents_punctuation_and_spacing(a: str, b: str) -> None:
    assert domain.fingerprint(a) == domain.fingerprint(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("What is ATP?", "What is ADP?"), ("2 + 2", "2 + 3"), ("cell wall", "cellwall")],
)
def test_fingerprint_tells_different_fronts_apart(a: str, b: str) -> None:
    assert domain.fingerprint(a) != domain.fingerprint(b)


def test_fingerprint_is_short_even_for_a_long_front() -> None:
    assert len(domain.fingerprint("word " * 400)) == 32


def test_create_normalises_tags_and_strips_front() -> None:
    body = FlashcardCreateFactory.build(front="  Front  ", tags=[" Exam", "exam", "CH-1 "])
    assert body.front == "Front"
    assert body.tags == ["exam", "ch-1"]


@pytest.mark.parametrize(
    "override",
    [
        {"front": ""},
        {"front": "   "},
        {"front": "x" * 2001},
        {"back": " \n "},
        {"back": "x" * 10_001},
        {"tags": ["x"] * 21},
        {"tags": ["x" * 51]},
        {"tags": [" "]},
        {"course_id": "no/slash"},
        {"section_id": ""},
    ],
)
def test_create_rejects_bad_fields(override: dict[str, object]) -> None:
    data = FlashcardCreateFactory.build().model_dump(mode="json") | override
    with pytest.raises(ValidationError):
        strict(FlashcardCreate, data)


def test_create_rejects_unknown_fields() -> None:
    data = FlashcardCreateFactory.build().model_dump(mode="json") | {"state": "review"}
    with pytest.raises(ValidationError):
        strict(FlashcardCreate, data)


@pytest.mark.parametrize(
    "data",
    [
        {"rating": "perfect"},
        {"rating": 3},
        {"rating": "good", "duration_ms": -1},
        {"rating": "good", "duration_ms": "100"},
        {"rating": "good", "duration_ms": 1.5},
        {"rating": "good", "duration_ms": 10**12},
    ],
)
def test_review_request_rejects_bad_input(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        strict(ReviewRequest, data)


def test_review_request_accepts_integral_float_duration() -> None:
    body = strict(ReviewRequest, {"rating": "easy", "duration_ms": 1200.0})
    assert body.duration_ms == 1200


def test_new_card_document_is_new_and_due_now() -> None:
    doc = domain.new_card_document(
        FlashcardCreateFactory.build().model_dump(mode="json"), NOW, origin="generated"
    )
    assert doc["state"] == "new" and doc["due"] == NOW
    assert doc["fsrs"] == scheduling.CardState.new(NOW).to_dict()
    assert (doc["review_count"], doc["lapses"], doc["suspended"]) == (0, 0, False)
    assert doc["origin"] == "generated"
    assert doc["fingerprint"] == domain.fingerprint(doc["front"])
    with pytest.raises(ValueError, match="origin"):
        domain.new_card_document(doc, NOW, origin="imported")


def _graduated(doc: dict[str, object]) -> scheduling.ReviewLogEntry:
    """Review a card until it is in the review state, then forget it."""
    state = scheduling.CardState.new(NOW)
    at = NOW
    while state.state != "review":
        state = scheduling.review(state, "good", at).state
        at = state.due
    return scheduling.review(state, "again", at + timedelta(days=3)).log


def test_a_lapse_counts_and_its_undo_takes_it_back() -> None:
    doc = domain.new_card_document(FlashcardCreateFactory.build().model_dump(), NOW)
    doc |= {"review_count": 4, "lapses": 1}
    log = _graduated(doc)
    assert domain.is_lapse(log)
    reviewed = domain.reviewed_fields(doc, log)
    assert (reviewed["review_count"], reviewed["lapses"]) == (5, 2)
    assert reviewed["state"] == "relearning" and reviewed["due"] == log.state_after.due
    undone = domain.undone_fields({**doc, **reviewed}, log)
    assert (undone["review_count"], undone["lapses"]) == (4, 1)
    assert undone["fsrs"] == log.state_before.to_dict()


def test_again_on_a_new_card_is_not_a_lapse() -> None:
    log = scheduling.review(scheduling.CardState.new(NOW), "again", NOW).log
    assert not domain.is_lapse(log)


@pytest.mark.parametrize(
    ("zone", "day"),
    [("UTC", "2025-03-01"), ("Pacific/Auckland", "2025-03-02"), ("Nowhere/Else", "2025-03-01")],
)
def test_local_day_uses_the_profile_timezone(zone: str, day: str) -> None:
    late = NOW.replace(hour=20)
    assert domain.local_day(late, zone) == day


def test_desired_retention_and_parameters_fall_back_to_defaults() -> None:
    assert domain.desired_retention({"desired_retention": 0.85}) == 0.85
    assert domain.desired_retention({"desired_retention": True}) == 0.9
    assert domain.desired_retention(None) == 0.9
    assert domain.usable_parameters([1.0, 2.0]) is None
    assert domain.usable_parameters(None) is None
    params = domain.usable_parameters(list(scheduling.DEFAULT_PARAMETERS))
    assert params == list(scheduling.DEFAULT_PARAMETERS)
