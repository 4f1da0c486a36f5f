"""HTTP handlers of the generation area of ``/api/v1/assessments``.

Both generate endpoints answer 202 at once: the drafting runs as a task.
Flashcards answer with a generation job (poll ``GET .../flashcards/generate/{id}/``;
its cards appear in the flashcard list), quizzes with the quiz itself,
``queued`` (poll ``GET .../quizzes/{id}/``).
"""

from __future__ import annotations

from aksio.assessments import ownership
from aksio.assessments.generation import jobs, service
from aksio.assessments.generation.models import (
    FlashcardGenerateRequest,
    GenerationJob,
    JobListQuery,
    QuizGenerateRequest,
)
from aksio.assessments.quizzes.models import Quiz
from aksio.http.context import RequestContext
from aksio.http.router import Router
from aksio.pagination import Page
from aksio.tasks.stuck import shown, shown_page

router = Router(prefix="/api/v1/assessments", tag="generation")


@router.post("/flashcards/generate/", status=202, errors=(404, 409, 429, 503))
def generate_flashcards(ctx: RequestContext, body: FlashcardGenerateRequest) -> GenerationJob:
    """Draft cards from a document, a section or the whole course (a background job).

    Give ``document_id`` or ``section_id``, or neither for the whole course.
    Every card cites the passage it came from; cards the course already has
    are skipped (``skipped_duplicates``). Counts against a daily limit."""
    return service.request_flashcards(ctx.services, ctx.uid, body)


@router.get("/flashcards/generate/", errors=(404,))
def list_generation_jobs(ctx: RequestContext, query: JobListQuery) -> Page[GenerationJob]:
    """The caller's flashcard generation jobs, newest first; ``course_id``
    filters (404 when it is not one of the caller's courses)."""
    store = ctx.services.documents
    ownership.check_filter(store, ctx.uid, query.course_id)
    return shown_page(ctx.services, jobs.list_jobs(store, ctx.uid, query))


@router.get("/flashcards/generate/<job_id>/", errors=(404,))
def get_generation_job(ctx: RequestContext, job_id: str) -> GenerationJob:
    """One generation job: its status, how many cards it added and why not more."""
    return shown(ctx.services, jobs.get_job(ctx.services.documents, ctx.uid, job_id))


@router.post("/quizzes/generate/", status=202, errors=(404, 409, 429, 503))
def generate_quiz(ctx: RequestContext, body: QuizGenerateRequest) -> Quiz:
    """Draft a quiz from a document, a section or the whole course (a background job).

    Answers with the quiz, ``queued``; it becomes ``ready`` with its questions
    (or ``failed`` with an ``error``). Counts against a daily limit."""
    return service.request_quiz(ctx.services, ctx.uid, body)
