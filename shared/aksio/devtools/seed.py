"""Demo data for the dev command: a demo student a new developer can sign in
as at once, with a course, a processed document, flashcards, a quiz and (in
``seed_learning``) sections, a study plan and its past sessions done.
Idempotent: running it again changes nothing."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from aksio.accounts import activity, paths, profiles
from aksio.accounts.models import ActivityCreate, ProfileUpdate
from aksio.assessments import paths as assessment_paths
from aksio.assessments.flashcards import repository as cards
from aksio.assessments.generation import jobs, runner
from aksio.assessments.quizzes import repository as quizzes
from aksio.composition import Services
from aksio.courses import repository as courses
from aksio.courses.models import CourseCreate, CourseListQuery
from aksio.documents import repository as doc_repository
from aksio.documents import service as documents
from aksio.pagination import PageQuery
from aksio.ports.identity import EmailExists, InvalidCredentials, TokenSet
from aksio.ports.tasks import PermanentTaskError

if TYPE_CHECKING:
    from aksio.assessments.quizzes.models import RevealedQuestion
    from aksio.assessments.scheduling import RatingName

log = logging.getLogger("aksio.devtools.seed")

DEMO_EMAIL = "demo@aksio.dev"
DEMO_PASSWORD = "aksio-demo-password"
DEMO_NAME = "Demo Student"
DEMO_DOCUMENT = Path(__file__).parent / "demo" / "darwin_domestic_pigeons.md"


def _demo_tokens(services: Services) -> TokenSet:
    try:
        return services.password_auth.sign_up(DEMO_EMAIL, DEMO_PASSWORD, DEMO_NAME)
    except EmailExists:
        return services.password_auth.sign_in(DEMO_EMAIL, DEMO_PASSWORD)


def seed_demo(services: Services) -> TokenSet:
    """Create the demo user and a few days of activity; returns its tokens."""
    try:
        tokens = _demo_tokens(services)
    except InvalidCredentials as exc:
        raise RuntimeError(f"{DEMO_EMAIL} exists with another password; reset .local/") from exc
    store, now = services.documents, services.clock.now()
    uid = tokens.uid
    if store.get(paths.user(uid)) is None:
        profiles.create_profile(store, uid, DEMO_EMAIL, DEMO_NAME, now)
        profiles.update_profile(
            store,
            uid,
            ProfileUpdate(
                university="University of Oslo",
                program="BSc Informatics",
                timezone="Europe/Oslo",
                locale="en",
                study_goals=["Pass INF1000 with an A"],
                daily_goal_minutes=45,
            ),
            now,
        )
    if not activity.list_activity(store, uid, PageQuery(limit=1)).items:
        # reading logged by hand; the plan's completed sessions add study activity
        for days_ago, minutes in ((3, 30), (2, 45), (1, 25)):
            activity.record_activity(
                store,
                uid,
                ActivityCreate(
                    kind="reading", minutes=minutes, occurred_at=now - timedelta(days=days_ago)
                ),
                now,
                logged_by_student=True,
            )
    _seed_course(services, uid)
    _seed_assessments(services, uid)
    found = _demo_document(services, uid)
    if found is not None:
        from aksio.devtools.seed_learning import seed_learning

        seed_learning(services, uid, found[0])
    return tokens


def _seed_course(services: Services, uid: str) -> None:
    """A course holding one processed document, so search has data at once."""
    store, now = services.documents, services.clock.now()
    if courses.list_courses(store, uid, CourseListQuery(limit=1)).items:
        return
    course = courses.create_course(
        store,
        uid,
        CourseCreate(
            title="Evolutionary Biology",
            code="BIO2100",
            description="Variation, selection and the origin of species.",
            term="Autumn 2026",
            exam_date=(now + timedelta(days=45)).date(),
        ),
        now,
    )
    documents.upload(
        services,
        uid,
        course.id,
        filename=DEMO_DOCUMENT.name,
        data=DEMO_DOCUMENT.read_bytes(),
        title="Darwin: the breeds of the domestic pigeon",
    )
    # Processing is asynchronous (the storage trigger); wait so the demo is ready.
    services.storage_events.drain(60)


# ------------------------------------------------------------------ assessments
DEMO_CARDS = 12
DEMO_QUESTIONS = 6
GENERATED_DAYS_AGO = 6
# (days ago, ratings of the oldest cards in turn): a first pass over most of
# the cards, a second over those due by then, so today the due queue holds
# overdue cards as well as new ones, and the counts show every state.
REVIEW_PASSES: tuple[tuple[int, tuple[RatingName, ...]], ...] = (
    (6, ("good", "good", "easy", "hard", "again", "good", "easy", "again")),
    (4, ("good", "again", "good", "hard", "good", "good", "easy", "good")),
)


def _seed_assessments(services: Services, uid: str) -> None:
    """Flashcards and a quiz generated from the demo document by the embedded
    language model through the generation runner (as the task worker runs it),
    some cards reviewed and the quiz answered once, dated over the past week.
    Each part is skipped once done, so a restart adds nothing."""
    from aksio.assessments.generation.models import JobListQuery
    from aksio.assessments.quizzes.models import QuizListQuery
    from aksio.clock import FixedClock

    store, now = services.documents, services.clock.now()
    found = _demo_document(services, uid)
    if found is None:
        return
    course_id, document_id, title = found
    job_page = jobs.list_jobs(store, uid, JobListQuery(course_id=course_id, limit=1))
    quiz_page = quizzes.list_quizzes(store, uid, QuizListQuery(course_id=course_id, limit=1))
    job = job_page.items[0] if job_page.items else None
    quiz = quiz_page.items[0] if quiz_page.items else None
    generated_at = now - timedelta(days=GENERATED_DAYS_AGO)
    real_clock = services.clock
    # Dated in the past (the runner reads the services' clock) so that the
    # reviews below, days later, are in the past too.
    services.clock = FixedClock(generated_at)
    try:
        if job is None:
            job = jobs.create_job(
                store,
                uid,
                course_id=course_id,
                document_id=document_id,
                section_id=None,
                count=DEMO_CARDS,
                now=generated_at,
            )
        if job.status in {"queued", "running"}:  # new, or a seed stopped midway
            runner.run_flashcards(services, uid, job.id)
        if quiz is None:
            quiz = quizzes.create_pending_quiz(
                store,
                uid,
                course_id=course_id,
                title=f"Quiz: {title}"[:200],
                section_id=None,
                now=generated_at,
            )
        if quiz.status in {"queued", "running"}:
            runner.run_quiz(
                services,
                uid,
                quiz.id,
                course_id=course_id,
                document_id=document_id,
                section_id=None,
                count=DEMO_QUESTIONS,
            )
    except PermanentTaskError as exc:  # recorded on the job or quiz; the demo goes on
        log.warning("demo generation failed: %s", exc)
    finally:
        services.clock = real_clock
    _review_demo_cards(services, uid, course_id, now)
    _answer_demo_quiz(services, uid, course_id, now - timedelta(days=2))


def _demo_document(services: Services, uid: str) -> tuple[str, str, str] | None:
    """The demo course's id and its processed document's id and title."""
    store = services.documents
    course = courses.list_courses(store, uid, CourseListQuery(limit=1)).items
    if not course:
        return None
    listed = doc_repository.list_documents(store, uid, course[0].id, PageQuery(limit=10))
    ready = [d for d in listed.items if d.status == "ready"]
    if not ready:
        return None
    return course[0].id, ready[0].id, ready[0].title


def _review_demo_cards(services: Services, uid: str, course_id: str, now: datetime) -> None:
    from aksio.assessments import stats
    from aksio.assessments.flashcards import reviews
    from aksio.assessments.flashcards.models import FlashcardListQuery
    from aksio.clock import FixedClock

    store = services.documents
    summary = store.get(assessment_paths.stats(uid))
    if stats.total_reviews(summary.data if summary else None):
        return  # reviewed on an earlier run
    page = cards.list_cards(store, uid, FlashcardListQuery(course_id=course_id, limit=100))
    oldest_first = page.items[::-1]
    for days_ago, ratings in REVIEW_PASSES:
        at = now - timedelta(days=days_ago)
        for card, rating in zip(oldest_first, ratings, strict=False):
            current = cards.get_card(store, uid, card.id)
            if current.state != "new" and current.due > at:
                continue  # not due yet on that day: a student would not see it
            clock = FixedClock(at)
            reviews.review_card(
                store, uid, card.id, rating=rating, duration_ms=6_000, now=clock.now
            )
            at += timedelta(seconds=20)


def _answer_demo_quiz(services: Services, uid: str, course_id: str, at: datetime) -> None:
    """One graded attempt: the first two thirds answered right, the rest wrong,
    so the score and the section weakness have something to show."""
    from aksio.assessments.quizzes.models import (
        AnswerIn,
        AttemptCreate,
        AttemptListQuery,
        QuizListQuery,
        RevealedQuestion,
    )

    store = services.documents
    listed = quizzes.list_quizzes(store, uid, QuizListQuery(course_id=course_id, limit=1))
    if not listed.items or listed.items[0].status != "ready":
        return
    quiz = quizzes.get_quiz(store, uid, listed.items[0].id, reveal=True)
    if quizzes.list_attempts(store, uid, quiz.id, AttemptListQuery(limit=1)).items:
        return
    answers = []
    right = (2 * len(quiz.questions) + 2) // 3
    for i, question in enumerate(quiz.questions):
        if isinstance(question, RevealedQuestion):
            answer = question.answer if i < right else _wrong_answer(question)
            answers.append(AnswerIn(question_id=question.id, answer=answer))
    quizzes.submit_attempt(store, uid, quiz.id, AttemptCreate(answers=answers), at)


def _wrong_answer(question: RevealedQuestion) -> str | list[str] | bool:
    if isinstance(question.answer, bool):
        return not question.answer
    key = question.answer if isinstance(question.answer, list) else [question.answer]
    others = [o for o in question.options if o not in key]
    if question.kind == "multiple_choice":
        return others[:1] or question.options[:1]
    if question.kind == "single_choice" and others:
        return others[0]
    return "I do not remember"
