"""Uploading and deleting documents."""

from __future__ import annotations

from aksio.composition import Services
from aksio.courses.repository import get_section, require_course
from aksio.documents import domain, repository
from aksio.documents.models import Document, UploadUrl
from aksio.errors import InvalidInput, PayloadTooLarge
from aksio.ports.retrieval import CourseScope


def _check_name(filename: str) -> str:
    safe = domain.safe_filename(filename)
    if domain.kind_from_filename(safe) is None:
        raise InvalidInput(
            f"Unsupported file type; upload one of: {domain.SUPPORTED}.",
            details=[{"field": "filename", "message": f"expected one of {domain.SUPPORTED}"}],
        )
    return safe


def _open_record(
    services: Services,
    uid: str,
    course_id: str,
    *,
    filename: str,
    size: int,
    title: str | None,
    section_id: str | None,
    max_size: int | None = None,
) -> tuple[Document, str]:
    """The record comes first, then the bytes: the trigger needs it."""
    if section_id is None:
        require_course(services.documents, uid, course_id)
    else:  # one read of both: 404 for a course or section that is not the caller's
        get_section(services.documents, uid, course_id, section_id)
    if max_size is not None and size > max_size:
        raise PayloadTooLarge(
            f"Files can be at most {max_size // (1024 * 1024)} MB.", details={"limit": max_size}
        )
    safe = _check_name(filename)
    return repository.new_document(
        services.documents,
        uid,
        course_id,
        filename=safe,
        title=title or domain.default_title(safe),
        content_type=domain.content_type_for(safe),
        size=size,
        now=services.clock.now(),
        section_id=section_id,
    )


def upload(
    services: Services,
    uid: str,
    course_id: str,
    *,
    filename: str,
    data: bytes,
    title: str | None,
    section_id: str | None = None,
) -> Document:
    """Store the bytes; processing starts when the store reports the object
    finalised (the storage trigger), as it does for direct uploads."""
    doc, blob = _open_record(
        services,
        uid,
        course_id,
        filename=filename,
        size=len(data),
        title=title,
        section_id=section_id,
    )
    services.blobs.put(blob, data, content_type=doc.content_type)
    return doc


def upload_url(
    services: Services,
    uid: str,
    course_id: str,
    *,
    filename: str,
    size: int,
    title: str | None,
    origin: str | None,
    section_id: str | None = None,
) -> UploadUrl:
    doc, blob = _open_record(
        services,
        uid,
        course_id,
        filename=filename,
        size=size,
        title=title,
        section_id=section_id,
        max_size=services.settings.max_direct_upload_bytes,
    )
    url = services.blobs.create_upload_session(
        blob, content_type=doc.content_type, size=size, origin=origin
    )
    return UploadUrl(document=doc, upload_url=url, headers={"Content-Type": doc.content_type})


def delete(services: Services, uid: str, course_id: str, document_id: str) -> None:
    """Record last: if a step fails the document is still listed and the
    delete can be retried; every step is idempotent."""
    store = services.documents
    require_course(store, uid, course_id)
    repository.get_document(store, uid, course_id, document_id)
    from aksio.documents import paths

    services.blobs.delete_prefix(paths.document_blobs(uid, course_id, document_id))
    repository.delete_chunks(store, uid, course_id, document_id)
    services.retriever.remove_document(CourseScope(uid, course_id), document_id)
    store.delete(paths.document(uid, course_id, document_id))
