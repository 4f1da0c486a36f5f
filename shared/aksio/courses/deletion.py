"""Deleting a course and everything under it, in the background.

DELETE marks the course ``deleting`` (404 and out of lists from then on) and
enqueues one ``delete_course`` task, deduplicated by the course path. The
task deletes the course's files (one blob prefix) and then its documents
(one subtree: sections, documents, chunks and whatever later areas add under
the course), both in batches. Every step deletes only what is still there,
so a second delivery, or a retry after an interruption, finishes the job:
the task is idempotent and resumable without keeping any progress record.

Why always a task, even for a small course: one code path, the HTTP answer
does not depend on the course's size (which we would have to count first),
and the store's batched deletes can take minutes for large courses.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from aksio.courses import paths, repository
from aksio.errors import Unavailable
from aksio.ports.blobs import BlobStore
from aksio.ports.documents import DocumentStore
from aksio.ports.tasks import PermanentTaskError, Task, TaskAlreadyExists, TaskDelivery, TaskQueue
from aksio.tasks.registry import register
from aksio.validation import Id

log = logging.getLogger("aksio.courses")

TASK_KIND = "delete_course"


class DeleteCoursePayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uid: Id
    course_id: Id


@dataclass(frozen=True)
class Purged:
    documents: int
    files: int


def deletion_task(uid: str, course_id: str) -> Task:
    return Task(
        TASK_KIND,
        DeleteCoursePayload(uid=uid, course_id=course_id).model_dump(),
        # One task per course: repeated DELETEs while it is queued add nothing.
        dedupe_key=paths.course(uid, course_id),
    )


def request_deletion(
    store: DocumentStore, tasks: TaskQueue, uid: str, course_id: str, now: datetime
) -> None:
    """Hide the course now and queue the purge. A DELETE of a course already
    being deleted queues the task again (deduplicated while it is pending), so
    a client retrying after a failed enqueue gets the work done."""
    repository.mark_deleting(store, uid, course_id, now)
    try:
        tasks.enqueue(deletion_task(uid, course_id))
    except TaskAlreadyExists:
        pass  # queued (or just done) already
    except Exception as exc:
        # The course stays hidden and marked: retrying DELETE queues it again.
        log.exception("could not queue course deletion", extra={"uid": uid, "course": course_id})
        raise Unavailable("The course could not be deleted right now; try again.") from exc


def purge_course(store: DocumentStore, blobs: BlobStore, uid: str, course_id: str) -> Purged:
    """Delete the course's files and documents. Refuses a course that is not
    marked for deletion (a stray task must never delete live data); a course
    document already gone means an earlier run got that far: finish the rest."""
    course = store.get(paths.course(uid, course_id))
    if course is not None and course.data.get("status") != repository.DELETING:
        raise PermanentTaskError(f"course {course_id} is not marked for deletion")
    # Both steps delete whatever is left under a prefix, so either order resumes;
    # files first keeps the course marked ``deleting`` (refusing new uploads)
    # for as long as files are being removed.
    from aksio.assessments.cleanup import purge_course_items

    files = blobs.delete_prefix(paths.course_blobs(uid, course_id))
    # Cards, reviews and quizzes sit outside the subtree (per-user collections
    # keyed by course, see aksio.assessments.paths): before the course document
    # goes, so a retry still finds the course marked and finishes them.
    items = purge_course_items(store, uid, course_id)
    documents = store.delete_tree(paths.course(uid, course_id))
    return Purged(documents=documents + items, files=files)


@register(TASK_KIND, on_give_up=lambda payload, delivery, exc: _gave_up(payload, exc))
def handle_delete_course(payload: dict[str, Any], delivery: TaskDelivery) -> None:
    from aksio.composition import get_services

    task = DeleteCoursePayload.model_validate(payload)
    services = get_services()
    purged = purge_course(services.documents, services.blobs, task.uid, task.course_id)
    log.info(
        "course deleted",
        extra={
            "uid": task.uid,
            "course": task.course_id,
            "documents": purged.documents,
            "files": purged.files,
            "attempt": delivery.attempt,
        },
    )


def _gave_up(payload: dict[str, Any], exc: Exception) -> None:
    # The course stays marked ``deleting`` (hidden); a later DELETE re-queues it.
    log.error("course deletion gave up", extra={"payload": payload, "error": str(exc)})
