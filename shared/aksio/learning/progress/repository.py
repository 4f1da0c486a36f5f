"""The progress page, read from aggregates, never from the logs.

What one call reads, whatever the length of the history (reviews, quiz
attempts, sessions) and the number of cards:

- 3 aggregate documents in one ``get_many`` (learning stats, assessment
  stats, the profile for the time zone; plus the course and its mastery
  snapshot in the one-course view) and the streak (2 documents,
  ``aksio.accounts.activity.get_streak``);
- 2 count queries for the cards due in 7 and 30 days (1 read per started
  1,000 cards counted), and for plan adherence the user's (or the course's)
  most recent plans (at most ``MAX_ADHERENCE_PLANS``) and 3 count queries
  over their sessions (earlier days, and today's completed);
- per course shown (at most ``MAX_PROGRESS_COURSES`` active courses, newest
  first, in the all-courses view): its sections (bounded by the course's
  section limit) and its mastery snapshot (one ``get_many`` for all).

Mastery (mean FSRS retrievability) decays with time, so it cannot be kept as
a counter; it is computed from the cards by the ``refresh_mastery`` task
(``aksio.learning.progress.refresh``) into a snapshot. A call that finds a
snapshot missing or stale (``snapshots.is_stale``) queues a refresh and
answers with what it has, dated by ``mastery_as_of``. Reviews stay as cheap
as they were: nothing is written at review time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aksio.accounts.activity import get_streak
from aksio.accounts.paths import user
from aksio.assessments import paths as assessment_paths
from aksio.assessments import stats as assessment_stats
from aksio.courses import repository as courses
from aksio.courses.domain import MAX_SECTIONS_PER_COURSE
from aksio.courses.repository import COURSE_GONE, DELETING
from aksio.errors import NotFound
from aksio.learning import paths
from aksio.learning.progress import aggregates, mastery, refresh, snapshots
from aksio.learning.progress.models import (
    CourseProgress,
    Progress,
    ProgressQuery,
    SectionProgress,
    WeakSection,
)
from aksio.ports.documents import MAX_IN_VALUES, DocumentStore, Query, Snapshot, collection
from aksio.ports.tasks import TaskQueue

MAX_PROGRESS_COURSES = 20
MAX_REFRESHES_PER_CALL = 5
"""Refreshes one call may queue (each enqueue is a round trip to the queue);
the remaining stale courses are asked for by the next calls."""
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
due) and (course_id, suspended, due), the mastery refresh their (course_id,
created_at desc), adherence the sessions' (plan_id, date) and (plan_id, status, date)
(``aksio.learning.sessions.repository``), the course list the courses'."""


def get_progress(
    store: DocumentStore,
    uid: str,
    query: ProgressQuery,
    now: datetime,
    *,
    tasks: Callable[[], TaskQueue] | None = None,
) -> Progress:
    """``tasks`` gives the queue stale mastery snapshots are refreshed on
    (None: never queue, e.g. in a read-only tool)."""
    reads = [paths.stats(uid), assessment_paths.stats(uid), user(uid)]
    if query.course_id is not None:
        reads += [
            courses.course_path(uid, query.course_id),
            snapshots.path(uid, query.course_id),
        ]
    learning, assessed, profile, *one = store.get_many(reads)
    learning_data = learning.data if learning else {}
    assessed_data = assessed.data if assessed else {}
    tz = profile.data.get("timezone") if profile else None
    today = aggregates.local_day(now, str(tz) if tz else None)
    days = aggregates.window(today, query.days)

    if query.course_id is not None:
        course, snapshot = one
        if course is None or course.data.get("status") == DELETING:
            raise NotFound(COURSE_GONE)
        shown: list[Snapshot] = [course]
        stored = [snapshot]
    else:
        shown = store.query(courses.list_query(uid, archived=False).limit_to(MAX_PROGRESS_COURSES))
        stored = store.get_many([snapshots.path(uid, c.id) for c in shown]) if shown else []

    views = [
        _mastery_view(uid, c.id, s.data if s else None, assessed_data, now)
        for c, s in zip(shown, stored, strict=True)
    ]
    if tasks is not None:
        stale = [v for v in views if v.stale][:MAX_REFRESHES_PER_CALL]
        for v in stale:
            refresh.request_refresh(tasks, uid, v.course_id, v.refresh_key)

    minutes = aggregates.minutes_map(learning_data, query.course_id)
    counters = assessment_stats.review_counters(assessed_data, query.course_id)
    reviews = aggregates.counts(counters.get("by_day"))
    return Progress(
        minutes_by_day=aggregates.by_day(minutes, days),
        minutes_by_week=aggregates.by_week(minutes, days),
        reviews_by_day=aggregates.by_day(reviews, days),
        retention=aggregates.retention(counters),
        streak=get_streak(store, uid, now),
        due_next_7_days=store.count(due_query(uid, query.course_id, now + timedelta(days=7))),
        due_next_30_days=store.count(due_query(uid, query.course_id, now + timedelta(days=30))),
        plan_adherence=plan_adherence(store, uid, query.course_id, today.isoformat()),
        courses=[
            course_progress(store, uid, c, view, assessed=assessed_data)
            for c, view in zip(shown, views, strict=True)
        ],
    )


@dataclass(frozen=True)
class MasteryView:
    course_id: str
    snapshot: snapshots.Snapshot | None
    stale: bool
    refresh_key: str


def _mastery_view(
    uid: str,
    course_id: str,
    stored: Mapping[str, Any] | None,
    assessed: Mapping[str, Any],
    now: datetime,
) -> MasteryView:
    snapshot = snapshots.parse(stored)
    total = assessment_stats.total_reviews(assessed)
    fp = snapshots.fingerprint(assessed, course_id)
    return MasteryView(
        course_id=course_id,
        snapshot=snapshot,
        stale=snapshots.is_stale(snapshot, reviews_total=total, cards_fingerprint=fp, now=now),
        refresh_key=snapshots.refresh_key(
            uid, course_id, reviews_total=total, cards_fingerprint=fp, snapshot=snapshot
        ),
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
    in a batch is always counted as it stands. Due: the sessions of earlier
    days, and today's once completed (today is not over: a session planned
    for this evening is not missed yet, so adherence does not dip each morning)."""
    plan_ids = [s.id for s in store.query(plans_query(uid, course_id))]
    if not plan_ids:
        return None
    sessions = collection(paths.study_sessions(uid)).where("plan_id", "in", plan_ids)
    done = sessions.where("status", "==", "completed")
    done_today = store.count(done.where("date", "==", today))
    past = sessions.where("date", "<", today)
    planned = store.count(past) + done_today
    if not planned:
        return None
    completed = store.count(past.where("status", "==", "completed")) + done_today
    return aggregates.adherence(completed, planned)


# ------------------------------------------------------------------ mastery
def course_progress(
    store: DocumentStore,
    uid: str,
    course: Snapshot,
    view: MasteryView,
    *,
    assessed: Mapping[str, Any],
) -> CourseProgress:
    course_id = course.id
    sections = store.query(courses.section_query(uid, course_id).limit_to(MAX_SECTIONS_PER_COURSE))
    snap = view.snapshot
    per_section = snap.sections if snap is not None else {}
    titles = {s.id: str(s.data.get("title") or "") for s in sections}
    section_ids = [s.id for s in sections]
    weak = mastery.weakest(section_ids, per_section, assessment_stats.weakness(assessed, course_id))
    return CourseProgress(
        course_id=course_id,
        title=str(course.data.get("title") or ""),
        mastery=snap.mastery if snap is not None else None,
        mastery_as_of=snap.computed_at if snap is not None else None,
        mastery_stale=view.stale,
        cards_counted=snap.cards_counted if snap is not None else 0,
        cards_capped=snap.cards_capped if snap is not None else False,
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
