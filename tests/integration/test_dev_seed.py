"""The dev command's demo data (``seed_demo``) on the embedded adapters and the
real Auth emulator: the demo course with its processed Darwin document, and
the assessments generated from it by the embedded language model, some
cards reviewed and the quiz answered once. Seeding twice adds nothing."""

from __future__ import annotations

from typing import Any

import pytest

from aksio.assessments import paths, stats
from aksio.assessments.flashcards import reviews
from aksio.assessments.flashcards.models import FlashcardListQuery
from aksio.assessments.flashcards.repository import list_cards
from aksio.assessments.generation import jobs
from aksio.assessments.generation.models import JobListQuery
from aksio.assessments.quizzes import repository as quizzes
from aksio.assessments.quizzes.models import AttemptListQuery, QuizListQuery
from aksio.composition import Services
from aksio.courses import repository as courses
from aksio.courses.models import CourseListQuery
from aksio.devtools.seed import DEMO_CARDS, DEMO_QUESTIONS, seed_demo
from aksio.documents import repository as doc_repository
from aksio.pagination import PageQuery

pytestmark = pytest.mark.emulator


def snapshot(services: Services, uid: str) -> dict[str, Any]:
    """Everything the seed makes, as plain values."""
    store, now = services.documents, services.clock.now()
    course = courses.list_courses(store, uid, CourseListQuery(limit=100)).items
    quiz_list = quizzes.list_quizzes(store, uid, QuizListQuery(limit=100)).items
    summary = store.get(paths.stats(uid))
    return {
        "courses": [c.id for c in course],
        "documents": [
            (d.id, d.status)
            for c in course
            for d in doc_repository.list_documents(store, uid, c.id, PageQuery(limit=100)).items
        ],
        "cards": list_cards(store, uid, FlashcardListQuery(limit=100)).items,
        "jobs": jobs.list_jobs(store, uid, JobListQuery(limit=100)).items,
        "quizzes": quiz_list,
        "attempts": [
            a
            for q in quiz_list
            for a in quizzes.list_attempts(store, uid, q.id, AttemptListQuery(limit=100)).items
        ],
        "reviews": stats.total_reviews(summary.data if summary else None),
        "due": reviews.due_cards(store, uid, None, now, 100),
    }


def test_demo_assessments_are_generated_reviewed_answered_and_seeded_once(
    services: Services,
) -> None:
    uid = seed_demo(services).uid
    first = snapshot(services, uid)
    (course,) = first["courses"]
    ((document, status),) = first["documents"]
    assert status == "ready"

    # cards drafted from the document by the generation runner, each citing it
    (job,) = first["jobs"]
    assert (job.status, job.document_id, job.created_count) == ("ready", document, DEMO_CARDS)
    cards = first["cards"]
    assert len(cards) == DEMO_CARDS
    assert all(
        c.course_id == course and c.source and c.source.document_id == document for c in cards
    )

    # a few reviewed: every state is counted, and the due queue mixes new and overdue
    due = first["due"]
    counts = due.counts.model_dump()
    assert sum(counts.values()) == DEMO_CARDS and all(counts.values()), counts
    assert first["reviews"] > 0
    due_states = {c.state for c in due.items}
    assert "new" in due_states and due_states - {"new"}, due_states
    assert any(c.review_count > 1 for c in cards), "a second pass reviewed cards due again"

    # a generated quiz answered once, graded neither all right nor all wrong
    (quiz,) = first["quizzes"]
    assert (quiz.status, quiz.question_count, quiz.course_id) == ("ready", DEMO_QUESTIONS, course)
    (attempt,) = first["attempts"]
    assert attempt.total == DEMO_QUESTIONS and 0 < attempt.score < 1

    # seeding again (the next `nox -s dev`) duplicates nothing
    assert seed_demo(services).uid == uid
    again = snapshot(services, uid)
    assert {k: v for k, v in again.items() if k != "due"} == {
        k: v for k, v in first.items() if k != "due"
    }
