"""Study plans and their sessions in the document store.

A plan document holds, besides the API fields (dates as ISO strings: the
store has no date type):

- ``revision``: 0 when created, +1 per replan. Session ids are
  ``{plan_id}-{revision:03d}-{index:04d}``: deterministic, so a task
  delivered twice overwrites the same sessions instead of adding more, and
  a replan's sessions never collide with the ones it keeps.
- ``generate_from``: the first day the pending generation plans (the start
  date, or the replan day).

Sessions live in the user's ``study_sessions`` collection (shared with the
sessions area, which patches their status), with ``plan_id`` and ``date``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from aksio.errors import Conflict, NotFound
from aksio.ids import is_valid_id
from aksio.learning import paths
from aksio.learning.plans.models import Plan, PlanListQuery, PlanSession
from aksio.pagination import Page, fetch_page
from aksio.ports.documents import (
    DELETE_FIELD,
    MAX_BATCH_WRITES,
    DocumentStore,
    Query,
    Snapshot,
    Transaction,
    collection,
)
from aksio.ports.documents import NotFound as MissingDocument
from aksio.tasks.stuck import is_stuck

PLAN_GONE = "No such study plan."
MAX_PLAN_SESSIONS = 5000
"""Far above any plan (365 days x a few sessions); bounds every read of a plan's sessions."""
BUSY = ("queued", "running")

QUERY_INDEXES: list[dict[str, Any]] = [
    {
        "collectionGroup": "study_plans",
        "queryScope": "COLLECTION",
        "fields": [
            {"fieldPath": "course_id", "order": "ASCENDING"},
            {"fieldPath": "created_at", "order": "DESCENDING"},
        ],
    },
    {
        "collectionGroup": "study_sessions",
        "queryScope": "COLLECTION",
        "fields": [
            {"fieldPath": "plan_id", "order": "ASCENDING"},
            {"fieldPath": "date", "order": "ASCENDING"},
        ],
    },
]
"""Composite indexes the queries below need in Firestore (firestore.indexes.json)."""


def session_id(plan_id: str, revision: int, index: int) -> str:
    return f"{plan_id}-{revision:03d}-{index:04d}"


def session_revision(session_id: str) -> int | None:
    """The plan revision that wrote a plan session (None: not a plan session id)."""
    parts = session_id.rsplit("-", 2)
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else None


# ------------------------------------------------------------------ plans
def plan_path(uid: str, plan_id: str) -> str:
    """The plan's path; an id that cannot be one answers 404 like a missing plan."""
    if not is_valid_id(plan_id):
        raise NotFound(PLAN_GONE)
    return paths.study_plan(uid, plan_id)


def to_plan(snap: Snapshot, sessions: Sequence[Snapshot] = ()) -> Plan:
    return Plan.model_validate(
        {**snap.data, "id": snap.id, "sessions": [to_session(s) for s in sessions]}
    )


def to_session(snap: Snapshot) -> PlanSession:
    return PlanSession.model_validate({**snap.data, "id": snap.id})


def create_plan(store: DocumentStore, uid: str, plan_id: str, data: Mapping[str, Any]) -> Plan:
    store.create(paths.study_plan(uid, plan_id), dict(data))
    return Plan.model_validate({**data, "id": plan_id})


def require_plan(store: DocumentStore, uid: str, plan_id: str) -> Snapshot:
    snap = store.get(plan_path(uid, plan_id))
    if snap is None:
        raise NotFound(PLAN_GONE)
    return snap


def get_plan(store: DocumentStore, uid: str, plan_id: str) -> Plan:
    snap = require_plan(store, uid, plan_id)
    return to_plan(snap, plan_sessions(store, uid, plan_id))


def list_query(uid: str, course_id: str | None) -> Query:
    query = collection(paths.study_plans(uid))
    if course_id is not None:
        query = query.where("course_id", "==", course_id)
    return query.order_by("created_at", "desc")


def list_plans(store: DocumentStore, uid: str, page: PlanListQuery) -> Page[Plan]:
    query = list_query(uid, page.course_id)
    return fetch_page(store, query, page, to_plan)


def update_plan(
    store: DocumentStore, uid: str, plan_id: str, fields: Mapping[str, Any], now: datetime
) -> None:
    """Change fields of a plan that exists (raises the store's NotFound otherwise)."""
    store.update(paths.study_plan(uid, plan_id), {**fields, "updated_at": now})


def mark_queued_for_replan(
    store: DocumentStore,
    uid: str,
    plan_id: str,
    generate_from: str,
    now: datetime,
    *,
    stuck_after: timedelta,
) -> dict[str, Any]:
    """Queue a new revision from ``generate_from``; 409 while one is pending
    (unless it is stuck: ``aksio.tasks.stuck``). Returns the plan's data as written."""
    path = plan_path(uid, plan_id)

    def apply(tx: Transaction) -> dict[str, Any]:
        snap = tx.get(path)
        if snap is None:
            raise NotFound(PLAN_GONE)
        status, updated = snap.data.get("status"), snap.data.get("updated_at")
        if status in BUSY and not is_stuck(status, updated, now, stuck_after):
            raise Conflict("The plan is being generated; try again when it is ready.")
        change = {
            "status": "queued",
            "error": None,
            "revision": int(snap.data.get("revision", 0)) + 1,
            "generate_from": generate_from,
            "updated_at": now,
        }
        tx.update(path, change)
        return {**snap.data, **change}

    return store.run_transaction(apply)


def delete_plan(store: DocumentStore, uid: str, plan_id: str) -> None:
    """Sessions first: if this stops half-way the plan is still there to delete again."""
    path = plan_path(uid, plan_id)
    if store.get(path) is None:
        raise NotFound(PLAN_GONE)
    delete_sessions(store, uid, [s.id for s in plan_sessions(store, uid, plan_id)])
    store.delete(path)
    # The plan's counters in the learning aggregates go with it (the minutes
    # per day and per course stay: that studying happened).
    with contextlib.suppress(MissingDocument):
        store.update(paths.stats(uid), {f"plans.{plan_id}": DELETE_FIELD})


# ------------------------------------------------------------------ sessions
def sessions_query(uid: str, plan_id: str) -> Query:
    return (
        collection(paths.study_sessions(uid))
        .where("plan_id", "==", plan_id)
        .order_by("date")
        .limit_to(MAX_PLAN_SESSIONS)
    )


def plan_sessions(store: DocumentStore, uid: str, plan_id: str) -> list[Snapshot]:
    """The plan's sessions by date (ties: by id, i.e. in plan order)."""
    return store.query(sessions_query(uid, plan_id))


def write_sessions(store: DocumentStore, uid: str, sessions: Iterable[Mapping[str, Any]]) -> None:
    """Replace each session document (by its ``id``), in batches."""
    _in_batches(
        store,
        [
            (paths.study_session(uid, str(s["id"])), {k: v for k, v in s.items() if k != "id"})
            for s in sessions
        ],
    )


def delete_sessions(store: DocumentStore, uid: str, ids: Iterable[str]) -> None:
    _in_batches(store, [(paths.study_session(uid, i), None) for i in ids])


def _in_batches(store: DocumentStore, writes: Sequence[tuple[str, dict[str, Any] | None]]) -> None:
    for start in range(0, len(writes), MAX_BATCH_WRITES):
        batch = store.batch()
        for path, data in writes[start : start + MAX_BATCH_WRITES]:
            if data is None:
                batch.delete(path)
            else:
                batch.set(path, data)
        batch.commit()
