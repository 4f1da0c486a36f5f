"""Blob store on Cloud Storage (production).

``google.cloud.storage`` is imported only when the first client is made, so a
function that never touches blobs never pays for the import (cold starts).
Against the emulator, set ``STORAGE_EMULATOR_HOST``: the SDK then talks to it with
anonymous credentials.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from aksio.ports.blobs import DEFAULT_CONTENT_TYPE, BlobInfo, BlobNotFound, validate_blob_name

if TYPE_CHECKING:
    from google.cloud.storage import Blob, Bucket, Client

_BATCH_SIZE = 100  # Cloud Storage's limit of calls per batch request


class GcsBlobStore:
    def __init__(self, bucket: str, client: Client | None = None) -> None:
        self.bucket = bucket
        self._client = client
        self._bucket: Bucket | None = None
        self._lock = threading.Lock()

    # Made once per instance and reused (Cloud Functions guidance); lazily, so that
    # constructing the store at import time costs nothing.
    def _get_bucket(self) -> Bucket:
        if self._bucket is None:
            with self._lock:
                if self._bucket is None:
                    if self._client is None:
                        from google.cloud import storage

                        self._client = storage.Client()
                    self._bucket = self._client.bucket(self.bucket)
        return self._bucket

    def create_upload_session(
        self, name: str, *, content_type: str, size: int, origin: str | None = None
    ) -> str:
        """A resumable upload session, started with our credentials: the browser
        needs no Google credentials to PUT to it, and no URL signing is needed."""
        validate_blob_name(name)
        blob = self._get_bucket().blob(name)
        url: str = blob.create_resumable_upload_session(
            content_type=content_type, size=size, origin=origin
        )
        return url

    def put(self, name: str, data: bytes, *, content_type: str | None = None) -> BlobInfo:
        from google.api_core.retry import Retry
        from google.cloud.storage.retry import DEFAULT_RETRY

        validate_blob_name(name)
        blob = self._get_bucket().blob(name)
        # Without an explicit type the SDK labels bytes "text/plain"; say what we mean.
        retry: Retry = DEFAULT_RETRY  # overwriting with the same bytes is idempotent
        blob.upload_from_string(
            data, content_type=content_type or DEFAULT_CONTENT_TYPE, retry=retry
        )
        return _info(blob)

    def get(self, name: str) -> bytes:
        from google.api_core.exceptions import NotFound

        validate_blob_name(name)
        try:
            data: bytes = self._get_bucket().blob(name).download_as_bytes()
        except NotFound:
            raise BlobNotFound(name) from None
        return data

    def info(self, name: str) -> BlobInfo | None:
        validate_blob_name(name)
        blob = self._get_bucket().get_blob(name)
        return None if blob is None else _info(blob)

    def delete(self, name: str) -> bool:
        from google.api_core.exceptions import NotFound

        validate_blob_name(name)
        try:
            self._get_bucket().blob(name).delete()
        except NotFound:
            return False
        return True

    def list(self, prefix: str) -> Iterator[BlobInfo]:
        bucket = self._get_bucket()
        for blob in bucket.client.list_blobs(bucket, prefix=prefix):
            yield _info(blob)

    def delete_prefix(self, prefix: str) -> int:
        # Batches of 100 deletes per HTTP request; an object already gone (404) is
        # not an error, since the goal is that nothing under the prefix remains.
        bucket = self._get_bucket()
        client = bucket.client
        names = [blob.name for blob in client.list_blobs(bucket, prefix=prefix)]
        for start in range(0, len(names), _BATCH_SIZE):
            with client.batch(raise_exception=False):
                for name in names[start : start + _BATCH_SIZE]:
                    bucket.blob(name).delete()
        return len(names)

    def ping(self) -> None:
        # Listing one object needs only storage.objects.list, which the functions'
        # service account has; reading bucket metadata would need more.
        bucket = self._get_bucket()
        for _ in bucket.client.list_blobs(bucket, max_results=1):
            break


def _info(blob: Blob) -> BlobInfo:
    updated: datetime = blob.updated or datetime.now(UTC)
    return BlobInfo(
        name=str(blob.name),
        size=int(blob.size or 0),
        content_type=blob.content_type,
        generation=int(blob.generation or 0),
        updated=updated,
    )
