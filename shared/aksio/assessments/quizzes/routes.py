"""HTTP handlers of the quizzes area of ``/api/v1/assessments``.

Ownership is the path (``users/{uid}/quizzes/...``): another user's quiz id
is simply not found. A GET never shows a question's key or explanation
unless ``?reveal=true`` (the owner editing the quiz); POST and PUT answer with
the key the author just sent; attempt results carry the keys and explanations.
"""

from __future__ import annotations

from aksio.assessments import ownership
from aksio.assessments.quizzes import repository
from aksio.assessments.quizzes.models import (
    Attempt,
    AttemptCreate,
    AttemptListQuery,
    Quiz,
    QuizCreate,
    QuizGetQuery,
    QuizListQuery,
    QuizReplace,
)
from aksio.http.context import RequestContext
from aksio.http.router import Router
from aksio.pagination import Page
from aksio.tasks.stuck import shown, shown_page, stuck_after

router = Router(prefix="/api/v1/assessments", tag="quizzes")


@router.get("/quizzes/", errors=(404,))
def list_quizzes(ctx: RequestContext, query: QuizListQuery) -> Page[Quiz]:
    """The caller's quizzes, newest first; ``course_id`` filters (404 when it
    is not one of the caller's courses). Keys hidden."""
    store = ctx.services.documents
    ownership.check_filter(store, ctx.uid, query.course_id)
    return shown_page(ctx.services, repository.list_quizzes(store, ctx.uid, query))


@router.post("/quizzes/", status=201, errors=(404,))
def create_quiz(ctx: RequestContext, body: QuizCreate) -> Quiz:
    """Create a quiz by hand (ready at once). The answer shows the keys sent."""
    s = ctx.services
    return repository.create_quiz(s.documents, ctx.uid, body, s.clock.now())


@router.get("/quizzes/<quiz_id>/", errors=(404,))
def get_quiz(ctx: RequestContext, quiz_id: str, query: QuizGetQuery) -> Quiz:
    """One quiz; ``?reveal=true`` adds each question's key and explanation."""
    quiz = repository.get_quiz(ctx.services.documents, ctx.uid, quiz_id, reveal=query.reveal)
    return shown(ctx.services, quiz)


@router.put("/quizzes/<quiz_id>/", errors=(404, 409))
def replace_quiz(ctx: RequestContext, quiz_id: str, body: QuizReplace) -> Quiz:
    """Replace title, section and questions (a question sent with its ``id`` keeps it).

    409 while the quiz is being generated."""
    s = ctx.services
    return repository.replace_quiz(
        s.documents, ctx.uid, quiz_id, body, s.clock.now(), stuck_after=stuck_after(s.settings)
    )


@router.delete("/quizzes/<quiz_id>/", status=204, errors=(404,))
def delete_quiz(ctx: RequestContext, quiz_id: str) -> None:
    """Delete the quiz and its attempts."""
    repository.delete_quiz(ctx.services.documents, ctx.uid, quiz_id)


@router.post("/quizzes/<quiz_id>/attempt/", status=201, errors=(404, 409))
def submit_attempt(ctx: RequestContext, quiz_id: str, body: AttemptCreate) -> Attempt:
    """Grade answers (questions left out are wrong), keep the attempt, and
    return each question's correctness, key and explanation.

    400 names an answer to a question the quiz lacks, a repeated one, one of
    the wrong type for its kind, or a choice not among the options; 409 when
    the quiz is not ready (still being generated, or failed). A kept attempt
    is also a ``quiz`` activity (the streak)."""
    from aksio.accounts.activity import record_after_commit
    from aksio.accounts.models import ActivityCreate

    s, now = ctx.services, ctx.services.clock.now()
    done = repository.submit(s.documents, ctx.uid, quiz_id, body, now)
    record_after_commit(
        s.documents,
        ctx.uid,
        ActivityCreate(kind="quiz", course_id=done.course_id),
        now,
        quiz=quiz_id,
        attempt=done.attempt.id,
    )
    return done.attempt


@router.get("/quizzes/<quiz_id>/attempts/", errors=(404,))
def list_attempts(ctx: RequestContext, quiz_id: str, query: AttemptListQuery) -> Page[Attempt]:
    """The quiz's attempts, newest first."""
    return repository.list_attempts(ctx.services.documents, ctx.uid, quiz_id, query)


@router.get("/quizzes/<quiz_id>/attempts/<attempt_id>/", errors=(404,))
def get_attempt(ctx: RequestContext, quiz_id: str, attempt_id: str) -> Attempt:
    """One attempt."""
    return repository.get_attempt(ctx.services.documents, ctx.uid, quiz_id, attempt_id)
