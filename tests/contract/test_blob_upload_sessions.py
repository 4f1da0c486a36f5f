"""Direct uploads: a session URL the browser PUTs the bytes to, with no
credentials of its own. Cloud Storage's resumable sessions (checked against
gcp-storage-emulator) and the local equivalent behave the same way."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from aksio.adapters.gcs_blobs import GcsBlobStore
from aksio.adapters.local_uploads import LocalUploads
from aksio.ports.blobs import BlobInfo
from tests.fixtures.storage_emulator import StorageEmulator

NAME = "users/u1/courses/c1/documents/d1/notes.md"
DATA = b"# Notes\n\nPhotosynthesis turns light into chemical energy.\n"


def test_gcs_session_accepts_one_anonymous_put(storage_emulator: StorageEmulator) -> None:
    store = GcsBlobStore(storage_emulator.create_bucket())
    url = store.create_upload_session(NAME, content_type="text/markdown", size=len(DATA))
    assert url.startswith(storage_emulator.endpoint)
    # What a browser does: no Authorization header, just the bytes.
    r = requests.put(url, data=DATA, headers={"Content-Type": "text/markdown"}, timeout=10)
    assert r.status_code in (200, 201), r.text
    assert store.get(NAME) == DATA
    info = store.info(NAME)
    assert info is not None and info.size == len(DATA)


def test_local_session_is_signed_and_names_its_object(tmp_path: Path) -> None:
    from aksio.adapters.local_blobs import LocalBlobStore
    from aksio.adapters.local_uploads import InvalidUpload

    finalized: list[BlobInfo] = []
    uploads = LocalUploads("http://127.0.0.1:8080", "secret")
    store = LocalBlobStore(tmp_path, "bucket", on_finalize=finalized.append, uploads=uploads)
    url = store.create_upload_session(NAME, content_type="text/markdown", size=len(DATA))
    token = url.rsplit("/", 1)[-1]
    grant = uploads.grant(token)
    assert (grant.name, grant.size, grant.content_type) == (NAME, len(DATA), "text/markdown")
    with pytest.raises(InvalidUpload):
        LocalUploads("http://127.0.0.1:8080", "another-secret").grant(token)
    with pytest.raises(InvalidUpload):
        uploads.grant(token[:-4] + "AAAA")
    store.put(grant.name, DATA, content_type=grant.content_type)
    assert [i.name for i in finalized] == [NAME]  # the object finalises like any write
