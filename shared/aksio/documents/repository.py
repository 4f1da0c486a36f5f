"""Document records and their chunks in the document store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from aksio.courses.repository import SECTION_GONE, course_path, live_course, section_path
from aksio.documents import paths
from aksio.documents.model import Chunk
from aksio.documents.models import Document
from aksio.errors import NotFound
from aksio.ids import is_valid_id, new_id
from aksio.pagination import Page, PageQuery, fetch_page
from aksio.ports.documents import (
    MAX_BATCH_WRITES,
    DocumentStore,
    Snapshot,
    Transaction,
    collection,
)

DOCUMENT_GONE = "No such document."


def new_document(
    store: DocumentStore,
    uid: str,
    course_id: str,
    *,
    filename: str,
    title: str,
    content_type: str,
    size: int,
    now: datetime,
    section_id: str | None = None,
) -> tuple[Document, str]:
    """Create the record before any byte arrives; returns it and its blob name
    (the caller has checked the course, and the section when given)."""
    doc = Document(
        id=new_id(),
        course_id=course_id,
        section_id=section_id,
        title=title,
        filename=filename,
        content_type=content_type,
        size=size,
        status="uploaded",
        created_at=now,
        updated_at=now,
    )
    blob = paths.upload_blob(uid, course_id, doc.id, filename)
    store.create(
        paths.document(uid, course_id, doc.id),
        {**doc.model_dump(), "uid": uid, "blob_name": blob, "processed_generation": 0},
    )
    return doc, blob


def to_document(data: dict[str, Any]) -> Document:
    return Document.model_validate(data)


def document_path(uid: str, course_id: str, document_id: str) -> str:
    if not is_valid_id(document_id):  # an id that cannot exist is simply not found
        raise NotFound(DOCUMENT_GONE)
    return paths.document(uid, course_id, document_id)


def get_document(store: DocumentStore, uid: str, course_id: str, document_id: str) -> Snapshot:
    snap = store.get(document_path(uid, course_id, document_id))
    if snap is None:
        raise NotFound(DOCUMENT_GONE)
    return snap


def update_document(
    store: DocumentStore,
    uid: str,
    course_id: str,
    document_id: str,
    *,
    fields: Mapping[str, Any],
    now: datetime,
) -> Document:
    """Change ``title`` and/or ``section_id`` (null unlinks). The course, the
    document and the new section are read in the transaction that writes, so
    a section deleted meanwhile is a 404, never a link to nothing."""
    path = document_path(uid, course_id, document_id)
    reads = [course_path(uid, course_id), path]
    section_id = fields.get("section_id")
    if section_id is not None:
        reads.append(section_path(uid, course_id, section_id))

    def apply(tx: Transaction) -> Document:
        course, snap, *section = tx.get_many(reads)
        live_course(course)
        if snap is None:
            raise NotFound(DOCUMENT_GONE)
        if section and section[0] is None:
            raise NotFound(SECTION_GONE)
        change = {**fields, "updated_at": now}
        tx.update(path, change)
        return to_document({**snap.data, **change})

    return store.run_transaction(apply)


def list_documents(
    store: DocumentStore, uid: str, course_id: str, page: PageQuery
) -> Page[Document]:
    query = collection(paths.documents(uid, course_id)).order_by("created_at", "desc")
    return fetch_page(store, query, page, lambda s: to_document(s.data))


def replace_chunks(
    store: DocumentStore,
    *,
    uid: str,
    course_id: str,
    document_id: str,
    title: str,
    chunks: Sequence[Chunk],
    generation: int,
) -> None:
    """Write this generation's chunks (ids are deterministic, so a repeat
    overwrites) and delete any left from an earlier, longer version."""
    base = paths.chunks(uid, course_id)
    wanted = {paths.chunk_id(document_id, c.index) for c in chunks}
    batch, pending = store.batch(), 0
    for c in chunks:
        batch.set(
            f"{base}/{paths.chunk_id(document_id, c.index)}",
            {
                "document_id": document_id,
                "document_title": title,
                "index": c.index,
                "page": c.page,
                "heading": c.heading,
                "text": c.text,
                "word_count": c.word_count,
                "generation": generation,
            },
        )
        pending += 1
        if pending == MAX_BATCH_WRITES:
            batch.commit()
            batch, pending = store.batch(), 0
    stale = [s.path for s in _chunks_of(store, base, document_id) if s.id not in wanted]
    for path in stale:
        batch.delete(path)
        pending += 1
        if pending == MAX_BATCH_WRITES:
            batch.commit()
            batch, pending = store.batch(), 0
    if pending:
        batch.commit()


def delete_chunks(store: DocumentStore, uid: str, course_id: str, document_id: str) -> int:
    snaps = _chunks_of(store, paths.chunks(uid, course_id), document_id)
    for start in range(0, len(snaps), MAX_BATCH_WRITES):
        batch = store.batch()
        for s in snaps[start : start + MAX_BATCH_WRITES]:
            batch.delete(s.path)
        batch.commit()
    return len(snaps)


def _chunks_of(store: DocumentStore, base: str, document_id: str) -> list[Snapshot]:
    return list(store.stream(collection(base).where("document_id", "==", document_id)))
