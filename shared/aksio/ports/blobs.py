"""Blob store port: objects in one bucket, named by slash-separated paths.

Adapters: ``aksio.adapters.local_blobs`` (a folder; embedded default) and
``aksio.adapters.gcs_blobs`` (Cloud Storage). Both pass
``tests/contract/test_blob_store.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

ObjectFinalized = Callable[["BlobInfo"], None]
"""Told about every object written: the local stand-in for Storage's
``object.finalized`` events (Cloud Storage sends those through Eventarc)."""


class BlobNotFound(Exception):
    """No object at that name."""


@dataclass(frozen=True)
class BlobInfo:
    name: str
    size: int
    content_type: str | None
    generation: int
    updated: datetime


class BlobStore(Protocol):
    bucket: str

    def put(self, name: str, data: bytes, *, content_type: str | None = None) -> BlobInfo: ...
    def get(self, name: str) -> bytes: ...
    def info(self, name: str) -> BlobInfo | None: ...
    def delete(self, name: str) -> bool:
        """True if something was deleted."""
        ...

    def list(self, prefix: str) -> Iterator[BlobInfo]: ...
    def delete_prefix(self, prefix: str) -> int:
        """Delete every object whose name starts with ``prefix``; returns the count."""
        ...

    def ping(self) -> None:
        """Raise if the store cannot be reached (health checks)."""
        ...

    def create_upload_session(
        self, name: str, *, content_type: str, size: int, origin: str | None = None
    ) -> str:
        """A URL a browser can PUT the object's bytes to directly (a resumable
        upload session in Cloud Storage); the object finalises when it ends."""
        ...


DEFAULT_CONTENT_TYPE = "application/octet-stream"
"""What every adapter reports when ``put`` was given no content type (as Cloud Storage)."""

MAX_NAME_BYTES = 1024  # Cloud Storage's limit on an object name, in UTF-8


def validate_blob_name(name: str) -> None:
    """Reject names that are not portable object names (ValueError).

    Cloud Storage accepts almost anything, but names reach local folders and URLs:
    no empty name, no leading ``/``, no empty, ``.`` or ``..`` segment, no control
    characters, at most 1024 bytes.
    """
    if not name or len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise ValueError(f"invalid blob name (empty or longer than {MAX_NAME_BYTES} bytes)")
    if name.startswith("/") or "\\" in name or any(ord(c) < 0x20 or c == "\x7f" for c in name):
        raise ValueError(f"invalid blob name: {name!r}")
    if any(segment in ("", ".", "..") for segment in name.split("/")):
        raise ValueError(f"invalid blob name (empty, '.' or '..' segment): {name!r}")
