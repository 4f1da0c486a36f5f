"""Accepting a generation request: check what it names, count it against the
daily limit, record the job (or the pending quiz) and queue the work.

Order matters: everything a client can fix (a wrong id, a document still
processing, a course without text) answers before the request is counted,
so a mistake does not use up the day's allowance.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from aksio.assessments.generation import jobs, passages
from aksio.assessments.generation.models import (
    FlashcardGenerateRequest,
    FlashcardTaskPayload,
    GenerationJob,
    QuizGenerateRequest,
    QuizTaskPayload,
)
from aksio.courses import paths as course_paths
from aksio.courses.repository import SECTION_GONE, require_course
from aksio.documents.repository import get_document
from aksio.errors import Conflict, InvalidInput, NotFound, Unavailable
from aksio.ids import is_valid_id
from aksio.ports.documents import DocumentStore, Snapshot
from aksio.ports.tasks import Task, TaskAlreadyExists
from aksio.ratelimit import hit_daily

if TYPE_CHECKING:
    from aksio.assessments.quizzes.models import Quiz
    from aksio.composition import Services

log = logging.getLogger("aksio.assessments.generation")

FLASHCARDS_TASK = "generate_flashcards"
QUIZ_TASK = "generate_quiz"
NO_TEXT = "Upload and process a document first: this course has no text to generate from yet."
UNAVAILABLE = "Generation could not be started right now; try again."


@dataclass(frozen=True)
class Scope:
    """What a request draws from, checked to exist and be the caller's."""

    course_id: str
    document_id: str | None
    section_id: str | None
    label: str
    """The document's, section's or course's title (a generated quiz's default title)."""


# ------------------------------------------------------------------ checks
def check_count(count: int, limit: int) -> None:
    if count > limit:
        raise InvalidInput(
            f"Ask for at most {limit} items at a time.",
            details=[{"field": "count", "location": "body", "message": f"at most {limit}"}],
        )


def _not_ready(snap: Snapshot) -> Conflict:
    status = str(snap.data.get("status"))
    if status == "failed":
        reason = snap.data.get("error") or "it failed"
        message = f"This document could not be processed, so there is nothing to use: {reason}"
    else:
        message = "This document is still being processed; try again when it is ready."
    return Conflict(message, details={"document_status": status})


def _section(store: DocumentStore, uid: str, course_id: str, section_id: str) -> Snapshot:
    snap = (
        store.get(course_paths.section(uid, course_id, section_id))
        if is_valid_id(section_id)
        else None
    )
    if snap is None:
        raise NotFound(SECTION_GONE)
    return snap


def check_scope(
    store: DocumentStore,
    uid: str,
    course_id: str,
    document_id: str | None,
    section_id: str | None,
) -> Scope:
    """404 for anything missing or not the caller's; 409 when there is no
    processed text to draw from (the document is not ready, or the course
    has no ready document)."""
    course = require_course(store, uid, course_id)
    label = str(course.data.get("title") or "")
    if document_id is not None:
        doc = get_document(store, uid, course_id, document_id)
        if doc.data.get("status") != "ready":
            raise _not_ready(doc)
        if doc.data.get("chunk_count") == 0:
            raise Conflict("This document holds no text to generate from.")
        label = str(doc.data.get("title") or label)
    else:
        if section_id is not None:
            label = str(_section(store, uid, course_id, section_id).data.get("title") or label)
        if not passages.ready_documents(store, uid, course_id, limit=1):
            raise Conflict(NO_TEXT)
    return Scope(course_id, document_id, section_id, label)


def count_request(services: Services, uid: str, now: datetime) -> None:
    """One of the user's generation requests for the UTC day (429 past the limit)."""
    limit = services.settings.generation_daily_limit
    hit_daily(services.documents, f"generate:{uid}", limit, now, "generation requests")


def _enqueue(services: Services, task: Task) -> None:
    # A new id each time: only a repeat of this very enqueue could hit the dedupe.
    with contextlib.suppress(TaskAlreadyExists):
        services.tasks.enqueue(task)


# ------------------------------------------------------------------ requests
def request_flashcards(
    services: Services, uid: str, body: FlashcardGenerateRequest
) -> GenerationJob:
    store, now = services.documents, services.clock.now()
    check_count(body.count, services.settings.generation_max_count)
    scope = check_scope(store, uid, body.course_id, body.document_id, body.section_id)
    count_request(services, uid, now)
    job = jobs.create_job(
        store,
        uid,
        course_id=scope.course_id,
        document_id=scope.document_id,
        section_id=scope.section_id,
        count=body.count,
        now=now,
    )
    payload = FlashcardTaskPayload(uid=uid, job_id=job.id).model_dump()
    try:
        _enqueue(services, Task(FLASHCARDS_TASK, payload, dedupe_key=jobs.job_path(uid, job.id)))
    except Exception as exc:
        log.exception("could not queue flashcard generation", extra={"uid": uid, "job": job.id})
        jobs.fail(store, uid, job.id, services.clock.now(), UNAVAILABLE)
        raise Unavailable(UNAVAILABLE) from exc
    return job


def request_quiz(services: Services, uid: str, body: QuizGenerateRequest) -> Quiz:
    from aksio.assessments import paths
    from aksio.assessments.quizzes import repository as quizzes

    store, now = services.documents, services.clock.now()
    check_count(body.count, services.settings.generation_max_count)
    scope = check_scope(store, uid, body.course_id, body.document_id, body.section_id)
    count_request(services, uid, now)
    title = body.title or f"Quiz: {scope.label}"[:200]
    quiz = quizzes.create_pending_quiz(
        store, uid, course_id=scope.course_id, title=title, section_id=scope.section_id, now=now
    )
    payload = QuizTaskPayload(
        uid=uid,
        quiz_id=quiz.id,
        course_id=scope.course_id,
        document_id=scope.document_id,
        section_id=scope.section_id,
        count=body.count,
    ).model_dump()
    try:
        _enqueue(services, Task(QUIZ_TASK, payload, dedupe_key=paths.quiz(uid, quiz.id)))
    except Exception as exc:
        log.exception("could not queue quiz generation", extra={"uid": uid, "quiz": quiz.id})
        later = services.clock.now()
        quizzes.set_quiz_status(store, uid, quiz.id, "failed", later, error=UNAVAILABLE)
        raise Unavailable(UNAVAILABLE) from exc
    return quiz
