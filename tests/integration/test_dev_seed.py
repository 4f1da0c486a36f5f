"""The dev command's demo data (``seed_demo``) on the embedded adapters and the
real Auth emulator: the demo course with its processed Darwin document, and
the assessments generated from it by the embedded language model, some
cards reviewed and the quiz answered once, the course's sections, a study
plan built by the plan task, and its past sessions completed. Seeding twice
adds nothing."""

from __future__ import annotations

from typing import Any

import pytest

from aksio.accounts import activity
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
from aksio.courses.models import CourseListQuery, SectionListQuery
from aksio.devtools.seed import DEMO_CARDS, DEMO_QUESTIONS, seed_demo
from aksio.devtools.seed_learning import DEMO_SECTIONS, PLAN_STARTED_DAYS_AGO
from aksio.documents import repository as doc_repository
from aksio.learning import paths as learning_paths
from aksio.learning.plans import repository as plans
from aksio.learning.plans.models import PlanListQuery
from aksio.learning.plans.service import today_for
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
        "sections": [
            s
            for c in course
            for s in courses.list_sections(store, uid, c.id, SectionListQuery(limit=100)).items
        ],
        "plans": [
            plans.get_plan(store, uid, p.id)
            for p in plans.list_plans(store, uid, PlanListQuery(limit=100)).items
        ],
        "learning": _data(store.get(learning_paths.stats(uid))),
        "activity": activity.list_activity(store, uid, PageQuery(limit=100)).items,
    }


def _data(snap: Any) -> dict[str, Any] | None:
    return None if snap is None else dict(snap.data)


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


def test_demo_course_has_sections_a_ready_plan_and_the_past_sessions_done(
    services: Services,
) -> None:
    uid = seed_demo(services).uid
    first = snapshot(services, uid)
    (course,) = first["courses"]
    assert [(s.title, s.order) for s in first["sections"]] == [
        (title, i) for i, (title, _) in enumerate(DEMO_SECTIONS)
    ]

    (plan,) = first["plans"]
    assert (plan.status, plan.course_id, plan.error) == ("ready", course, None)
    today = today_for(services, uid)
    assert (today - plan.start_date).days == PLAN_STARTED_DAYS_AGO
    section_ids = {s.id for s in first["sections"]}
    learned = {s.section_id for s in plan.sessions if s.kind == "learn"}
    assert learned == section_ids, "every section gets learn sessions"

    past = [s for s in plan.sessions if s.date < today]
    assert past, "the plan started days ago, so some sessions are in the past"
    assert all(s.status == "completed" and s.actual_minutes == s.minutes for s in past)
    assert all(s.status == "planned" for s in plan.sessions if s.date >= today)

    # the completed minutes are counted per day and per plan, as the API counts
    # them; the reading logged by hand (no course) adds to the user's total only
    learning = first["learning"]
    assert learning is not None
    by_day: dict[str, int] = {}
    for s in past:
        by_day[s.date.isoformat()] = by_day.get(s.date.isoformat(), 0) + s.minutes
    per_course = learning["courses"][course]["minutes_by_day"]
    assert {d: m for d, m in per_course.items() if m} == by_day
    read = sum(a.minutes for a in first["activity"] if a.kind == "reading")
    assert read > 0 and sum(learning["minutes_by_day"].values()) == sum(by_day.values()) + read
    assert learning["plans"][plan.id]["completed"] == len(past)

    assert seed_demo(services).uid == uid
    again = snapshot(services, uid)
    assert (again["sections"], again["plans"], again["learning"]) == (
        first["sections"],
        first["plans"],
        first["learning"],
    )
