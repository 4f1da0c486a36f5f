"""Quiz rules without I/O: what a reader sees of a question, and grading a
whole attempt against the stored questions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aksio.assessments.quizzes import grading
from aksio.assessments.quizzes.models import (
    AnswerIn,
    AttemptResult,
    Question,
    RevealedQuestion,
)
from aksio.errors import InvalidInput


def question_view(data: Mapping[str, Any], *, reveal: bool) -> Question:
    """A stored question as the API shows it: without its key unless revealed."""
    if reveal:
        return RevealedQuestion.model_validate(data)
    return Question.model_validate({**data, "explanation": None})


@dataclass(frozen=True)
class GradedAttempt:
    results: list[AttemptResult]
    sections: list[tuple[str | None, bool]]
    """(section_id, correct) per question, for the weakness counters."""

    @property
    def correct_count(self) -> int:
        return sum(r.correct for r in self.results)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def score(self) -> float:
        return grading.score(self.correct_count, self.total)


def grade_attempt(
    questions: Sequence[Mapping[str, Any]],
    answers: Sequence[AnswerIn],
    *,
    quiz_section_id: str | None = None,
) -> GradedAttempt:
    """Grade every question of the quiz (unanswered ones are wrong).

    Raises InvalidInput naming each answer that cannot be graded: an unknown
    or repeated question id, a value of the wrong type for the question's
    kind, or a choice that is not among its options."""
    by_id = {str(q["id"]): q for q in questions}
    given: dict[str, grading.AnswerValue] = {}
    problems: list[dict[str, Any]] = []
    for i, a in enumerate(answers):
        question = by_id.get(a.question_id)
        if question is None:
            problems.append(
                _problem(i, "question_id", a.question_id, "no such question in this quiz")
            )
        elif a.question_id in given:
            problems.append(_problem(i, "question_id", a.question_id, "answered twice"))
        else:
            given[a.question_id] = a.answer
            try:
                grading.grade(question["kind"], **_key(question), given=a.answer)
            except grading.AnswerTypeError as exc:
                problems.append(_problem(i, "answer", a.question_id, str(exc)))
    if problems:
        raise InvalidInput("Some answers do not fit their questions.", details=problems)

    results = []
    sections = []
    for q in questions:
        correct = grading.grade(q["kind"], **_key(q), given=given.get(str(q["id"])))
        results.append(
            AttemptResult(
                question_id=str(q["id"]),
                correct=correct,
                expected=q["answer"],
                explanation=q.get("explanation"),
            )
        )
        sections.append((q.get("section_id") or quiz_section_id, correct))
    return GradedAttempt(results=results, sections=sections)


def _key(question: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "options": list(question.get("options") or []),
        "answer": question["answer"],
        "accepted_answers": list(question.get("accepted_answers") or []),
        "tolerance": question.get("tolerance"),
    }


def _problem(index: int, field: str, question_id: str, message: str) -> dict[str, Any]:
    return {
        "field": f"answers.{index}.{field}",
        "location": "body",
        "question_id": question_id,
        "message": message,
    }
