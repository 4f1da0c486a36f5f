"""Where documents, their chunks and their bytes live."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aksio.courses.paths import course
from aksio.ids import ID_CHARS

_ID = ID_CHARS
# users/{uid}/courses/{course_id}/documents/{document_id}/{filename}
_UPLOAD = re.compile(rf"^users/({_ID})/courses/({_ID})/documents/({_ID})/([^/]+)$")


def documents(uid: str, course_id: str) -> str:
    return f"{course(uid, course_id)}/documents"


def document(uid: str, course_id: str, document_id: str) -> str:
    return f"{documents(uid, course_id)}/{document_id}"


def chunks(uid: str, course_id: str) -> str:
    return f"{course(uid, course_id)}/chunks"


def chunk_id(document_id: str, index: int) -> str:
    """Deterministic, so processing a file again overwrites instead of adding."""
    return f"{document_id}-{index:05d}"


def upload_blob(uid: str, course_id: str, document_id: str, filename: str) -> str:
    return f"{document(uid, course_id, document_id)}/{filename}"


def document_blobs(uid: str, course_id: str, document_id: str) -> str:
    return f"{document(uid, course_id, document_id)}/"


@dataclass(frozen=True)
class UploadPath:
    uid: str
    course_id: str
    document_id: str
    filename: str


def parse_upload(name: str) -> UploadPath | None:
    """The owner, course and document an object name claims, or None when the
    object is not an upload (search indexes live in the same bucket)."""
    match = _UPLOAD.match(name)
    return UploadPath(*match.groups()) if match else None
