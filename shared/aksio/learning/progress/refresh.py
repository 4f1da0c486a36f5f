"""Computing a course's mastery snapshot (the ``refresh_mastery`` task's work)
and asking for it from the progress page.

The refresh reads the assessments stats first and the cards after, so a
review landing in between leaves the snapshot with the older total: the next
progress call sees it stale and asks again. It costs 2 reads, then 1 per card
(the course's most recent ``MASTERY_CARDS_PER_COURSE``), then a 2-read
transaction that writes the snapshot only if the course is still live and no
newer snapshot was written meanwhile (a course being deleted is never
written back under its subtree).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from aksio.assessments import paths as assessment_paths
from aksio.assessments import stats as assessment_stats
from aksio.assessments.flashcards.domain import usable_parameters
from aksio.courses import repository as courses
from aksio.courses.repository import DELETING
from aksio.learning.progress import mastery, snapshots
from aksio.ports.documents import DocumentStore, Query, Transaction, collection
from aksio.ports.tasks import Task, TaskAlreadyExists, TaskQueue
from aksio.validation import Id

log = logging.getLogger("aksio.learning")

TASK_KIND = "refresh_mastery"
MASTERY_CARDS_PER_COURSE = 2000
"""The most recent cards counted; ``cards_capped`` says when a course has more."""


class RefreshMasteryPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uid: Id
    course_id: Id


def cards_query(uid: str, course_id: str, limit: int) -> Query:
    return (
        collection(assessment_paths.flashcards(uid))
        .where("course_id", "==", course_id)
        .order_by("created_at", "desc")
        .limit_to(limit)
    )


@dataclass(frozen=True)
class Refreshed:
    written: bool
    """False when the course is gone or being deleted, or a newer snapshot won."""
    cards: int


def refresh(
    store: DocumentStore,
    uid: str,
    course_id: str,
    now: datetime,
    *,
    card_limit: int = MASTERY_CARDS_PER_COURSE,
) -> Refreshed:
    assessed, course = store.get_many(
        [assessment_paths.stats(uid), courses.course_path(uid, course_id)]
    )
    if not _live(course):
        return Refreshed(False, 0)
    assessed_data = assessed.data if assessed else {}
    parameters = usable_parameters(assessment_stats.fsrs_parameters(assessed_data))
    fp = snapshots.fingerprint(assessed_data, course_id)
    read = store.query(cards_query(uid, course_id, card_limit))
    memories = [
        mastery.card_memory(c.data, now, parameters) for c in read if not c.data.get("suspended")
    ]
    document = snapshots.build(
        course_id,
        memories,
        computed_at=now,
        reviews_total=assessment_stats.total_reviews(assessed_data),
        cards_fingerprint=fp,
        capped=len(read) >= card_limit and sum(fp.values()) > len(read),
    )
    target = snapshots.path(uid, course_id)

    def write(tx: Transaction) -> bool:
        live, current = tx.get_many([courses.course_path(uid, course_id), target])
        if not _live(live):
            return False
        existing = snapshots.parse(current.data if current else None)
        if existing is not None and existing.computed_at > now:
            return False
        tx.set(target, document)
        return True

    return Refreshed(store.run_transaction(write), len(memories))


def _live(course: Any) -> bool:
    return course is not None and course.data.get("status") != DELETING


def refresh_task(uid: str, course_id: str, key: str) -> Task:
    return Task(
        TASK_KIND, RefreshMasteryPayload(uid=uid, course_id=course_id).model_dump(), dedupe_key=key
    )


def request_refresh(queue: Callable[[], TaskQueue], uid: str, course_id: str, key: str) -> bool:
    """Queue a refresh; True if queued now. Never raises: the progress page
    answers with the snapshot it has, and a later call asks again."""
    try:
        queue().enqueue(refresh_task(uid, course_id, key))
    except TaskAlreadyExists:
        return False
    except Exception:
        log.exception("could not queue a mastery refresh", extra={"uid": uid, "course": course_id})
        return False
    return True
