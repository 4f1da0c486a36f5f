"""Request and response bodies of the quizzes API (names fixed by API.md).

Questions and their keys, per ``kind``:

- ``single_choice``: 2-8 distinct ``options``; ``answer`` is one of them.
- ``multiple_choice``: 2-8 distinct ``options``; ``answer`` lists the correct
  ones (one or several); an attempt is right when it picks exactly those.
- ``true_false``: ``answer`` is a boolean; ``options`` is ``[]`` (or
  ``["true", "false"]``, accepted on input and stored as ``[]``: the kind says
  it all, and a client renders the two buttons in its own language).
- ``short_answer``: ``answer`` is the expected text; ``accepted_answers`` lists
  other accepted forms and ``tolerance`` the absolute slack for a numeric
  answer (see aksio.assessments.quizzes.grading).

Options are distinct after normalisation (``"Cell"`` and ``"cell "`` would
make the key ambiguous), and an answer naming an option is stored as that
option's exact text.

What a GET shows: a question's ``answer``, ``accepted_answers``, ``tolerance``
and ``explanation`` give the answer away, so they are shown only with
``?reveal=true`` (the owner editing the quiz) and in attempt results. The
``explanation`` key stays in the shape, null while hidden.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from aksio.assessments.quizzes.grading import match_option, normalize_text
from aksio.assessments.sources import NOT_BLANK, Source, SourceIn
from aksio.pagination import PageQuery
from aksio.validation import OMITTED, Id, Strict, refuse_null

MAX_QUESTIONS = 100
MIN_OPTIONS, MAX_OPTIONS = 2, 8
MAX_ACCEPTED_ANSWERS = 20
MAX_QUIZ_BYTES = 400_000
"""Encoded size of a quiz's questions. A Firestore document holds at most
1 MiB; an attempt stores each question's key and explanation again, so the
quiz stays well under half of it (a 100-question quiz of ordinary length is
about a tenth of this)."""

QuestionKind = Literal["single_choice", "multiple_choice", "true_false", "short_answer"]
QuizStatus = Literal["queued", "running", "ready", "failed"]
CHOICE_KINDS = frozenset({"single_choice", "multiple_choice"})


Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NOT_BLANK
]
Prompt = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), NOT_BLANK
]
Explanation = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000), NOT_BLANK
]
OptionText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), NOT_BLANK
]
AnswerText = Annotated[
    StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), NOT_BLANK
]
AnswerKey = AnswerText | list[AnswerText] | StrictBool
"""What ``answer`` may hold in a question (which one depends on ``kind``)."""


class QuestionCreate(Strict):
    kind: QuestionKind
    prompt: Prompt
    options: Annotated[list[OptionText], Field(max_length=MAX_OPTIONS)] = []
    answer: AnswerKey
    accepted_answers: Annotated[list[AnswerText], Field(max_length=MAX_ACCEPTED_ANSWERS)] = []
    tolerance: Annotated[float, Field(ge=0, le=1e12)] | None = None
    """Absolute slack for a numeric short answer; null: a tiny relative one."""
    explanation: Explanation
    source: SourceIn | None = None
    section_id: Id | None = None

    @model_validator(mode="after")
    def _check_key(self) -> QuestionCreate:
        check_question(self)
        return self


class QuestionReplace(QuestionCreate):
    """A question in PUT: ``id`` keeps a question of the quiz (so earlier
    attempts still point at it); left out, the question gets a new id."""

    id: Id | SkipJsonSchema[None] = OMITTED

    _not_null = field_validator("id")(refuse_null)


def check_question(q: QuestionCreate) -> None:
    """Raise ValueError unless the answer fits the kind and the options;
    normalises the key in place (option texts, true_false options)."""
    if q.kind in CHOICE_KINDS:
        if not MIN_OPTIONS <= len(q.options) <= MAX_OPTIONS:
            raise ValueError(f"a {q.kind} question has {MIN_OPTIONS} to {MAX_OPTIONS} options")
        seen = {normalize_text(o) for o in q.options}
        if len(seen) != len(q.options) or "" in seen:
            raise ValueError("options must be distinct (ignoring case, accents and spacing)")
    elif q.kind == "true_false":
        if q.options and [o.casefold() for o in q.options] != ["true", "false"]:
            raise ValueError('a true_false question has no options (or ["true", "false"])')
        q.options = []
    elif q.options:
        raise ValueError("a short_answer question has no options")

    if q.kind != "short_answer" and (q.accepted_answers or q.tolerance is not None):
        raise ValueError("accepted_answers and tolerance apply to short_answer questions only")

    if q.kind == "single_choice":
        if not isinstance(q.answer, str):
            raise ValueError("the answer of a single_choice question is one option text")
        q.answer = _option(q.options, q.answer)
    elif q.kind == "multiple_choice":
        if not isinstance(q.answer, list) or not q.answer:
            raise ValueError("the answer of a multiple_choice question lists the correct options")
        chosen = [_option(q.options, a) for a in q.answer]
        # In the options' order, once each: the key reads like the question.
        q.answer = [o for o in q.options if o in chosen]
    elif q.kind == "true_false":
        if isinstance(q.answer, str) and q.answer.casefold() in {"true", "false"}:
            q.answer = q.answer.casefold() == "true"
        if not isinstance(q.answer, bool):
            raise ValueError("the answer of a true_false question is a boolean")
    elif not isinstance(q.answer, str):
        raise ValueError("the answer of a short_answer question is a string")


def _option(options: list[str], value: str) -> str:
    option = match_option(options, value)
    if option is None:
        raise ValueError(f"the answer {value[:100]!r} is not one of the options")
    return option


Questions = Annotated[list[QuestionCreate], Field(min_length=1, max_length=MAX_QUESTIONS)]


def _check_size(questions: list[QuestionCreate]) -> None:
    size = len(json.dumps([q.model_dump(mode="json") for q in questions]).encode())
    if size > MAX_QUIZ_BYTES:
        raise ValueError(
            f"the questions take {size} bytes; a quiz holds at most {MAX_QUIZ_BYTES}: split it"
        )


class QuizCreate(Strict):
    course_id: Id
    title: Title
    section_id: Id | None = None
    """The section the quiz is about; questions without their own section count under it."""
    questions: Questions

    @model_validator(mode="after")
    def _fits(self) -> QuizCreate:
        _check_size(list(self.questions))
        return self


class QuizReplace(Strict):
    """PUT: title, section and the questions (all of them, in order).
    ``course_id`` may be sent (a quiz read and sent back) but must not change."""

    course_id: Id | SkipJsonSchema[None] = OMITTED
    title: Title
    section_id: Id | None = None
    questions: Annotated[list[QuestionReplace], Field(min_length=1, max_length=MAX_QUESTIONS)]

    _not_null = field_validator("course_id")(refuse_null)

    @model_validator(mode="after")
    def _fits(self) -> QuizReplace:
        _check_size(list(self.questions))
        ids = [q.id for q in self.questions if q.id is not None]
        if len(ids) != len(set(ids)):
            raise ValueError("two questions have the same id")
        return self


# ------------------------------------------------------------------ responses
class Question(BaseModel):
    """A question as a student sees it before answering: no key."""

    id: str
    kind: QuestionKind
    prompt: str
    options: list[str]
    explanation: str | None
    """Null unless revealed (?reveal=true); attempt results carry it."""
    source: Source | None
    section_id: str | None


class RevealedQuestion(Question):
    """With ``?reveal=true``: the key as well, for the owner editing the quiz."""

    answer: str | list[str] | bool
    accepted_answers: list[str]
    tolerance: float | None


class Quiz(BaseModel):
    id: str
    course_id: str
    section_id: str | None
    title: str
    status: QuizStatus
    error: str | None
    """Why generation failed (status ``failed``), in a sentence a student can read."""
    warnings: list[str]
    questions: list[RevealedQuestion | Question]
    question_count: int
    created_at: datetime
    updated_at: datetime


class QuizListQuery(PageQuery):
    """Newest first; ``course_id`` filters."""

    model_config = ConfigDict(extra="forbid")

    course_id: Id | None = None


class QuizGetQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reveal: bool = False
    """Show the answers and explanations (for editing the quiz)."""


# ------------------------------------------------------------------ attempts
GivenAnswer = (
    Annotated[StrictStr, StringConstraints(max_length=2000)]
    | Annotated[list[Annotated[StrictStr, StringConstraints(max_length=500)]], Field(max_length=8)]
    | StrictBool
)


class AnswerIn(Strict):
    question_id: Id
    answer: GivenAnswer
    """One option text (single_choice), a list of option texts
    (multiple_choice), a boolean (true_false) or a string (short_answer)."""


class AttemptCreate(Strict):
    """Questions left out count as wrong."""

    answers: Annotated[list[AnswerIn], Field(max_length=MAX_QUESTIONS)]


class AttemptResult(BaseModel):
    question_id: str
    correct: bool
    expected: str | list[str] | bool
    """The right answer: the option, the correct options, the boolean, or the expected text."""
    explanation: str | None


class Attempt(BaseModel):
    id: str
    quiz_id: str
    score: float
    """Share of the questions answered right, 0 to 1."""
    correct_count: int
    total: int
    results: list[AttemptResult]
    created_at: datetime


class AttemptListQuery(PageQuery):
    model_config = ConfigDict(extra="forbid")


def stored_question(q: QuestionCreate, question_id: str) -> dict[str, Any]:
    """A question as the quiz document holds it (key included)."""
    data = q.model_dump(mode="json", exclude={"id"})
    data["id"] = question_id
    return data
