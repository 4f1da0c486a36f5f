"""Quizzes and their attempts in the document store.

A quiz document (``users/{uid}/quizzes/{id}``) holds the API fields with
each question's key (``answer``, ``accepted_answers``, ``tolerance``) and
``course_id`` (course deletion removes quizzes by it). Attempts live below
it (``.../quizzes/{id}/attempts/{attempt_id}``) and keep each result's
expected answer and explanation as they were when graded, so editing the
quiz later does not rewrite history. An attempt and the weakness counters
of the stats document are written in one transaction.

Generated quizzes are created empty (``queued``) by
:func:`create_pending_quiz`, then moved along by :func:`set_quiz_status`
and :func:`fill_quiz`; a quiz being generated cannot be edited or answered.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, get_args

from aksio.assessments import paths, sources, stats
from aksio.assessments.quizzes import domain
from aksio.assessments.quizzes.models import (
    Attempt,
    AttemptCreate,
    AttemptListQuery,
    QuestionCreate,
    Quiz,
    QuizCreate,
    QuizListQuery,
    QuizReplace,
    QuizStatus,
    stored_question,
)
from aksio.courses import paths as course_paths
from aksio.courses.repository import COURSE_GONE, DELETING, SECTION_GONE, course_path
from aksio.errors import Conflict, InvalidInput, NotFound
from aksio.ids import is_valid_id, new_id
from aksio.pagination import Page, fetch_page
from aksio.ports.documents import DocumentStore, Query, Snapshot, Transaction, collection
from aksio.tasks.stuck import is_stuck

QUIZ_GONE = "No such quiz."
ATTEMPT_GONE = "No such attempt."
BUSY_STATUSES = frozenset({"queued", "running"})
STATUSES = frozenset(get_args(QuizStatus))

QUERY_INDEXES: list[dict[str, Any]] = [
    {
        "collectionGroup": "quizzes",
        "queryScope": "COLLECTION",
        "fields": [
            {"fieldPath": "course_id", "order": "ASCENDING"},
            {"fieldPath": "created_at", "order": "DESCENDING"},
        ],
    }
]
"""Composite indexes the queries below need in Firestore. The unfiltered quiz
list and the attempt list order by ``created_at`` alone: single-field indexes."""


# ------------------------------------------------------------------ paths
def quiz_path(uid: str, quiz_id: str) -> str:
    if not is_valid_id(quiz_id):
        raise NotFound(QUIZ_GONE)
    return paths.quiz(uid, quiz_id)


def _attempt_path(uid: str, quiz_id: str, attempt_id: str) -> str:
    if not is_valid_id(attempt_id):
        raise NotFound(ATTEMPT_GONE)
    return paths.attempt(uid, quiz_id, attempt_id)


# ------------------------------------------------------------------ reading
def to_quiz(snap: Snapshot, *, reveal: bool = False) -> Quiz:
    data = snap.data
    questions = list(data.get("questions") or [])
    return Quiz(
        id=snap.id,
        course_id=data["course_id"],
        section_id=data.get("section_id"),
        title=data["title"],
        status=data["status"],
        error=data.get("error"),
        warnings=list(data.get("warnings") or []),
        questions=[domain.question_view(q, reveal=reveal) for q in questions],
        question_count=len(questions),
        created_at=data["created_at"],
        updated_at=data["updated_at"],
    )


def _existing(snap: Snapshot | None) -> Snapshot:
    if snap is None:
        raise NotFound(QUIZ_GONE)
    return snap


def get_quiz(store: DocumentStore, uid: str, quiz_id: str, *, reveal: bool = False) -> Quiz:
    return to_quiz(_existing(store.get(quiz_path(uid, quiz_id))), reveal=reveal)


def list_query(uid: str, course_id: str | None) -> Query:
    query = collection(paths.quizzes(uid))
    if course_id is not None:
        query = query.where("course_id", "==", course_id)
    return query.order_by("created_at", "desc")


def list_quizzes(store: DocumentStore, uid: str, page: QuizListQuery) -> Page[Quiz]:
    query = list_query(uid, page.course_id)
    return fetch_page(store, query, page, to_quiz)


# ------------------------------------------------------------------ course checks
def _section_ids(section_id: str | None, questions: Sequence[QuestionCreate]) -> list[str]:
    ids = {q.section_id for q in questions if q.section_id} | (
        {section_id} if section_id else set()
    )
    return sorted(ids)


def _cited(questions: Sequence[QuestionCreate]) -> list[str]:
    return sources.cited_documents(q.source for q in questions)


def _check_course(
    tx: Transaction,
    uid: str,
    course_id: str,
    section_ids: Collection[str],
    document_ids: Collection[str] = (),
) -> None:
    """The course is the caller's and live, and every section, and every
    document a citation names, is one of its own (404 otherwise). Read in the
    transaction, so a course being deleted meanwhile cannot end up with a new
    quiz that its clean-up missed."""
    ordered = list(section_ids)
    bad = [sid for sid in ordered if not is_valid_id(sid)]
    if bad:
        raise NotFound(SECTION_GONE, details={"section_ids": bad})
    documents = sorted(set(document_ids))
    snaps = tx.get_many(
        [course_path(uid, course_id)]
        + [course_paths.section(uid, course_id, sid) for sid in ordered]
        + sources.document_paths(uid, course_id, documents)
    )
    course = snaps[0]
    if course is None or course.data.get("status") == DELETING:
        raise NotFound(COURSE_GONE, details={"course_id": course_id})
    section_snaps = snaps[1 : 1 + len(ordered)]
    missing = [sid for sid, snap in zip(ordered, section_snaps, strict=True) if snap is None]
    if missing:
        raise NotFound(SECTION_GONE, details={"section_ids": missing})
    sources.require_documents(snaps[1 + len(ordered) :], documents)


# ------------------------------------------------------------------ writing
def _new_quiz_data(
    *, course_id: str, section_id: str | None, title: str, now: datetime
) -> dict[str, Any]:
    return {
        "course_id": course_id,
        "section_id": section_id,
        "title": title,
        "status": "queued",
        "error": None,
        "warnings": [],
        "questions": [],
        "question_count": 0,
        "created_at": now,
        "updated_at": now,
    }


def _questions_data(
    questions: Sequence[QuestionCreate], ids: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    chosen = ids if ids is not None else [new_id() for _ in questions]
    return [stored_question(q, qid) for q, qid in zip(questions, chosen, strict=True)]


def create_quiz(store: DocumentStore, uid: str, body: QuizCreate, now: datetime) -> Quiz:
    """A quiz written by hand: ready to answer at once."""
    quiz_id = new_id()
    path = paths.quiz(uid, quiz_id)
    questions = _questions_data(body.questions)
    data = {
        **_new_quiz_data(
            course_id=body.course_id, section_id=body.section_id, title=body.title, now=now
        ),
        "status": "ready",
        "questions": questions,
        "question_count": len(questions),
    }

    def apply(tx: Transaction) -> None:
        _check_course(
            tx,
            uid,
            body.course_id,
            _section_ids(body.section_id, body.questions),
            _cited(body.questions),
        )
        tx.create(path, data)

    store.run_transaction(apply)
    return _quiz_from(path, data, reveal=True)


def create_pending_quiz(
    store: DocumentStore,
    uid: str,
    *,
    course_id: str,
    title: str,
    section_id: str | None,
    now: datetime,
) -> Quiz:
    """An empty quiz (``queued``) that generation fills in later."""
    quiz_id = new_id()
    path = paths.quiz(uid, quiz_id)
    data = _new_quiz_data(course_id=course_id, section_id=section_id, title=title, now=now)

    def apply(tx: Transaction) -> None:
        _check_course(tx, uid, course_id, [section_id] if section_id else [])
        tx.create(path, data)

    store.run_transaction(apply)
    return _quiz_from(path, data)


def set_quiz_status(
    store: DocumentStore,
    uid: str,
    quiz_id: str,
    status: str,
    now: datetime,
    *,
    error: str | None = None,
) -> None:
    """Move a generated quiz along (``running``, ``failed`` with ``error``...);
    NotFound if the quiz was deleted meanwhile."""
    if status not in STATUSES:
        raise ValueError(f"not a quiz status: {status!r}")  # a bug, not a client's input
    path = quiz_path(uid, quiz_id)

    def apply(tx: Transaction) -> None:
        _existing(tx.get(path))
        tx.update(path, {"status": status, "error": error, "updated_at": now})

    store.run_transaction(apply)


def fill_quiz(
    store: DocumentStore,
    uid: str,
    quiz_id: str,
    questions: Sequence[QuestionCreate],
    now: datetime,
    *,
    warnings: Sequence[str] = (),
) -> Quiz:
    """Store generated questions; the quiz becomes ``ready``. NotFound if the
    quiz, its course or a question's section is gone meanwhile."""
    path = quiz_path(uid, quiz_id)
    stored = _questions_data(questions)

    def apply(tx: Transaction) -> dict[str, Any]:
        current = _existing(tx.get(path))
        course_id = current.data["course_id"]
        _check_course(tx, uid, course_id, _section_ids(None, questions), _cited(questions))
        change = {
            "status": "ready",
            "error": None,
            "warnings": list(warnings),
            "questions": stored,
            "question_count": len(stored),
            "updated_at": now,
        }
        tx.update(path, change)
        return {**current.data, **change}

    return _quiz_from(path, store.run_transaction(apply), reveal=True)


def replace_quiz(
    store: DocumentStore,
    uid: str,
    quiz_id: str,
    body: QuizReplace,
    now: datetime,
    *,
    stuck_after: timedelta | None = None,
) -> Quiz:
    """PUT: a new title, section and questions. Questions sent with their id
    keep it (earlier attempts name them); an id the quiz does not have is a 400.
    A quiz being generated cannot be edited (409), unless its generation is
    stuck (``aksio.tasks.stuck``; None: never)."""
    path = quiz_path(uid, quiz_id)

    def apply(tx: Transaction) -> dict[str, Any]:
        current = _existing(tx.get(path))
        data = current.data
        busy = data.get("status") in BUSY_STATUSES
        if busy and not (
            stuck_after and is_stuck(data.get("status"), data.get("updated_at"), now, stuck_after)
        ):
            raise Conflict(
                "The quiz is still being generated; edit it once it is ready.",
                details={"status": data.get("status")},
            )
        course_id = data["course_id"]
        if body.course_id is not None and body.course_id != course_id:
            raise InvalidInput(
                "A quiz cannot move to another course.",
                details=[{"field": "course_id", "location": "body", "message": "cannot change"}],
            )
        known = {str(q.get("id")) for q in data.get("questions") or []}
        unknown = [
            {"field": f"questions.{i}.id", "location": "body", "message": "no such question"}
            for i, q in enumerate(body.questions)
            if q.id is not None and q.id not in known
        ]
        if unknown:
            raise InvalidInput("Some question ids are not in this quiz.", details=unknown)
        _check_course(
            tx,
            uid,
            course_id,
            _section_ids(body.section_id, body.questions),
            _cited(body.questions),
        )
        ids = [q.id or new_id() for q in body.questions]
        questions = _questions_data(body.questions, ids)
        change = {
            "title": body.title,
            "section_id": body.section_id,
            "status": "ready",
            "error": None,
            "questions": questions,
            "question_count": len(questions),
            "updated_at": now,
        }
        tx.update(path, change)
        return {**data, **change}

    return _quiz_from(path, store.run_transaction(apply), reveal=True)


def delete_quiz(store: DocumentStore, uid: str, quiz_id: str) -> None:
    """The quiz and its attempts. Weakness counters keep what the attempts
    taught: the student did get those answers wrong."""
    path = quiz_path(uid, quiz_id)
    _existing(store.get(path))
    store.delete_tree(path)


def _quiz_from(path: str, data: dict[str, Any], *, reveal: bool = False) -> Quiz:
    return to_quiz(Snapshot(path, data, data["created_at"], data["updated_at"]), reveal=reveal)


# ------------------------------------------------------------------ attempts
@dataclass(frozen=True)
class Submitted:
    attempt: Attempt
    course_id: str


def submit_attempt(
    store: DocumentStore, uid: str, quiz_id: str, body: AttemptCreate, now: datetime
) -> Attempt:
    return submit(store, uid, quiz_id, body, now).attempt


def submit(
    store: DocumentStore, uid: str, quiz_id: str, body: AttemptCreate, now: datetime
) -> Submitted:
    """Grade and keep an attempt; raise the weakness of the sections of the
    questions answered wrong, in the same transaction."""
    path = quiz_path(uid, quiz_id)
    attempt_id = new_id()

    def apply(tx: Transaction) -> Submitted:
        quiz = _existing(tx.get(path))
        data = quiz.data
        if data.get("status") != "ready":
            raise Conflict(
                "The quiz is not ready to be answered.", details={"status": data.get("status")}
            )
        graded = domain.grade_attempt(
            data.get("questions") or [], body.answers, quiz_section_id=data.get("section_id")
        )
        attempt = Attempt(
            id=attempt_id,
            quiz_id=quiz_id,
            score=graded.score,
            correct_count=graded.correct_count,
            total=graded.total,
            results=graded.results,
            created_at=now,
        )
        stored = attempt.model_dump(mode="json", exclude={"id", "created_at"})
        course_id = data["course_id"]
        tx.create(
            paths.attempt(uid, quiz_id, attempt_id),
            {**stored, "course_id": course_id, "created_at": now},
        )
        update = stats.quiz_answered(course_id, graded.sections)
        if update:
            tx.set(paths.stats(uid), update, merge=True)
        return Submitted(attempt=attempt, course_id=course_id)

    return store.run_transaction(apply)


def to_attempt(snap: Snapshot) -> Attempt:
    return Attempt.model_validate({**snap.data, "id": snap.id})


def attempts_query(uid: str, quiz_id: str) -> Query:
    return collection(paths.attempts(uid, quiz_id)).order_by("created_at", "desc")


def list_attempts(
    store: DocumentStore, uid: str, quiz_id: str, page: AttemptListQuery
) -> Page[Attempt]:
    _existing(store.get(quiz_path(uid, quiz_id)))
    query = attempts_query(uid, quiz_id)
    return fetch_page(store, query, page, to_attempt)


def get_attempt(store: DocumentStore, uid: str, quiz_id: str, attempt_id: str) -> Attempt:
    quiz, snap = store.get_many([quiz_path(uid, quiz_id), _attempt_path(uid, quiz_id, attempt_id)])
    _existing(quiz)
    if snap is None:
        raise NotFound(ATTEMPT_GONE)
    return to_attempt(snap)
