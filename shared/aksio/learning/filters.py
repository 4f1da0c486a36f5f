"""Ids a client names in a learning list filter must be its own, as anywhere
else (the assessments lists answer the same way).

Lists are read from the caller's own collections, so another user's course
or plan id could only ever list nothing; a 404 tells the client the id is
wrong (a typo, a deleted course or plan) rather than that the list is empty.
"""

from __future__ import annotations

from aksio.courses.repository import COURSE_GONE, DELETING, course_path
from aksio.errors import NotFound
from aksio.learning.plans.repository import PLAN_GONE, plan_path
from aksio.ports.documents import DocumentStore


def check_filters(
    store: DocumentStore, uid: str, course_id: str | None, plan_id: str | None = None
) -> None:
    """404 unless ``course_id`` (when given) is the caller's live course and
    ``plan_id`` (when given) one of the caller's plans: both in one read."""
    reads = ([course_path(uid, course_id)] if course_id is not None else []) + (
        [plan_path(uid, plan_id)] if plan_id is not None else []
    )
    if not reads:
        return
    snaps = store.get_many(reads)
    if course_id is not None:
        course = snaps.pop(0)
        if course is None or course.data.get("status") == DELETING:
            raise NotFound(COURSE_GONE)
    if plan_id is not None and snaps[0] is None:
        raise NotFound(PLAN_GONE)
