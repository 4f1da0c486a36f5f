"""Account export and deletion (the user's right to their data)."""

from __future__ import annotations

import base64
import contextlib
import logging
from datetime import datetime
from typing import Any

from aksio.accounts import paths
from aksio.accounts.models import AccountExport, ExportedFile
from aksio.accounts.profiles import forget, get_profile
from aksio.ports.blobs import BlobStore
from aksio.ports.documents import DocumentStore
from aksio.ports.identity import IdentityProvider, UserNotFound

log = logging.getLogger("aksio.accounts")


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def export_account(
    store: DocumentStore, blobs: BlobStore, uid: str, now: datetime
) -> AccountExport:
    root = paths.user(uid) + "/"
    documents = {
        snap.path.removeprefix(root): _jsonable(snap.data)
        for snap in store.list_tree(paths.user(uid))
    }
    files = [
        ExportedFile(name=b.name, size=b.size, content_type=b.content_type)
        for b in blobs.list(paths.files_prefix(uid))
    ]
    return AccountExport(
        exported_at=now, profile=get_profile(store, uid), documents=documents, files=files
    )


def delete_account(
    store: DocumentStore, blobs: BlobStore, identity: IdentityProvider, uid: str
) -> None:
    """Data first, the sign-in account last: if anything fails midway the
    user can still sign in and retry, and every step is idempotent."""
    n_files = blobs.delete_prefix(paths.files_prefix(uid))
    n_docs = store.delete_tree(paths.user(uid))
    forget(store, uid)
    with contextlib.suppress(UserNotFound):  # a retry after a partial failure
        identity.delete_user(uid)
    log.info("account deleted", extra={"uid": uid, "documents": n_docs, "files": n_files})
