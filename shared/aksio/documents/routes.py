"""HTTP handlers of ``/api/v1/courses/{course_id}/documents`` and ``/search``."""

from __future__ import annotations

from collections.abc import Mapping

from aksio.courses.repository import require_course
from aksio.documents import repository, search, service
from aksio.documents.models import (
    Document,
    DocumentUpdate,
    SearchQuery,
    SearchResults,
    UploadUrl,
    UploadUrlRequest,
)
from aksio.errors import InvalidInput
from aksio.http.context import RequestContext
from aksio.http.router import Router
from aksio.http.uploads import read_upload
from aksio.ids import ID_PATTERN, is_valid_id
from aksio.pagination import Page, PageQuery
from aksio.tasks.stuck import shown, shown_page

router = Router(prefix="/api/v1/courses", tag="documents")
PROCESSING = frozenset({"processing"})
"""A document still processing long after its last progress was dropped by
the storage trigger: shown failed (``aksio.tasks.stuck``); upload it again."""


@router.post("/<course_id>/documents/", status=201, multipart=True, errors=(404,))
def upload_document(ctx: RequestContext, course_id: str) -> Document:
    """Upload a file (multipart field ``file``, optional ``title`` and
    ``section_id``); processing follows."""
    s = ctx.services
    upload = read_upload(ctx, limit=s.settings.max_upload_bytes)
    title = (upload.fields.get("title") or "").strip()[:200] or None
    section_id = _form_id(upload.fields, "section_id")
    return service.upload(
        s,
        ctx.uid,
        course_id,
        filename=upload.filename,
        data=upload.data,
        title=title,
        section_id=section_id,
    )


def _form_id(fields: Mapping[str, str], name: str) -> str | None:
    """An optional id in the form: empty is none; one that cannot be an id is a
    400 naming the field, as the same field in a JSON body would be."""
    value = (fields.get(name) or "").strip()
    if value and not is_valid_id(value):
        raise InvalidInput(
            f"{name} is not a valid id.",
            details=[{"field": name, "location": "body", "message": f"should match {ID_PATTERN}"}],
        )
    return value or None


@router.post("/<course_id>/documents/upload-url/", status=201, errors=(404, 413))
def create_upload_url(ctx: RequestContext, course_id: str, body: UploadUrlRequest) -> UploadUrl:
    """A URL to PUT a large file to directly (the record exists before the bytes)."""
    return service.upload_url(
        ctx.services,
        ctx.uid,
        course_id,
        filename=body.filename,
        size=body.size,
        title=body.title,
        origin=ctx.request.headers.get("Origin"),
        section_id=body.section_id,
    )


@router.get("/<course_id>/documents/", errors=(404,))
def list_documents(ctx: RequestContext, course_id: str, query: PageQuery) -> Page[Document]:
    """The course's documents, newest first."""
    store = ctx.services.documents
    require_course(store, ctx.uid, course_id)
    page = repository.list_documents(store, ctx.uid, course_id, query)
    return shown_page(ctx.services, page, PROCESSING)


@router.get("/<course_id>/documents/<document_id>/", errors=(404,))
def get_document(ctx: RequestContext, course_id: str, document_id: str) -> Document:
    """One document, with its processing status."""
    store = ctx.services.documents
    require_course(store, ctx.uid, course_id)
    snap = repository.get_document(store, ctx.uid, course_id, document_id)
    return shown(ctx.services, repository.to_document(snap.data), PROCESSING)


@router.patch("/<course_id>/documents/<document_id>/", errors=(404,))
def update_document(
    ctx: RequestContext, course_id: str, document_id: str, body: DocumentUpdate
) -> Document:
    """Retitle the document, or link it to a section of the course (null unlinks)."""
    s = ctx.services
    fields = body.model_dump(include=body.model_fields_set)
    return repository.update_document(
        s.documents, ctx.uid, course_id, document_id, fields=fields, now=s.clock.now()
    )


@router.delete("/<course_id>/documents/<document_id>/", status=204, errors=(404,))
def delete_document(ctx: RequestContext, course_id: str, document_id: str) -> None:
    """Delete a document with its file, chunks and index entries."""
    service.delete(ctx.services, ctx.uid, course_id, document_id)


@router.get("/<course_id>/search/", errors=(404,))
def search_course(ctx: RequestContext, course_id: str, query: SearchQuery) -> SearchResults:
    """The passages of the course's documents that best match ``q``."""
    require_course(ctx.services.documents, ctx.uid, course_id)
    return search.search_course(ctx.services, ctx.uid, course_id, query.q, query.limit)
