"""Processing an uploaded file: the body of the ``document_uploaded`` function.

uploaded -> processing (progress %) -> ready | failed. Idempotent: the
document remembers the generation it processed, and a claim in a
transaction makes a duplicate or older delivery a no-op, so one set of
chunks exists per document, and a newer generation replaces an older one.
No exception escapes: a file we cannot read ends ``failed`` with a reason
a student can act on; anything else ends ``failed`` with a generic one.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from aksio.composition import Services
from aksio.courses import paths as course_paths
from aksio.documents import paths, repository
from aksio.documents.events import FinalizedObject
from aksio.documents.model import ExtractionFailed, ExtractionLimits
from aksio.documents.paths import UploadPath
from aksio.ports.documents import Transaction
from aksio.ports.retrieval import CourseScope, Passage

log = logging.getLogger("aksio.documents")

GENERIC_FAILURE = "We could not process this file. Try uploading it again."
PROGRESS_EVERY_S = 2.0  # a progress write at most this often: cheap, still live
STALE_CLAIM_S = 600  # past the 9-minute limit of event functions: that run died


@dataclass(frozen=True)
class Outcome:
    status: str
    reason: str = ""


def process_object(services: Services, obj: FinalizedObject) -> Outcome:
    where = paths.parse_upload(obj.name)
    if where is None or obj.bucket != services.blobs.bucket:
        return Outcome("ignored", "not an upload")
    doc_path = paths.document(where.uid, where.course_id, where.document_id)
    store = services.documents
    now = services.clock.now()

    course_path = course_paths.course(where.uid, where.course_id)

    title: list[str] = []  # the claim reads the record; no second read for its title

    def claim(tx: Transaction) -> str:
        course, snap = tx.get_many([course_path, doc_path])
        if snap is None or course is None or course.data.get("status") == "deleting":
            return "orphan"
        if snap.data.get("blob_name") != obj.name:
            return "foreign"
        if int(snap.data.get("processed_generation", 0)) >= obj.generation:
            return "duplicate"
        started = snap.data.get("processing_started_at")
        at_work = (
            snap.data.get("status") == "processing"
            and int(snap.data.get("processing_generation", 0)) >= obj.generation
            and started is not None
            and (now - started).total_seconds() < STALE_CLAIM_S
        )
        if at_work:  # another delivery of this generation is processing it
            return "duplicate"
        tx.update(
            doc_path,
            {
                "status": "processing",
                "progress": 0,
                "error": None,
                "processing_generation": obj.generation,
                "processing_started_at": now,
                "updated_at": now,
            },
        )
        title[:] = [str(snap.data.get("title") or "")]
        return "claimed"

    verdict = store.run_transaction(claim)
    if verdict == "orphan":  # record or course deleted (or going): its bytes must go too
        services.blobs.delete(obj.name)
        return Outcome("ignored", "no document record")
    if verdict != "claimed":
        return Outcome("ignored", verdict)
    try:
        return _process(services, obj, where, title[0])
    except Exception:
        log.exception("processing failed", extra={"object": obj.key})
        _finish(services, doc_path, obj.generation, {"status": "failed", "error": GENERIC_FAILURE})
        return Outcome("failed", GENERIC_FAILURE)


def _process(services: Services, obj: FinalizedObject, where: UploadPath, title: str) -> Outcome:
    from aksio.documents.chunking import chunk
    from aksio.documents.extract import extract
    from aksio.documents.facts import facts

    store, settings = services.documents, services.settings
    uid, course_id, document_id = where.uid, where.course_id, where.document_id
    doc_path = paths.document(uid, course_id, document_id)
    limits = ExtractionLimits(max_bytes=settings.max_direct_upload_bytes)
    if obj.size > limits.max_bytes:
        return _fail(services, where, obj, f"The file is larger than {_mb(limits.max_bytes)}.")
    last = [time.monotonic()]

    def progress(share: float) -> None:
        if time.monotonic() - last[0] >= PROGRESS_EVERY_S:
            last[0] = time.monotonic()
            store.update(doc_path, {"progress": min(99, int(share * 100))})

    try:
        extraction = extract(
            services.blobs.get(obj.name), filename=obj.name, limits=limits, on_progress=progress
        )
    except ExtractionFailed as exc:
        return _fail(services, where, obj, exc.reason)
    chunks = chunk(extraction)
    summary = facts(extraction)
    repository.replace_chunks(
        store,
        uid=uid,
        course_id=course_id,
        document_id=document_id,
        title=title,
        chunks=chunks,
        generation=obj.generation,
    )
    services.retriever.index_document(
        CourseScope(uid, course_id),
        document_id,
        [
            Passage(paths.chunk_id(document_id, c.index), document_id, c.text, c.page, c.heading)
            for c in chunks
        ],
    )
    warnings = list(extraction.warnings)
    _finish(
        services,
        doc_path,
        obj.generation,
        {
            "status": "ready",
            "progress": 100,
            "warnings": warnings,
            "page_count": summary.page_count,
            "word_count": summary.word_count,
            "language": summary.language,
            "proposed_sections": list(summary.proposed_sections),
            "chunk_count": len(chunks),
        },
    )
    return Outcome("ready")


def _fail(services: Services, where: UploadPath, obj: FinalizedObject, reason: str) -> Outcome:
    """A file we cannot use leaves no chunks behind, whatever an older version left."""
    uid, course_id, document_id = where.uid, where.course_id, where.document_id
    repository.delete_chunks(services.documents, uid, course_id, document_id)
    services.retriever.remove_document(CourseScope(uid, course_id), document_id)
    doc_path = paths.document(uid, course_id, document_id)
    _finish(services, doc_path, obj.generation, {"status": "failed", "error": reason})
    return Outcome("failed", reason)


def _finish(services: Services, doc_path: str, generation: int, fields: dict[str, object]) -> None:
    """Record the result unless a newer generation took over meanwhile."""
    now = services.clock.now()

    def apply(tx: Transaction) -> None:
        snap = tx.get(doc_path)
        if snap is None or int(snap.data.get("processing_generation", 0)) != generation:
            return
        tx.update(doc_path, {**fields, "processed_generation": generation, "updated_at": now})

    services.documents.run_transaction(apply)


def _mb(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.0f} MB"
    return f"{max(1, round(n / 1024))} KB"
