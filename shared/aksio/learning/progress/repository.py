"""The progress page, read from aggregates, never from the logs.

What one call reads, whatever the length of the history (reviews, quiz
attempts, sessions):

- 3 aggregate documents in one ``get_many`` (learning stats, assessment
  stats, the profile for the time zone; plus the course in the one-course
  view) and the streak (2 documents, ``aksio.accounts.activity.get_streak``);
- 2 count queries for the cards due in 7 and 30 days (1 read per started
  1,000 cards counted), and for plan adherence the user's (or the course's)
  most recent plans (at most ``MAX_ADHERENCE_PLANS``) and 2 count queries
  over their sessions dated up to today;
- per course shown: its sections (bounded by the course's section limit)
  and, for mastery, its most recent cards. That is the one part that grows
  with the number of cards (not reviews): it is capped at
  ``MASTERY_CARDS_PER_COURSE`` cards for one course and ``MASTERY_CARD_BUDGET``
  cards shared by the courses of the all-courses view (at most
  ``MAX_PROGRESS_COURSES`` active courses, newest first); ``cards_capped``
  says when the cap cut a course short. Retrievability changes with time,
  so it cannot be kept as a counter: it is computed from each card's state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from aksio.accounts.activity import get_streak
from aksio.accounts.paths import user
from aksio.assessments import paths as assessment_paths
from aksio.assessments import stats as assessment_stats
from aksio.assessments.flashcards.domain import usable_parameters
from aksio.assessments.stats import CARD_STATES
from aksio.courses import repository as courses
from aksio.courses.domain import MAX_SECTIONS_PER_COURSE
from aksio.courses.repository import COURSE_GONE, DELETING
from aksio.errors import NotFound
from aksio.learning import paths
from aksio.learning.progress import aggregates, mastery
from aksio.learning.progress.models import (
    CourseProgress,
    Progress,
    ProgressQuery,
    SectionProgress,
    WeakSection,
)
from aksio.ports.documents import MAX_IN_VALUES, DocumentStore, Query, Snapshot, collection

MASTERY_CARDS_PER_COURSE = 2000
MASTERY_CARD_BUDGET = 2000
MIN_MASTERY_CARDS = 100
MAX_PROGRESS_COURSES = 20
MAX_ADHERENCE_PLANS = MAX_IN_VALUES
"""One ``in`` filter holds them all; older plans (finished courses) drop out."""
DUE_HORIZONS = (7, 30)

QUERY_INDEXES: list[dict[str, Any]] = [
    {
        "collectionGroup": "study_plans",
        "queryScope": "COLLECTION",
        "fields": [
            {"fieldPath": "course_id", "order": "ASCENDING"},
            {"fieldPath": "created_at", "order": "DESCENDING"},
        ],
    },
]
"""Composite indexes of the queries below not already listed by the areas
that own the collections: the due counts use the flashcards' (suspended,
due) and (course_id, suspended, due), mastery their (course_id, created_at
desc), adherence the sessions' (plan_id, date) and (plan_id, status, date)
(``aksio.learning.sessions.repository``), the course list the courses'."""


def get_progress(store: DocumentStore, uid: str, query: ProgressQuery, now: datetime) -> Progress:
    reads = [paths.stats(uid), assessment_paths.stats(uid), user(uid)]
    if query.course_id is not None:
        reads.append(courses.course_path(uid, query.course_id))
    learning, assessed, profile, *course = store.get_many(reads)
    learning_data = learning.data if learning else {}
    assessed_data = assessed.data if assessed else {}
    tz = profile.data.get("timezone") if profile else None
    today = aggregates.local_day(now, str(tz) if tz else None)
    days = aggregates.window(today, query.days)

    if query.course_id is not None:
        if course[0] is None or course[0].data.get("status") == DELETING:
            raise NotFound(COURSE_GONE)
        shown = [course[0]]
        budget = MASTERY_CARDS_PER_COURSE
    else:
        shown = store.query(courses.list_query(uid, archived=False).limit_to(MAX_PROGRESS_COURSES))
        budget = max(MIN_MASTERY_CARDS, MASTERY_CARD_BUDGET // max(1, len(shown)))

    minutes = aggregates.minutes_map(learning_data, query.course_id)
    reviews = aggregates.counts((assessed_data.get("reviews") or {}).get("by_day"))
    parameters = usable_parameters(assessment_stats.fsrs_parameters(assessed_data))
    return Progress(
        minutes_by_day=aggregates.by_day(minutes, days),
        minutes_by_week=aggregates.by_week(minutes, days),
        reviews_by_day=aggregates.by_day(reviews, days),
        retention=aggregates.retention(assessed_data),
        streak=get_streak(store, uid, now),
        due_next_7_days=store.count(due_query(uid, query.course_id, now + timedelta(days=7))),
        due_next_30_days=store.count(due_query(uid, query.course_id, now + timedelta(days=30))),
        plan_adherence=plan_adherence(store, uid, query.course_id, today.isoformat()),
        courses=[
            course_progress(
                store,
                uid,
                snap,
                assessed=assessed_data,
                parameters=parameters,
                now=now,
                card_limit=budget,
            )
            for snap in shown
        ],
    )


def due_query(uid: str, course_id: str | None, until: datetime) -> Query:
    query = collection(assessment_paths.flashcards(uid)).where("suspended", "==", False)
    if course_id is not None:
        query = query.where("course_id", "==", course_id)
    return query.where("due", "<=", until)


# ------------------------------------------------------------------ adherence
def plans_query(uid: str, course_id: str | None) -> Query:
    query = collection(paths.study_plans(uid))
    if course_id is not None:
        query = query.where("course_id", "==", course_id)
    return query.order_by("created_at", "desc").limit_to(MAX_ADHERENCE_PLANS)


def plan_adherence(
    store: DocumentStore, uid: str, course_id: str | None, today: str
) -> float | None:
    """Counted from the sessions themselves (count queries, not a scan), so a
    replan that rewrites future sessions or a session written by the planner
    in a batch is always counted as it stands."""
    plan_ids = [s.id for s in store.query(plans_query(uid, course_id))]
    if not plan_ids:
        return None
    due = (
        collection(paths.study_sessions(uid))
        .where("plan_id", "in", plan_ids)
        .where("date", "<=", today)
    )
    planned = store.count(due)
    if not planned:
        return None
    completed = store.count(due.where("status", "==", "completed"))
    return aggregates.adherence(completed, planned)


# ------------------------------------------------------------------ mastery
def cards_query(uid: str, course_id: str, limit: int) -> Query:
    return (
        collection(assessment_paths.flashcards(uid))
        .where("course_id", "==", course_id)
        .order_by("created_at", "desc")
        .limit_to(limit)
    )


def _card_total(assessed: Mapping[str, Any], course_id: str) -> int:
    counts = (assessed.get("cards") or {}).get(course_id) or {}
    return sum(max(0, int(counts.get(k, 0))) for k in (*CARD_STATES, "suspended"))


def course_progress(
    store: DocumentStore,
    uid: str,
    course: Snapshot,
    *,
    assessed: Mapping[str, Any],
    parameters: Sequence[float] | None,
    now: datetime,
    card_limit: int,
) -> CourseProgress:
    course_id = course.id
    sections = store.query(courses.section_query(uid, course_id).limit_to(MAX_SECTIONS_PER_COURSE))
    read = store.query(cards_query(uid, course_id, card_limit))
    memories = [
        mastery.card_memory(c.data, now, parameters) for c in read if not c.data.get("suspended")
    ]
    per_section = mastery.by_section(memories)
    titles = {s.id: str(s.data.get("title") or "") for s in sections}
    section_ids = [s.id for s in sections]
    weak = mastery.weakest(section_ids, per_section, assessment_stats.weakness(assessed, course_id))
    return CourseProgress(
        course_id=course_id,
        title=str(course.data.get("title") or ""),
        mastery=mastery.course_mastery(memories),
        cards_counted=len(memories),
        cards_capped=len(read) >= card_limit and _card_total(assessed, course_id) > len(read),
        sections=[_section(sid, titles[sid], per_section.get(sid)) for sid in section_ids],
        weakest_sections=[
            WeakSection(
                section_id=w.section_id,
                title=titles[w.section_id],
                score=w.score,
                weakness=w.weakness,
                mastery=w.mastery,
            )
            for w in weak
        ],
    )


def _section(section_id: str, title: str, seen: mastery.SectionMastery | None) -> SectionProgress:
    return SectionProgress(
        section_id=section_id,
        title=title,
        mastery=seen.mastery if seen else None,
        cards=seen.cards if seen else 0,
        reviewed_cards=seen.reviewed if seen else 0,
    )
