"""Courses and sections in the document store.

A course document holds, besides the API fields:

- ``status``: ``active`` or ``deleting``. A course being deleted answers 404
  at once (documents code checks the same field) while a task empties it.
- ``list_state``: ``active``, ``archived`` or ``deleting``, derived from the
  two above so that every list query is one equality (or ``in``) filter plus
  one order: a single composite index (list_state, created_at desc) serves
  them all (see QUERY_INDEXES).
- ``section_count``: written by every section change, which also makes
  concurrent section changes of one course conflict on this document and
  retry, so positions never collide.

The number of live courses per user is a counter document, so the limit
costs one read instead of a count query, and stays exact under concurrency
(it changes in the same transaction as the course).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from aksio.courses import domain, paths
from aksio.courses.models import (
    Course,
    CourseCreate,
    CourseListQuery,
    Section,
    SectionCreate,
    SectionListQuery,
)
from aksio.documents import paths as doc_paths
from aksio.errors import Conflict, NotFound
from aksio.ids import is_valid_id, new_id
from aksio.pagination import Page, fetch_page
from aksio.ports.documents import (
    MAX_BATCH_WRITES,
    DocumentStore,
    Increment,
    Query,
    Snapshot,
    Transaction,
    collection,
)
from aksio.ports.documents import NotFound as StoreNotFound

COURSE_GONE = "No such course."
SECTION_GONE = "No such section."
ACTIVE, DELETING = "active", "deleting"
UNLINK_IN_TRANSACTION = MAX_BATCH_WRITES - domain.MAX_SECTIONS_PER_COURSE - 50
"""Documents a section deletion unlinks in its own transaction: with the
renumbering (at most one write per section) it stays under Firestore's 500."""

QUERY_INDEXES: list[dict[str, Any]] = [
    {
        "collectionGroup": "courses",
        "queryScope": "COLLECTION",
        "fields": [
            {"fieldPath": "list_state", "order": "ASCENDING"},
            {"fieldPath": "created_at", "order": "DESCENDING"},
        ],
    }
]
"""Composite indexes the queries below need in Firestore (firestore.indexes.json).
Section lists order by one field only: single-field indexes serve them."""


# ------------------------------------------------------------------ courses
def _list_state(archived: bool) -> str:
    return "archived" if archived else ACTIVE


def _course_data(fields: Mapping[str, Any]) -> dict[str, Any]:
    """API field values -> stored values (dates as ISO strings: the store has no date type)."""
    data = dict(fields)
    if "exam_date" in data:
        exam = data["exam_date"]
        data["exam_date"] = exam.isoformat() if isinstance(exam, date) else None
    return data


def to_course(snap: Snapshot) -> Course:
    data = snap.data
    color = data.get("color") or domain.default_color(snap.id)
    return Course.model_validate({**data, "id": snap.id, "color": color})


def live_course(snap: Snapshot | None) -> Snapshot:
    """The course if it is there and not being deleted; else 404 (other areas
    use it on a course they read in their own transaction)."""
    if snap is None or snap.data.get("status") == DELETING:
        raise NotFound(COURSE_GONE)
    return snap


def course_path(uid: str, course_id: str) -> str:
    """The course's path; an id that cannot be one answers 404 like a missing course."""
    if not is_valid_id(course_id):
        raise NotFound(COURSE_GONE)
    return paths.course(uid, course_id)


def create_course(store: DocumentStore, uid: str, body: CourseCreate, now: datetime) -> Course:
    course_id = new_id()
    fields = body.model_dump()
    fields["color"] = fields["color"] or domain.default_color(course_id)
    data = {
        **_course_data(fields),
        "status": ACTIVE,
        "list_state": _list_state(body.archived),
        "section_count": 0,
        "created_at": now,
        "updated_at": now,
    }

    def apply(tx: Transaction) -> None:
        counter = tx.get(paths.course_counter(uid))
        if counter is not None and int(counter.data.get("count", 0)) >= domain.MAX_COURSES_PER_USER:
            raise Conflict(
                f"You have reached the limit of {domain.MAX_COURSES_PER_USER} courses; "
                "delete one you no longer need.",
                details={"limit": domain.MAX_COURSES_PER_USER},
            )
        tx.create(paths.course(uid, course_id), data)
        tx.set(paths.course_counter(uid), {"count": Increment(1)}, merge=True)

    store.run_transaction(apply)
    return Course.model_validate({**fields, "id": course_id, "created_at": now, "updated_at": now})


def get_course(store: DocumentStore, uid: str, course_id: str) -> Course:
    return to_course(live_course(store.get(course_path(uid, course_id))))


def require_course(store: DocumentStore, uid: str, course_id: str) -> Snapshot:
    """For other areas (documents, cards...): the caller's live course or 404."""
    return live_course(store.get(course_path(uid, course_id)))


def list_query(uid: str, archived: bool | None) -> Query:
    states = [ACTIVE, "archived"] if archived is None else [_list_state(archived)]
    query = collection(paths.courses(uid))
    query = (
        query.where("list_state", "==", states[0])
        if len(states) == 1
        else query.where("list_state", "in", states)
    )
    return query.order_by("created_at", "desc")


def list_courses(store: DocumentStore, uid: str, page: CourseListQuery) -> Page[Course]:
    query = list_query(uid, page.archived)
    return fetch_page(store, query, page, to_course)


def update_course(
    store: DocumentStore, uid: str, course_id: str, fields: Mapping[str, Any], now: datetime
) -> Course:
    """Change the given API fields (PUT passes all of them, PATCH those sent)."""
    path = course_path(uid, course_id)
    change = _course_data(fields)
    if "color" in change:
        change["color"] = change["color"] or domain.default_color(course_id)

    def apply(tx: Transaction) -> dict[str, Any]:
        # In a transaction: list_state derives from archived *and* status, so a
        # concurrent DELETE must not be undone by an archive toggle.
        current = live_course(tx.get(path))
        merged = {**current.data, **change, "updated_at": now}
        written = {**change, "updated_at": now}
        if "archived" in change:
            written["list_state"] = merged["list_state"] = _list_state(bool(change["archived"]))
        tx.update(path, written)
        return merged

    merged = store.run_transaction(apply)
    return Course.model_validate({**merged, "id": course_id})


def mark_deleting(store: DocumentStore, uid: str, course_id: str, now: datetime) -> bool:
    """Hide the course and free its slot; False if it was already being deleted
    (a repeated DELETE), 404 if there is no such course."""
    path = course_path(uid, course_id)

    def apply(tx: Transaction) -> bool:
        snap = tx.get(path)
        if snap is None:
            raise NotFound(COURSE_GONE)
        if snap.data.get("status") == DELETING:
            return False
        tx.update(path, {"status": DELETING, "list_state": DELETING, "deleting_since": now})
        tx.set(paths.course_counter(uid), {"count": Increment(-1)}, merge=True)
        return True

    return store.run_transaction(apply)


# ------------------------------------------------------------------ sections
def to_section(snap: Snapshot, course_id: str) -> Section:
    return Section.model_validate({**snap.data, "id": snap.id, "course_id": course_id})


def section_query(uid: str, course_id: str) -> Query:
    return collection(paths.sections(uid, course_id)).order_by("order")


def list_sections(
    store: DocumentStore, uid: str, course_id: str, page: SectionListQuery
) -> Page[Section]:
    require_course(store, uid, course_id)
    query = section_query(uid, course_id)
    return fetch_page(store, query, page, lambda s: to_section(s, course_id))


def get_section(store: DocumentStore, uid: str, course_id: str, section_id: str) -> Section:
    course, snap = store.get_many(
        [course_path(uid, course_id), section_path(uid, course_id, section_id)]
    )
    live_course(course)
    if snap is None:
        raise NotFound(SECTION_GONE)
    return to_section(snap, course_id)


def section_path(uid: str, course_id: str, section_id: str) -> str:
    """The section's path; an id that cannot be one answers 404 like a missing section."""
    if not is_valid_id(section_id):
        raise NotFound(SECTION_GONE)
    return paths.section(uid, course_id, section_id)


def _read_all(tx: Transaction, uid: str, course_id: str) -> dict[str, Snapshot]:
    """The course (checked live) and all its sections, read first as
    transactions require; bounded by MAX_SECTIONS_PER_COURSE."""
    live_course(tx.get(course_path(uid, course_id)))
    return {s.id: s for s in tx.query(collection(paths.sections(uid, course_id)))}


def _orders(sections: Mapping[str, Snapshot]) -> dict[str, int]:
    return {sid: int(s.data.get("order", 0)) for sid, s in sections.items()}


def _write_order(
    tx: Transaction, uid: str, course_id: str, ordered: list[str], sections: dict[str, Snapshot]
) -> dict[str, int]:
    orders = _orders(sections)
    changed = domain.renumber(ordered, orders)
    for sid, order in changed.items():
        if sid in sections:  # a new section is created by the caller with its order
            tx.update(paths.section(uid, course_id, sid), {"order": order})
    tx.update(paths.course(uid, course_id), {"section_count": len(ordered)})
    return {**orders, **changed}


def create_section(
    store: DocumentStore, uid: str, course_id: str, body: SectionCreate, now: datetime
) -> Section:
    section_id = new_id()

    def apply(tx: Transaction) -> Section:
        sections = _read_all(tx, uid, course_id)
        if len(sections) >= domain.MAX_SECTIONS_PER_COURSE:
            raise Conflict(
                f"A course holds at most {domain.MAX_SECTIONS_PER_COURSE} sections.",
                details={"limit": domain.MAX_SECTIONS_PER_COURSE},
            )
        ordered = domain.current_order(_orders(sections))
        position = domain.insert_position(len(ordered), body.position)
        ordered = domain.with_inserted(ordered, section_id, position)
        _write_order(tx, uid, course_id, ordered, sections)
        section = Section(
            id=section_id,
            course_id=course_id,
            title=body.title,
            description=body.description,
            order=position,
        )
        data = section.model_dump(include={"title", "description", "order"})
        tx.create(paths.section(uid, course_id, section_id), {**data, "created_at": now})
        return section

    return store.run_transaction(apply)


def update_section(
    store: DocumentStore,
    uid: str,
    course_id: str,
    section_id: str,
    *,
    fields: Mapping[str, Any],
    now: datetime,
) -> Section:
    course = course_path(uid, course_id)
    path = section_path(uid, course_id, section_id)

    def apply(tx: Transaction) -> Section:
        course_snap, snap = tx.get_many([course, path])
        live_course(course_snap)
        if snap is None:
            raise NotFound(SECTION_GONE)
        tx.update(path, {**fields, "updated_at": now})
        return Section.model_validate(
            {**snap.data, **fields, "id": section_id, "course_id": course_id}
        )

    return store.run_transaction(apply)


def reorder_sections(
    store: DocumentStore, uid: str, course_id: str, section_ids: list[str]
) -> list[Section]:
    def apply(tx: Transaction) -> list[Section]:
        sections = _read_all(tx, uid, course_id)
        orders = _orders(sections)
        ordered = domain.check_reorder(domain.current_order(orders), section_ids)
        _write_order(tx, uid, course_id, ordered, sections)
        return [
            Section.model_validate(
                {**sections[sid].data, "id": sid, "course_id": course_id, "order": i}
            )
            for i, sid in enumerate(ordered)
        ]

    return store.run_transaction(apply)


def delete_section(store: DocumentStore, uid: str, course_id: str, section_id: str) -> None:
    """Delete and close the gap, so positions stay ``0..n-1``. The section's
    documents are unlinked (``section_id`` null) in the same transaction, so
    no document names a missing section; past UNLINK_IN_TRANSACTION of them
    (rare) the rest follow in batches right after."""
    path = section_path(uid, course_id, section_id)
    linked = linked_documents(uid, course_id, section_id)

    def apply(tx: Transaction) -> int:
        sections = _read_all(tx, uid, course_id)
        if section_id not in sections:
            raise NotFound(SECTION_GONE)
        documents = tx.query(linked.limit_to(UNLINK_IN_TRANSACTION))
        orders = _orders(sections)
        remaining = [sid for sid in domain.current_order(orders) if sid != section_id]
        tx.delete(path)
        _write_order(tx, uid, course_id, remaining, sections)
        for doc in documents:
            tx.update(doc.path, {"section_id": None})
        return len(documents)

    if store.run_transaction(apply) == UNLINK_IN_TRANSACTION:
        _unlink_rest(store, linked)


def linked_documents(uid: str, course_id: str, section_id: str) -> Query:
    """The course's documents linked to the section (one equality: no composite index)."""
    return collection(doc_paths.documents(uid, course_id)).where("section_id", "==", section_id)


def _unlink_rest(store: DocumentStore, linked: Query) -> None:
    """Batches until none is left: each pass unlinks what it read, and no new
    link can name the deleted section. Interrupted, a document keeps naming it;
    readers treat a section id they do not know as unlinked."""
    while documents := store.query(linked.limit_to(MAX_BATCH_WRITES)):
        batch = store.batch()
        for doc in documents:
            batch.update(doc.path, {"section_id": None})
        try:
            batch.commit()
        except StoreNotFound:
            continue  # one was deleted meanwhile: read again without it
