"""Reading one file from a multipart/form-data request, within a size limit."""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.exceptions import RequestEntityTooLarge

from aksio.errors import InvalidInput
from aksio.http.app import too_large, unsupported_media
from aksio.http.context import RequestContext

FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the small text fields


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    content_type: str | None
    data: bytes
    fields: dict[str, str]


def read_upload(ctx: RequestContext, *, limit: int, field: str = "file") -> UploadedFile:
    request = ctx.request
    if request.mimetype != "multipart/form-data":
        raise unsupported_media(request.mimetype, "multipart/form-data with a 'file' field")
    if request.content_length is not None and request.content_length > limit + FORM_OVERHEAD:
        raise too_large(limit)
    # werkzeug stops parsing past these instead of buffering an oversize body
    request.max_content_length = limit + FORM_OVERHEAD
    request.max_form_memory_size = FORM_OVERHEAD
    try:
        upload = request.files.get(field)
        fields = dict(request.form.items())
    except RequestEntityTooLarge:
        raise too_large(limit) from None
    if upload is None or not upload.filename:
        raise InvalidInput(
            "Attach the file as the multipart field 'file'.",
            details=[{"field": field, "message": "missing"}],
        )
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise too_large(limit)
    return UploadedFile(upload.filename, upload.mimetype or None, data, fields)
