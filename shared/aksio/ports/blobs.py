"""Blob store port: objects in one bucket, named by slash-separated paths.

Adapters: ``aksio.adapters.local_blobs`` (a folder; embedded default) and
``aksio.adapters.gcs_blobs`` (Cloud Storage). Both pass
``tests/contract/test_blob_store.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


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
