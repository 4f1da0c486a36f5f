"""Flashcard generation jobs in the document store
(``users/{uid}/generation_jobs/{job_id}``, keyed to the course by ``course_id``
so deleting the course removes them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from aksio.assessments import paths
from aksio.assessments.generation.models import GenerationJob, JobListQuery, JobStatus
from aksio.errors import NotFound
from aksio.ids import is_valid_id, new_id
from aksio.pagination import Page, fetch_page
from aksio.ports.documents import DocumentStore, Query, Snapshot, Transaction, collection

JOB_GONE = "No such generation job."
FINISHED: frozenset[str] = frozenset({"ready", "failed"})

QUERY_INDEXES: list[dict[str, Any]] = [
    {
        "collectionGroup": "generation_jobs",
        "queryScope": "COLLECTION",
        "fields": [
            {"fieldPath": "course_id", "order": "ASCENDING"},
            {"fieldPath": "created_at", "order": "DESCENDING"},
        ],
    }
]
"""The job list filtered by course; unfiltered, one field's order needs no composite index."""


def job_path(uid: str, job_id: str) -> str:
    if not is_valid_id(job_id):
        raise NotFound(JOB_GONE)
    return paths.generation_job(uid, job_id)


def to_job(snap: Snapshot) -> GenerationJob:
    return GenerationJob.model_validate({**snap.data, "id": snap.id})


def create_job(
    store: DocumentStore,
    uid: str,
    *,
    course_id: str,
    document_id: str | None,
    section_id: str | None,
    count: int,
    now: datetime,
) -> GenerationJob:
    job = GenerationJob(
        id=new_id(),
        course_id=course_id,
        document_id=document_id,
        section_id=section_id,
        requested_count=count,
        status="queued",
        created_at=now,
        updated_at=now,
    )
    store.create(paths.generation_job(uid, job.id), job.model_dump(exclude={"id"}))
    return job


def get_job(store: DocumentStore, uid: str, job_id: str) -> GenerationJob:
    snap = store.get(job_path(uid, job_id))
    if snap is None:
        raise NotFound(JOB_GONE)
    return to_job(snap)


def find_job(store: DocumentStore, uid: str, job_id: str) -> GenerationJob | None:
    snap = store.get(paths.generation_job(uid, job_id))
    return None if snap is None else to_job(snap)


def list_query(uid: str, course_id: str | None) -> Query:
    query = collection(paths.generation_jobs(uid))
    if course_id is not None:
        query = query.where("course_id", "==", course_id)
    return query.order_by("created_at", "desc")


def list_jobs(store: DocumentStore, uid: str, page: JobListQuery) -> Page[GenerationJob]:
    query = list_query(uid, page.course_id)
    return fetch_page(store, query, page, to_job)


def start(store: DocumentStore, uid: str, job_id: str, now: datetime) -> GenerationJob | None:
    """Mark the job running and return it; None if it is gone or already
    finished (a repeated delivery: nothing to do). A job found ``running``
    is an earlier attempt that died midway: it is run again."""
    path = paths.generation_job(uid, job_id)

    def apply(tx: Transaction) -> GenerationJob | None:
        snap = tx.get(path)
        if snap is None or snap.data.get("status") in FINISHED:
            return None
        tx.update(path, {"status": "running", "updated_at": now})
        return GenerationJob.model_validate(
            {**snap.data, "id": job_id, "status": "running", "updated_at": now}
        )

    return store.run_transaction(apply)


def finish(
    store: DocumentStore,
    uid: str,
    job_id: str,
    now: datetime,
    *,
    status: JobStatus,
    created_count: int = 0,
    skipped_duplicates: int = 0,
    error: str | None = None,
    warnings: Sequence[str] = (),
) -> None:
    """Record the outcome, unless the job is gone (its course was deleted) or
    already finished (a late give-up must not turn a ready job failed)."""
    path = paths.generation_job(uid, job_id)
    fields: dict[str, Any] = {
        "status": status,
        "created_count": created_count,
        "skipped_duplicates": skipped_duplicates,
        "error": error,
        "warnings": list(warnings),
        "updated_at": now,
    }

    def apply(tx: Transaction) -> None:
        snap = tx.get(path)
        if snap is None or snap.data.get("status") in FINISHED:
            return
        tx.update(path, fields)

    store.run_transaction(apply)


def fail(store: DocumentStore, uid: str, job_id: str, now: datetime, error: str) -> None:
    finish(store, uid, job_id, now, status="failed", error=error)
