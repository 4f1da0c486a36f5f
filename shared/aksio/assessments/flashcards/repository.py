"""Flashcards in the document store: create (one or many), read, list,
replace, delete, suspend. Reviews, undo and the due queue are in
:mod:`aksio.assessments.flashcards.reviews`.

A card document (``users/{uid}/flashcards/{id}``) holds the API fields plus
``fsrs`` (the scheduler's state), ``state`` and ``due`` copied out of it for
queries, ``suspended``, ``review_count``, ``lapses``, ``fingerprint`` (the
duplicate key of its front), ``origin`` (``manual`` or ``generated``) and
``updated_at``. Every change that moves a card between the counts of the
stats document writes that document in the same transaction, so the counts
stay exact.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from aksio.assessments import paths, sources, stats
from aksio.assessments.flashcards import domain
from aksio.assessments.flashcards.models import (
    Flashcard,
    FlashcardCreate,
    FlashcardListQuery,
    FlashcardReplace,
)
from aksio.courses import paths as course_paths
from aksio.courses.repository import COURSE_GONE, DELETING, SECTION_GONE, course_path
from aksio.errors import InvalidInput, NotFound
from aksio.ids import is_valid_id, new_id
from aksio.pagination import Page, fetch_page
from aksio.ports.documents import (
    MAX_BATCH_WRITES,
    MAX_IN_VALUES,
    DocumentStore,
    Query,
    Snapshot,
    Transaction,
    collection,
)

CARD_GONE = "No such flashcard."
CARDS_PER_TRANSACTION = 400
"""Cards written per commit, with room for the stats write and Firestore's 500."""


def _index(*fields: tuple[str, str]) -> dict[str, Any]:
    return {
        "collectionGroup": "flashcards",
        "queryScope": "COLLECTION",
        "fields": [
            {"fieldPath": name, "arrayConfig": "CONTAINS"}
            if order == "CONTAINS"
            else {"fieldPath": name, "order": order}
            for name, order in fields
        ],
    }


QUERY_INDEXES: list[dict[str, Any]] = [
    # the due queue: all courses, and one course
    _index(("suspended", "ASCENDING"), ("due", "ASCENDING")),
    _index(("course_id", "ASCENDING"), ("suspended", "ASCENDING"), ("due", "ASCENDING")),
    # lists, newest first, one per filter; Firestore merges these for equality
    # filters combined (course + state, course + tag ...)
    _index(("course_id", "ASCENDING"), ("created_at", "DESCENDING")),
    _index(("section_id", "ASCENDING"), ("created_at", "DESCENDING")),
    _index(("tags", "CONTAINS"), ("created_at", "DESCENDING")),
    _index(("state", "ASCENDING"), ("created_at", "DESCENDING")),
    _index(("suspended", "ASCENDING"), ("created_at", "DESCENDING")),
    # duplicate detection: fingerprint in [...] within one course
    _index(("course_id", "ASCENDING"), ("fingerprint", "ASCENDING")),
]
"""Composite indexes the queries below and in ``reviews`` need in Firestore."""


# ------------------------------------------------------------------ reading
def card_path(uid: str, card_id: str) -> str:
    """The card's path; an id that cannot be one answers 404 like a missing card."""
    if not is_valid_id(card_id):
        raise NotFound(CARD_GONE)
    return paths.flashcard(uid, card_id)


def to_flashcard(card_id: str, data: Mapping[str, Any]) -> Flashcard:
    return Flashcard.model_validate({**data, "id": card_id})


def _card(snap: Snapshot | None) -> Snapshot:
    if snap is None:
        raise NotFound(CARD_GONE)
    return snap


def get_card(store: DocumentStore, uid: str, card_id: str) -> Flashcard:
    snap = _card(store.get(card_path(uid, card_id)))
    return to_flashcard(snap.id, snap.data)


def list_query(uid: str, filters: FlashcardListQuery) -> Query:
    query = collection(paths.flashcards(uid))
    if filters.course_id is not None:
        query = query.where("course_id", "==", filters.course_id)
    if filters.section_id is not None:
        query = query.where("section_id", "==", filters.section_id)
    if filters.tag is not None:
        query = query.where("tags", "array-contains", filters.tag)
    if filters.state is not None:
        query = query.where("state", "==", filters.state)
    if filters.suspended is not None:
        query = query.where("suspended", "==", filters.suspended)
    return query.order_by("created_at", "desc")


def list_cards(store: DocumentStore, uid: str, page: FlashcardListQuery) -> Page[Flashcard]:
    query = list_query(uid, page)
    return fetch_page(store, query, page, lambda s: to_flashcard(s.id, s.data))


def existing_fingerprints(
    store: DocumentStore, uid: str, course_id: str, fingerprints: Collection[str]
) -> set[str]:
    """Which of ``fingerprints`` the course's cards already have: one query
    per 30 fingerprints (Firestore's ``in`` limit), never a scan of the course."""
    wanted = sorted(set(fingerprints))
    found: set[str] = set()
    for start in range(0, len(wanted), MAX_IN_VALUES):
        chunk = wanted[start : start + MAX_IN_VALUES]
        query = (
            collection(paths.flashcards(uid))
            .where("course_id", "==", course_id)
            .where("fingerprint", "in", chunk)
        )
        found.update(str(s.data.get("fingerprint")) for s in store.query(query))
    return found


# ------------------------------------------------------------------ course checks
def _section_path(uid: str, course_id: str, section_id: str) -> str:
    if not is_valid_id(section_id):
        raise NotFound(SECTION_GONE)
    return course_paths.section(uid, course_id, section_id)


def _check_course(
    tx: Transaction,
    uid: str,
    course_id: str,
    section_ids: Collection[str | None],
    document_ids: Collection[str] = (),
) -> None:
    """404 unless the course is live and every section given, and every
    document a citation names, is one of its own. Read in the transaction, so
    a card cannot land in a course being deleted."""
    sections = sorted({s for s in section_ids if s is not None})
    documents = sorted(set(document_ids))
    snaps = tx.get_many(
        [
            course_path(uid, course_id),
            *(_section_path(uid, course_id, s) for s in sections),
            *sources.document_paths(uid, course_id, documents),
        ]
    )
    course = snaps[0]
    if course is None or course.data.get("status") == DELETING:
        raise NotFound(COURSE_GONE)
    if any(s is None for s in snaps[1 : 1 + len(sections)]):
        raise NotFound(SECTION_GONE)
    sources.require_documents(snaps[1 + len(sections) :], documents)


# ------------------------------------------------------------------ writing
def create_cards(
    store: DocumentStore,
    uid: str,
    bodies: Sequence[FlashcardCreate],
    now: datetime,
    *,
    origin: str = "manual",
) -> list[Flashcard]:
    """Create cards after checking their course(s) and sections (404 if one is
    missing). Up to CARDS_PER_TRANSACTION cards commit all together with their
    stats; more (generation) commit in chunks of that size.

    Generated cards (``origin="generated"``) get ids fixed by course and front
    (``domain.generated_card_id``); one that exists already is skipped in the
    writing transaction, so concurrent generation runs cannot double a card.
    Returns the cards created."""
    if not bodies:
        return []
    generated = origin == "generated"
    documents = []
    for body in bodies:
        doc = domain.new_card_document(body.model_dump(mode="json"), now, origin=origin)
        card_id = (
            domain.generated_card_id(doc["course_id"], doc["fingerprint"])
            if generated
            else new_id()
        )
        documents.append((card_id, doc))
    created: list[Flashcard] = []
    for start in range(0, len(documents), CARDS_PER_TRANSACTION):
        chunk = documents[start : start + CARDS_PER_TRANSACTION]
        written = set(_create_chunk(store, uid, chunk, skip_existing=generated))
        created += [to_flashcard(card_id, doc) for card_id, doc in chunk if card_id in written]
    return created


def _create_chunk(
    store: DocumentStore,
    uid: str,
    documents: list[tuple[str, dict[str, Any]]],
    *,
    skip_existing: bool,
) -> list[str]:
    """The ids written: all of them, or (``skip_existing``) those not there yet."""
    by_course: dict[str, list[str | None]] = {}
    cited: dict[str, list[Any]] = {}
    for _, doc in documents:
        by_course.setdefault(doc["course_id"], []).append(doc["section_id"])
        cited.setdefault(doc["course_id"], []).append(doc.get("source"))
    card_paths = [paths.flashcard(uid, card_id) for card_id, _ in documents]

    def apply(tx: Transaction) -> list[str]:
        for course_id, section_ids in by_course.items():
            _check_course(
                tx, uid, course_id, section_ids, sources.cited_documents(cited[course_id])
            )
        there = tx.get_many(card_paths) if skip_existing else [None] * len(documents)
        fresh = [(c, d) for (c, d), snap in zip(documents, there, strict=True) if snap is None]
        if not fresh:
            return []
        added: dict[str, int] = {}
        for card_id, doc in fresh:
            tx.create(paths.flashcard(uid, card_id), doc)
            added[doc["course_id"]] = added.get(doc["course_id"], 0) + 1
        update = stats.combine(*(stats.card_added(c, "new", n=n) for c, n in added.items()))
        tx.set(paths.stats(uid), update, merge=True)
        return [card_id for card_id, _ in fresh]

    return store.run_transaction(apply)


def replace_card(
    store: DocumentStore, uid: str, card_id: str, body: FlashcardReplace, now: datetime
) -> Flashcard:
    """PUT: the card's content, tags, section and source. Its course stays."""
    path = card_path(uid, card_id)
    fields = body.model_dump(mode="json", exclude={"course_id"})

    def apply(tx: Transaction) -> dict[str, Any]:
        current = _card(tx.get(path)).data
        course_id = current["course_id"]
        if body.course_id is not None and body.course_id != course_id:
            raise InvalidInput(
                "A flashcard cannot move to another course.",
                details=[{"field": "course_id", "message": "must be the card's own course"}],
            )
        _check_course(tx, uid, course_id, [body.section_id], sources.cited_documents([body.source]))
        change = {**fields, "fingerprint": domain.fingerprint(body.front), "updated_at": now}
        tx.update(path, change)
        return {**current, **change}

    return to_flashcard(card_id, store.run_transaction(apply))


def delete_card(store: DocumentStore, uid: str, card_id: str) -> None:
    """Delete the card and its review log. The log paths follow from the
    card's review count (reviews are numbered 1..review_count), so no query."""
    path = card_path(uid, card_id)

    def apply(tx: Transaction) -> int:
        doc = _card(tx.get(path)).data
        tx.delete(path)
        update = stats.card_removed(
            doc["course_id"], doc["state"], suspended=bool(doc.get("suspended"))
        )
        tx.set(paths.stats(uid), update, merge=True)
        return int(doc.get("review_count", 0))

    reviews = store.run_transaction(apply)
    # After the card is gone nothing can add to its log; a failure here leaves
    # orphaned log entries, which course deletion still removes by course_id.
    logs = [paths.review(uid, card_id, seq) for seq in range(1, reviews + 1)]
    for start in range(0, len(logs), MAX_BATCH_WRITES):
        batch = store.batch()
        for log_path in logs[start : start + MAX_BATCH_WRITES]:
            batch.delete(log_path)
        batch.commit()


def set_suspended(
    store: DocumentStore, uid: str, card_id: str, suspended: bool, now: datetime
) -> Flashcard:
    """Suspend or unsuspend; doing it twice changes nothing the second time."""
    path = card_path(uid, card_id)

    def apply(tx: Transaction) -> dict[str, Any]:
        doc = _card(tx.get(path)).data
        if bool(doc.get("suspended")) == suspended:
            return doc
        change = {"suspended": suspended, "updated_at": now}
        tx.update(path, change)
        update = stats.suspension_changed(doc["course_id"], doc["state"], suspended=suspended)
        tx.set(paths.stats(uid), update, merge=True)
        return {**doc, **change}

    return to_flashcard(card_id, store.run_transaction(apply))
