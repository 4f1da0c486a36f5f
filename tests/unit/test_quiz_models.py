"""Question and quiz bodies: each kind's key is checked against its options."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from pydantic import ValidationError

from aksio.assessments.quizzes.models import (
    MAX_QUESTIONS,
    AttemptCreate,
    QuestionCreate,
    QuizCreate,
    QuizReplace,
)
from tests.factories.quizzes import (
    MultipleChoiceFactory,
    QuizCreateFactory,
    ShortAnswerFactory,
    SingleChoiceFactory,
    TrueFalseFactory,
    question_body,
)


def _question(**overrides: Any) -> QuestionCreate:
    return QuestionCreate.model_validate({**question_body(SingleChoiceFactory), **overrides})


def test_factories_build_valid_questions_of_every_kind() -> None:
    for factory in (
        SingleChoiceFactory,
        MultipleChoiceFactory,
        TrueFalseFactory,
        ShortAnswerFactory,
    ):
        q = QuestionCreate.model_validate(question_body(factory))
        assert q.kind == factory.build().kind


def test_choice_answers_are_stored_as_the_option_text() -> None:
    q = _question(options=["Mitochondrion", "Ribosome"], answer=" ribosome ")
    assert q.answer == "Ribosome"
    m = QuestionCreate.model_validate(
        question_body(MultipleChoiceFactory, options=["A", "B", "C"], answer=["A", "C"])
        | {"answer": ["c", "A", "a"]}
    )
    assert m.answer == ["A", "C"]  # options' order, once each


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"options": ["A", "B"], "answer": "C"}, "not one of the options"),
        ({"options": ["A"], "answer": "A"}, "2 to 8 options"),
        ({"options": [str(i) for i in range(9)], "answer": "1"}, "8"),
        ({"options": ["Cell", "cell "], "answer": "Cell"}, "distinct"),
        ({"options": ["Café", "cafe"], "answer": "cafe"}, "distinct"),
        ({"options": ["A", "B"], "answer": ["A"]}, "one option text"),
        ({"options": ["A", "B"], "answer": True}, "one option text"),
        ({"options": ["A", "B"], "answer": "A", "tolerance": 0.1}, "short_answer"),
        ({"options": ["A", "B"], "answer": "A", "accepted_answers": ["B"]}, "short_answer"),
        ({"options": ["A", " "], "answer": "A"}, "at least 1"),
    ],
)
def test_single_choice_keys(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _question(**overrides)


@pytest.mark.parametrize(
    ("kind", "overrides", "message"),
    [
        ("multiple_choice", {"options": ["A", "B"], "answer": []}, "lists the correct"),
        ("multiple_choice", {"options": ["A", "B"], "answer": "A"}, "lists the correct"),
        ("multiple_choice", {"options": ["A", "B"], "answer": ["A", "Z"]}, "not one of"),
        ("true_false", {"options": [], "answer": "maybe"}, "boolean"),
        ("true_false", {"options": ["yes", "no"], "answer": True}, "no options"),
        ("short_answer", {"options": ["A", "B"], "answer": "A"}, "no options"),
        ("short_answer", {"answer": True}, "is a string"),
        ("short_answer", {"answer": ["x"]}, "is a string"),
        ("short_answer", {"answer": "x", "tolerance": -1}, "greater than or equal"),
        ("short_answer", {"answer": 46}, "valid string"),  # strict: numbers are sent as text
    ],
)
def test_keys_per_kind(kind: str, overrides: dict[str, Any], message: str) -> None:
    data = {"prompt": "p", "explanation": "e", "kind": kind, **overrides}
    with pytest.raises(ValidationError, match=message):
        QuestionCreate.model_validate(data)


def test_true_false_options_may_be_named_but_are_stored_empty() -> None:
    q = QuestionCreate.model_validate(
        question_body(TrueFalseFactory) | {"options": ["True", "False"], "answer": "false"}
    )
    assert q.options == [] and q.answer is False


def test_short_answer_takes_accepted_answers_and_tolerance() -> None:
    q = QuestionCreate.model_validate(
        question_body(ShortAnswerFactory, answer="46")
        | {"accepted_answers": ["forty-six"], "tolerance": 0.5}
    )
    assert q.accepted_answers == ["forty-six"] and q.tolerance == 0.5


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        QuestionCreate.model_validate(question_body(SingleChoiceFactory) | {"correct": 1})


def test_question_count_is_bounded() -> None:
    one = question_body(TrueFalseFactory)
    body = QuizCreateFactory.build().model_dump(mode="json")
    with pytest.raises(ValidationError, match=f"at most {MAX_QUESTIONS}"):
        QuizCreate.model_validate(body | {"questions": [one] * (MAX_QUESTIONS + 1)})
    with pytest.raises(ValidationError, match="at least 1"):
        QuizCreate.model_validate(body | {"questions": []})
    assert (
        len(QuizCreate.model_validate(body | {"questions": [one] * MAX_QUESTIONS}).questions) == 100
    )


def test_a_quiz_too_large_for_one_document_is_refused() -> None:
    big = question_body(ShortAnswerFactory) | {"explanation": "x" * 4000, "prompt": "p" * 2000}
    body = QuizCreateFactory.build().model_dump(mode="json")
    with pytest.raises(ValidationError, match="split it"):
        QuizCreate.model_validate(body | {"questions": [big] * 100})


def test_replace_refuses_repeated_question_ids() -> None:
    q = question_body(TrueFalseFactory) | {"id": "q1"}
    with pytest.raises(ValidationError, match="same id"):
        QuizReplace.model_validate({"title": "t", "questions": [q, q]})


def test_attempt_answers_are_strictly_typed() -> None:
    ok = AttemptCreate.model_validate(
        {"answers": [{"question_id": "a", "answer": True}, {"question_id": "b", "answer": ["x"]}]}
    )
    assert ok.answers[0].answer is True
    for bad in (1, 3.5, None, {"x": 1}, [1]):
        with pytest.raises(ValidationError):
            AttemptCreate.model_validate({"answers": [{"question_id": "a", "answer": bad}]})
    with pytest.raises(ValidationError):
        AttemptCreate.model_validate({"answers": [{"question_id": "a/b", "answer": "x"}]})


def test_the_documented_not_blank_pattern_is_what_validation_strips() -> None:
    """The pattern that documents "not only whitespace" (found by the API
    fuzzer: whitespace-only text was documented as valid) refuses exactly the
    characters pydantic's strip_whitespace removes, so schema and API agree."""
    import re

    from pydantic import StringConstraints, TypeAdapter

    from aksio.assessments.sources import NOT_BLANK_PATTERN, is_blank

    stripped = TypeAdapter(Annotated[str, StringConstraints(strip_whitespace=True)])
    pattern = re.compile(NOT_BLANK_PATTERN)
    refused = {c for c in range(0x110000) if not pattern.fullmatch(chr(c))}
    # every candidate: Python's idea of whitespace, and JSON Schema's (\ufeff)
    candidates = {c for c in range(0x110000) if chr(c).isspace()} | {0xFEFF}
    assert refused <= candidates
    assert refused == {c for c in candidates if stripped.validate_python(f"{chr(c)}x") == "x"}
    assert is_blank(" \u3000\n") and not is_blank(" \x1c ") and not is_blank("\ufeff")
