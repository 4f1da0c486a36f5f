"""Quizzes on the embedded SQLite store (real transactions), no HTTP: the
storage layout, the generation interface (pending -> running -> filled),
attempts with their weakness counters, and course deletion's clean-up."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aksio.adapters.counting_store import CountingDocumentStore
from aksio.adapters.sqlite_store import SqliteDocumentStore
from aksio.assessments import cleanup, paths, stats
from aksio.assessments.quizzes import repository
from aksio.assessments.quizzes.models import (
    AnswerIn,
    AttemptCreate,
    AttemptListQuery,
    QuestionCreate,
    QuizCreate,
    QuizListQuery,
    RevealedQuestion,
)
from aksio.courses import repository as courses
from aksio.errors import Conflict, InvalidInput, NotFound
from tests.factories.courses import CourseCreateFactory, SectionCreateFactory
from tests.factories.quizzes import (
    MultipleChoiceFactory,
    QuizCreateFactory,
    ShortAnswerFactory,
    SingleChoiceFactory,
    TrueFalseFactory,
    one_of_each,
)

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
UID = "user-a"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteDocumentStore]:
    s = SqliteDocumentStore(tmp_path / "db.sqlite3")
    yield s
    s.close()


@pytest.fixture
def course_id(store: SqliteDocumentStore) -> str:
    return courses.create_course(store, UID, CourseCreateFactory.build(), NOW).id


def section(store: SqliteDocumentStore, course_id: str) -> str:
    return courses.create_section(store, UID, course_id, SectionCreateFactory.build(), NOW).id


def quiz(store: SqliteDocumentStore, course_id: str, **overrides: Any) -> str:
    body = QuizCreateFactory.build(course_id=course_id, **overrides)
    return repository.create_quiz(store, UID, body, NOW).id


def test_quiz_document_keeps_keys_and_course_id(store: SqliteDocumentStore, course_id: str) -> None:
    body = QuizCreateFactory.build(course_id=course_id)
    created = repository.create_quiz(store, UID, body, NOW)
    snap = store.get(paths.quiz(UID, created.id))
    assert snap is not None
    assert snap.data["course_id"] == course_id and snap.data["status"] == "ready"
    stored = snap.data["questions"]
    assert [q["answer"] for q in stored] == [q.answer for q in body.questions]
    assert all(q["id"] for q in stored) and len({q["id"] for q in stored}) == len(stored)
    # ids are stable across reads
    again = repository.get_quiz(store, UID, created.id)
    assert [q.id for q in again.questions] == [q["id"] for q in stored]
    assert created.question_count == len(body.questions) == 4


def test_reads_hide_the_key_unless_revealed(store: SqliteDocumentStore, course_id: str) -> None:
    quiz_id = quiz(store, course_id)
    hidden = repository.get_quiz(store, UID, quiz_id).model_dump(mode="json")
    for q in hidden["questions"]:
        assert "answer" not in q and "accepted_answers" not in q and "tolerance" not in q
        assert q["explanation"] is None
    shown = repository.get_quiz(store, UID, quiz_id, reveal=True)
    assert all(isinstance(q, RevealedQuestion) and q.explanation for q in shown.questions)


def test_course_and_sections_must_be_the_callers(
    store: SqliteDocumentStore, course_id: str
) -> None:
    other_course = courses.create_course(store, "user-b", CourseCreateFactory.build(), NOW).id
    with pytest.raises(NotFound, match="course"):
        quiz(store, other_course)
    foreign_section = section(
        store, courses.create_course(store, UID, CourseCreateFactory.build(), NOW).id
    )
    with pytest.raises(NotFound, match="section") as err:
        quiz(store, course_id, section_id=foreign_section)
    assert err.value.details == {"section_ids": [foreign_section]}
    questions = [SingleChoiceFactory.build(section_id=foreign_section)]
    with pytest.raises(NotFound, match="section"):
        quiz(store, course_id, questions=questions)
    own = section(store, course_id)
    assert quiz(
        store, course_id, section_id=own, questions=[TrueFalseFactory.build(section_id=own)]
    )


def test_no_quiz_for_a_course_being_deleted(store: SqliteDocumentStore, course_id: str) -> None:
    courses.mark_deleting(store, UID, course_id, NOW)
    with pytest.raises(NotFound):
        quiz(store, course_id)
    with pytest.raises(NotFound):
        repository.create_pending_quiz(
            store, UID, course_id=course_id, title="t", section_id=None, now=NOW
        )


# ------------------------------------------------------------------ generation interface
def test_pending_quiz_moves_to_ready_when_filled(
    store: SqliteDocumentStore, course_id: str
) -> None:
    sid = section(store, course_id)
    pending = repository.create_pending_quiz(
        store, UID, course_id=course_id, title="Generated", section_id=sid, now=NOW
    )
    assert (pending.status, pending.questions, pending.question_count) == ("queued", [], 0)
    later = NOW + timedelta(minutes=1)
    repository.set_quiz_status(store, UID, pending.id, "running", later)
    running = repository.get_quiz(store, UID, pending.id)
    assert running.status == "running" and running.updated_at == later
    with pytest.raises(Conflict):
        repository.submit_attempt(store, UID, pending.id, AttemptCreate(answers=[]), later)

    filled = repository.fill_quiz(
        store, UID, pending.id, one_of_each(), later, warnings=["2 duplicates dropped"]
    )
    assert filled.status == "ready" and filled.question_count == 4
    assert filled.warnings == ["2 duplicates dropped"] and filled.error is None
    assert repository.get_quiz(store, UID, pending.id).section_id == sid


def test_failed_generation_keeps_its_error(store: SqliteDocumentStore, course_id: str) -> None:
    pending = repository.create_pending_quiz(
        store, UID, course_id=course_id, title="Generated", section_id=None, now=NOW
    )
    repository.set_quiz_status(store, UID, pending.id, "failed", NOW, error="No documents.")
    failed = repository.get_quiz(store, UID, pending.id)
    assert (failed.status, failed.error) == ("failed", "No documents.")
    with pytest.raises(ValueError, match="not a quiz status"):
        repository.set_quiz_status(store, UID, pending.id, "done", NOW)


def test_generation_finds_a_deleted_quiz_gone(store: SqliteDocumentStore, course_id: str) -> None:
    pending = repository.create_pending_quiz(
        store, UID, course_id=course_id, title="Generated", section_id=None, now=NOW
    )
    repository.delete_quiz(store, UID, pending.id)
    with pytest.raises(NotFound):
        repository.set_quiz_status(store, UID, pending.id, "running", NOW)
    with pytest.raises(NotFound):
        repository.fill_quiz(store, UID, pending.id, one_of_each(), NOW)
    assert store.get(paths.quiz(UID, pending.id)) is None


def test_a_quiz_being_generated_cannot_be_replaced(
    store: SqliteDocumentStore, course_id: str
) -> None:
    from aksio.assessments.quizzes.models import QuizReplace

    pending = repository.create_pending_quiz(
        store, UID, course_id=course_id, title="Generated", section_id=None, now=NOW
    )
    body = QuizReplace.model_validate(
        {"title": "mine", "questions": [TrueFalseFactory.build().model_dump(mode="json")]}
    )
    with pytest.raises(Conflict):
        repository.replace_quiz(store, UID, pending.id, body, NOW)
    repository.set_quiz_status(store, UID, pending.id, "failed", NOW, error="x")
    # a failed one may be written by hand instead
    assert repository.replace_quiz(store, UID, pending.id, body, NOW).status == "ready"


# ------------------------------------------------------------------ attempts
def test_attempt_is_graded_stored_and_counts_weakness(
    store: SqliteDocumentStore, course_id: str
) -> None:
    s1, s2 = section(store, course_id), section(store, course_id)
    questions = [
        SingleChoiceFactory.build(section_id=s1),
        TrueFalseFactory.build(
            section_id=s1, answer=True, prompt="Water crosses membranes by osmosis."
        ),
        ShortAnswerFactory.build(section_id=s2),
        MultipleChoiceFactory.build(),  # no section of its own: counts under the quiz's
    ]
    quiz_id = quiz(store, course_id, section_id=s2, questions=questions)
    ids = [q.id for q in repository.get_quiz(store, UID, quiz_id).questions]
    answers = AttemptCreate(
        answers=[
            AnswerIn(question_id=ids[0], answer=str(questions[0].answer)),  # right
            AnswerIn(question_id=ids[1], answer=False),  # wrong
            AnswerIn(question_id=ids[2], answer="definitely not it"),  # wrong
            # ids[3] unanswered: wrong
        ]
    )
    counting = CountingDocumentStore(store)
    attempt = repository.submit_attempt(counting, UID, quiz_id, answers, NOW)
    assert counting.writes == 2  # the attempt and the stats document
    assert (attempt.correct_count, attempt.total, attempt.score) == (1, 4, 0.25)
    assert [r.correct for r in attempt.results] == [True, False, False, False]
    assert attempt.results[1].expected is True
    assert attempt.results[2].expected == questions[2].answer
    assert attempt.results[3].expected == questions[3].answer
    assert all(r.explanation for r in attempt.results)

    doc = store.get(paths.stats(UID))
    assert doc is not None
    counts = doc.data["weakness"][course_id]
    assert counts[s1] == {"answered": 2, "wrong": 1}
    assert counts[s2] == {"answered": 2, "wrong": 2}
    weakness = stats.weakness(doc.data, course_id)
    assert weakness[s2] > weakness[s1] > 0

    stored = repository.get_attempt(store, UID, quiz_id, attempt.id)
    assert stored == attempt


def test_attempt_errors_name_each_bad_answer(store: SqliteDocumentStore, course_id: str) -> None:
    quiz_id = quiz(store, course_id)
    ids = [q.id for q in repository.get_quiz(store, UID, quiz_id).questions]  # sc, mc, tf, sa
    body = AttemptCreate(
        answers=[
            AnswerIn(question_id="nope", answer="x"),
            AnswerIn(question_id=ids[0], answer="not an option"),
            AnswerIn(question_id=ids[1], answer="a string"),
            AnswerIn(question_id=ids[2], answer="true"),
            AnswerIn(question_id=ids[3], answer=True),
            AnswerIn(question_id=ids[3], answer="46"),
        ]
    )
    with pytest.raises(InvalidInput) as err:
        repository.submit_attempt(store, UID, quiz_id, body, NOW)
    details = err.value.details
    assert [d["field"] for d in details] == [
        "answers.0.question_id",
        "answers.1.answer",
        "answers.2.answer",
        "answers.3.answer",
        "answers.4.answer",
        "answers.5.question_id",
    ]
    assert details[0]["question_id"] == "nope"
    assert "not one of the options" in details[1]["message"]
    assert "answered twice" in details[5]["message"]
    # nothing was kept, nothing counted
    assert store.get(paths.stats(UID)) is None
    assert repository.list_attempts(store, UID, quiz_id, AttemptListQuery()).items == []


def test_attempts_list_newest_first_and_page(store: SqliteDocumentStore, course_id: str) -> None:
    quiz_id = quiz(store, course_id)
    made = [
        repository.submit_attempt(
            store, UID, quiz_id, AttemptCreate(answers=[]), NOW + timedelta(minutes=i)
        ).id
        for i in range(3)
    ]
    first = repository.list_attempts(store, UID, quiz_id, AttemptListQuery(limit=2))
    assert [a.id for a in first.items] == made[::-1][:2] and first.next_cursor
    rest = repository.list_attempts(
        store, UID, quiz_id, AttemptListQuery(limit=2, cursor=first.next_cursor)
    )
    assert [a.id for a in rest.items] == made[:1] and rest.next_cursor is None
    assert all(a.score == 0 for a in first.items)


def test_list_filters_by_course_newest_first(store: SqliteDocumentStore, course_id: str) -> None:
    other = courses.create_course(store, UID, CourseCreateFactory.build(), NOW).id
    mine = [
        repository.create_quiz(
            store, UID, QuizCreateFactory.build(course_id=c), NOW + timedelta(seconds=i)
        ).id
        for i, c in enumerate([course_id, other, course_id])
    ]
    page = repository.list_quizzes(store, UID, QuizListQuery(course_id=course_id))
    assert [q.id for q in page.items] == [mine[2], mine[0]]
    everything = repository.list_quizzes(store, UID, QuizListQuery())
    assert [q.id for q in everything.items] == mine[::-1]


def test_delete_removes_attempts_and_course_deletion_removes_quizzes(
    store: SqliteDocumentStore, course_id: str
) -> None:
    gone, kept = quiz(store, course_id), quiz(store, course_id)
    attempt = repository.submit_attempt(store, UID, gone, AttemptCreate(answers=[]), NOW)
    repository.delete_quiz(store, UID, gone)
    assert store.get(paths.attempt(UID, gone, attempt.id)) is None
    with pytest.raises(NotFound):
        repository.get_quiz(store, UID, gone)
    with pytest.raises(NotFound):
        repository.delete_quiz(store, UID, gone)

    repository.submit_attempt(store, UID, kept, AttemptCreate(answers=[]), NOW)
    assert cleanup.purge_course_items(store, UID, course_id) == 2  # quiz + attempt
    assert repository.list_quizzes(store, UID, QuizListQuery()).items == []


def test_ids_that_cannot_be_ids_are_not_found(store: SqliteDocumentStore) -> None:
    for bad in ("a/b", "", "x" * 200):
        with pytest.raises(NotFound):
            repository.get_quiz(store, UID, bad)
    with pytest.raises(NotFound):
        repository.get_attempt(store, UID, "abc", "../x")


def test_questions_are_pinned_for_generation() -> None:
    """The generation helper builds QuestionCreate from drafts: "true"/"false"
    strings and option texts in any case are accepted and normalised."""
    q = QuestionCreate(
        kind="true_false", prompt="Osmosis moves water.", answer="true", explanation="Yes."
    )
    assert q.answer is True
    body = QuizCreate(course_id="c1", title="t", questions=[q])
    assert body.questions[0].options == []
