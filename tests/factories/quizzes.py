"""Quiz request bodies built from the API's own models, valid by
construction (the models check each key against its kind and options);
tests pass ``course_id`` and override only what they are about."""

from __future__ import annotations

import random
from typing import Any

from polyfactory import PostGenerated, Use
from polyfactory.factories.pydantic_factory import ModelFactory

from aksio.assessments.quizzes.models import QuestionCreate, QuizCreate
from aksio.ids import new_id

TERMS = [
    "mitochondrion",
    "ribosome",
    "chloroplast",
    "Golgi apparatus",
    "lysosome",
    "nucleus",
    "vacuole",
    "cytoskeleton",
    "endoplasmic reticulum",
]
FACTS = [
    ("The mitochondrion produces most of the cell's ATP.", True),
    ("Ribosomes are enclosed by a double membrane.", False),
    ("Water crosses membranes by osmosis.", True),
    ("Plant cells lack a cell wall.", False),
]
SHORT = [
    ("How many chromosomes does a human somatic cell hold?", "46"),
    ("What is the charge of an electron, in units of e?", "-1"),
    ("Name the process by which plants make glucose from light.", "Photosynthesis"),
    ("What is the pH of pure water at 25 °C?", "7"),
]


def _options() -> list[str]:
    return random.sample(TERMS, k=random.randint(3, 5))


def _prompt(kind: str) -> str:
    return f"Which {kind.replace('_', ' ')} question is this? ({random.randint(1, 10**9)})"


class _QuestionFactory(ModelFactory[QuestionCreate]):
    options: Any = Use(list)
    accepted_answers: Any = Use(list)
    tolerance = None
    explanation = Use(lambda: random.choice(FACTS)[0] + " See chapter 2.")
    source = None
    section_id = None


class SingleChoiceFactory(_QuestionFactory):
    kind = "single_choice"
    prompt = Use(_prompt, "single_choice")
    options = Use(_options)
    answer = PostGenerated(lambda _name, values: random.choice(values["options"]))


class MultipleChoiceFactory(_QuestionFactory):
    kind = "multiple_choice"
    prompt = Use(_prompt, "multiple_choice")
    options = Use(_options)
    answer = PostGenerated(
        lambda _name, values: random.sample(values["options"], k=random.randint(1, 2))
    )


class TrueFalseFactory(_QuestionFactory):
    kind = "true_false"
    prompt = Use(lambda: random.choice(FACTS)[0])
    answer = PostGenerated(lambda _name, values: dict(FACTS)[values["prompt"]])


class ShortAnswerFactory(_QuestionFactory):
    kind = "short_answer"
    prompt = Use(lambda: random.choice(SHORT)[0])
    answer = PostGenerated(lambda _name, values: dict(SHORT)[values["prompt"]])


QUESTION_FACTORIES: list[type[_QuestionFactory]] = [
    SingleChoiceFactory,
    MultipleChoiceFactory,
    TrueFalseFactory,
    ShortAnswerFactory,
]


def one_of_each() -> list[QuestionCreate]:
    return [f.build() for f in QUESTION_FACTORIES]


class QuizCreateFactory(ModelFactory[QuizCreate]):
    course_id = Use(new_id)
    title = Use(lambda: f"Cell biology quiz {random.randint(1, 999)}")
    section_id = None
    questions = Use(one_of_each)


def question_body(factory: type[_QuestionFactory], **overrides: Any) -> dict[str, Any]:
    """A question as JSON (what a client sends)."""
    data: dict[str, Any] = factory.build(**overrides).model_dump(mode="json", exclude_none=True)
    return data


def quiz_body(course_id: str, **overrides: Any) -> dict[str, Any]:
    """A quiz as JSON; ``questions`` may be given as JSON bodies (question_body)."""
    questions = overrides.pop("questions", None)
    data: dict[str, Any] = QuizCreateFactory.build(course_id=course_id, **overrides).model_dump(
        mode="json", exclude_none=True
    )
    if questions is not None:
        data["questions"] = questions
    return data
