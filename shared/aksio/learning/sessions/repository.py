"""Study sessions in the document store (``users/{uid}/study_sessions/{id}``).

Plan sessions are written by the plans area (``aksio.learning.plans``);
ad-hoc ones here. A session document holds the API fields (``date`` as an
ISO string, so string order is date order) plus ``started_at``,
``completed_at``, ``completed_day`` (the local day its minutes were counted
on), ``created_at`` and ``updated_at``.

A status change writes the learning aggregates document
(``aksio.learning.progress.aggregates``) in the same transaction, so the
counters and minutes stay exact under retries and concurrent requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from aksio.accounts.paths import user
from aksio.courses import paths as course_paths
from aksio.courses.repository import COURSE_GONE, DELETING, SECTION_GONE, course_path
from aksio.errors import NotFound
from aksio.ids import is_valid_id, new_id
from aksio.learning import paths
from aksio.learning.progress import aggregates
from aksio.learning.sessions import domain
from aksio.learning.sessions.models import (
    Session,
    SessionCreate,
    SessionListQuery,
    SessionUpdate,
)
from aksio.pagination import Page, fetch_page
from aksio.ports.documents import DocumentStore, Query, Snapshot, Transaction, collection

SESSION_GONE = "No such study session."


def _index(*fields: str) -> dict[str, Any]:
    return {
        "collectionGroup": "study_sessions",
        "queryScope": "COLLECTION",
        "fields": [{"fieldPath": name, "order": "ASCENDING"} for name in fields],
    }


QUERY_INDEXES: list[dict[str, Any]] = [
    # lists ordered by date, one per equality filter; Firestore merges them
    # when several filters are combined (course + status ...)
    _index("course_id", "date"),
    _index("plan_id", "date"),
    _index("status", "date"),
    # plan adherence (aksio.learning.progress.repository): plan_id in [...],
    # completed, up to today
    _index("plan_id", "status", "date"),
]
"""Composite indexes the session queries need in Firestore."""


def session_path(uid: str, session_id: str) -> str:
    """The session's path; an id that cannot be one answers 404 like a missing one."""
    if not is_valid_id(session_id):
        raise NotFound(SESSION_GONE)
    return paths.study_session(uid, session_id)


def to_session(snap: Snapshot) -> Session:
    data = snap.data
    return Session.model_validate(
        {
            "plan_id": None,
            "section_id": None,
            "title": "",
            "actual_minutes": None,
            "notes": None,
            **data,
            "id": snap.id,
            "created_at": data.get("created_at") or snap.create_time,
            "updated_at": data.get("updated_at") or snap.update_time,
        }
    )


def _session(snap: Snapshot | None) -> Snapshot:
    if snap is None:
        raise NotFound(SESSION_GONE)
    return snap


def _timezone(profile: Snapshot | None) -> str | None:
    tz = profile.data.get("timezone") if profile else None
    return str(tz) if tz else None


# ------------------------------------------------------------------ reading
def get_session(store: DocumentStore, uid: str, session_id: str) -> Session:
    return to_session(_session(store.get(session_path(uid, session_id))))


def list_query(uid: str, filters: SessionListQuery) -> Query:
    query = collection(paths.study_sessions(uid))
    for name in ("course_id", "plan_id", "status"):
        value = getattr(filters, name)
        if value is not None:
            query = query.where(name, "==", value)
    if filters.date_from is not None:
        query = query.where("date", ">=", filters.date_from.isoformat())
    if filters.date_to is not None:
        query = query.where("date", "<=", filters.date_to.isoformat())
    return query.order_by("date")


def list_sessions(store: DocumentStore, uid: str, page: SessionListQuery) -> Page[Session]:
    query = list_query(uid, page)
    return fetch_page(store, query, page, to_session)


# ------------------------------------------------------------------ writing
def create_session(store: DocumentStore, uid: str, body: SessionCreate, now: datetime) -> Session:
    """An ad-hoc session of one of the caller's courses (404 otherwise), in a
    transaction so a course deleted meanwhile cannot keep a stray session."""
    session_id = new_id()
    course = course_path(uid, body.course_id)
    section = None
    if body.section_id is not None:
        if not is_valid_id(body.section_id):
            raise NotFound(SECTION_GONE)
        section = course_paths.section(uid, body.course_id, body.section_id)

    def apply(tx: Transaction) -> dict[str, Any]:
        reads = [course, user(uid)] + ([section] if section else [])
        course_snap, profile, *rest = tx.get_many(reads)
        if course_snap is None or course_snap.data.get("status") == DELETING:
            raise NotFound(COURSE_GONE)
        section_snap = rest[0] if rest else None
        if section is not None and section_snap is None:
            raise NotFound(SECTION_GONE)
        today = aggregates.local_day(now, _timezone(profile))
        day = body.date or today
        domain.check_date(day, today)
        title = body.title or str(
            (section_snap or course_snap).data.get("title") or "Study session"
        )
        data = {
            "plan_id": None,
            "course_id": body.course_id,
            "section_id": body.section_id,
            "title": title,
            "kind": body.kind,
            "date": day.isoformat(),
            "minutes": body.minutes,
            "status": "planned",
            "actual_minutes": None,
            "notes": body.notes,
            "created_at": now,
            "updated_at": now,
        }
        tx.create(paths.study_session(uid, session_id), data)
        return data

    data = store.run_transaction(apply)
    return Session.model_validate({**data, "id": session_id})


@dataclass(frozen=True)
class Changed:
    session: Session
    new_status: str | None
    """The status this change moved the session to; None if it kept its status."""
    today: date
    """The student's local date at the change."""


def update_session(
    store: DocumentStore, uid: str, session_id: str, body: SessionUpdate, now: datetime
) -> Changed:
    """Apply a PATCH: a status transition (409 if not allowed) with its
    aggregates, and/or new notes."""
    path = session_path(uid, session_id)
    sent = body.model_fields_set

    def apply(tx: Transaction) -> Changed:
        snap, profile = tx.get_many([path, user(uid)])
        doc = _session(snap).data
        today = aggregates.local_day(now, _timezone(profile))
        change: dict[str, Any] = {"updated_at": now}
        if "notes" in sent:
            change["notes"] = body.notes
        new_status = body.status
        if new_status is not None:
            domain.check_transition(str(doc.get("status")), new_status)
            change["status"] = new_status
            update = _status_change(doc, new_status, body=body, now=now, today=today, change=change)
            if update:
                tx.set(paths.stats(uid), update, merge=True)
        tx.update(path, change)
        assert snap is not None
        return Changed(
            session=to_session(
                Snapshot(snap.path, {**doc, **change}, snap.create_time, snap.update_time)
            ),
            new_status=new_status,
            today=today,
        )

    return store.run_transaction(apply)


def _status_change(
    doc: dict[str, Any],
    status: str,
    *,
    body: SessionUpdate,
    now: datetime,
    today: date,
    change: dict[str, Any],
) -> dict[str, Any]:
    """Fill ``change`` (the session's new fields) for ``status`` and return
    the aggregates update it makes (empty for a start)."""
    course_id, plan_id = str(doc["course_id"]), doc.get("plan_id")
    if status == "in_progress":
        change["started_at"] = now
        return {}
    if status == "skipped":
        return aggregates.session_skipped(course_id=course_id, plan_id=plan_id)
    minutes = body.actual_minutes if body.actual_minutes is not None else int(doc["minutes"])
    change.update(actual_minutes=minutes, completed_at=now, completed_day=today.isoformat())
    return aggregates.session_completed(
        course_id=course_id, plan_id=plan_id, day=today, minutes=minutes
    )
