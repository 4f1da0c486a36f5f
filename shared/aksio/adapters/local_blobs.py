"""Blob store in a local folder: the embedded default (``nox -s dev``, most tests).

Layout under ``root/bucket`` mirrors the object names so a developer can browse it,
with suffixes that keep every name Cloud Storage accepts representable, including
``a`` and ``a/b`` side by side (a file and a folder cannot share a name on disk)::

    users.d/u1.d/notes.pdf.blob        the bytes of object ``users/u1/notes.pdf``
    users.d/u1.d/notes.pdf.meta.json   its content type, generation and update time

Folders end in ``.d``, data in ``.blob``, metadata in ``.json``: three different last
characters, so no folder, data file or sidecar can ever collide with another.
Writes go to a temporary file in the same folder and are renamed into place, so a
reader never sees half an object.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from aksio.adapters.local_uploads import LocalUploads
from aksio.ports.blobs import (
    DEFAULT_CONTENT_TYPE,
    BlobInfo,
    BlobNotFound,
    ObjectFinalized,
    validate_blob_name,
)

_DIR = ".d"
_DATA = ".blob"
_META = ".meta.json"
_MAX_SEGMENT_BYTES = 255 - len(_META) - 16  # room for the suffix and temp-file decoration


class LocalBlobStore:
    def __init__(
        self,
        root: Path,
        bucket: str,
        *,
        on_finalize: ObjectFinalized | None = None,
        uploads: LocalUploads | None = None,
    ) -> None:
        self.bucket = bucket
        self.on_finalize = on_finalize
        self.uploads = uploads
        self._base = Path(root) / bucket
        # One lock per store: put/delete/read of (data, sidecar) pairs are consistent
        # within a process (the dev server and its in-process task thread share one).
        self._lock = threading.RLock()
        self._last_generation = 0

    # ------------------------------------------------------------ paths
    def _paths(self, name: str) -> tuple[Path, Path]:
        validate_blob_name(name)
        *folders, leaf = name.split("/")
        for segment in (*folders, leaf):
            if len(segment.encode()) > _MAX_SEGMENT_BYTES:
                raise ValueError(f"blob name segment too long for a local folder: {segment!r}")
        parent = self._base.joinpath(*(f + _DIR for f in folders))
        return parent / (leaf + _DATA), parent / (leaf + _META)

    def _next_generation(self, previous: int) -> int:
        # Microseconds since the epoch, like Cloud Storage, but strictly increasing.
        generation = max(time.time_ns() // 1000, self._last_generation + 1, previous + 1)
        self._last_generation = generation
        return generation

    # ------------------------------------------------------------ operations
    def put(self, name: str, data: bytes, *, content_type: str | None = None) -> BlobInfo:
        data_path, meta_path = self._paths(name)
        with self._lock:
            previous = self._read_info(name, data_path, meta_path)
            generation = self._next_generation(previous.generation if previous else 0)
            updated = datetime.fromtimestamp(generation / 1_000_000, tz=UTC)
            info = BlobInfo(
                name=name,
                size=len(data),
                content_type=content_type or DEFAULT_CONTENT_TYPE,
                generation=generation,
                updated=updated,
            )
            data_path.parent.mkdir(parents=True, exist_ok=True)
            meta = {
                "content_type": info.content_type,
                "generation": generation,
                "updated": updated.isoformat(),
                "size": info.size,
            }
            _atomic_write(data_path, data)
            _atomic_write(meta_path, json.dumps(meta).encode())
        if self.on_finalize is not None:  # outside the lock: the listener may read it back
            self.on_finalize(info)
        return info

    def get(self, name: str) -> bytes:
        data_path, _ = self._paths(name)
        with self._lock:
            try:
                return data_path.read_bytes()
            except (FileNotFoundError, NotADirectoryError):
                raise BlobNotFound(name) from None

    def info(self, name: str) -> BlobInfo | None:
        data_path, meta_path = self._paths(name)
        with self._lock:
            return self._read_info(name, data_path, meta_path)

    def delete(self, name: str) -> bool:
        data_path, meta_path = self._paths(name)
        with self._lock:
            try:
                data_path.unlink()
            except FileNotFoundError:
                return False
            meta_path.unlink(missing_ok=True)
            self._prune(data_path.parent)
            return True

    def list(self, prefix: str) -> Iterator[BlobInfo]:
        with self._lock:
            names = sorted(self._names(prefix))
        # Snapshot the names, then read each: an object deleted meanwhile is skipped,
        # as Cloud Storage's listing pages would.
        for name in names:
            found = self.info(name)
            if found is not None:
                yield found

    def delete_prefix(self, prefix: str) -> int:
        with self._lock:
            return sum(1 for name in sorted(self._names(prefix)) if self.delete(name))

    def create_upload_session(
        self, name: str, *, content_type: str, size: int, origin: str | None = None
    ) -> str:
        validate_blob_name(name)
        if self.uploads is None:
            raise RuntimeError("this local blob store has no upload endpoint configured")
        return self.uploads.session_url(self.bucket, name, content_type=content_type, size=size)

    def ping(self) -> None:
        self._base.mkdir(parents=True, exist_ok=True)
        if not os.access(self._base, os.W_OK):
            raise OSError(f"blob folder is not writable: {self._base}")

    # ------------------------------------------------------------ helpers
    def _read_info(self, name: str, data_path: Path, meta_path: Path) -> BlobInfo | None:
        try:
            stat = data_path.stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        try:
            meta = json.loads(meta_path.read_bytes())
        except (FileNotFoundError, ValueError):
            # A file without its sidecar (copied in by hand): describe it from the disk.
            mtime_us = stat.st_mtime_ns // 1000
            meta = {
                "content_type": DEFAULT_CONTENT_TYPE,
                "generation": mtime_us,
                "updated": datetime.fromtimestamp(mtime_us / 1_000_000, tz=UTC).isoformat(),
            }
        return BlobInfo(
            name=name,
            size=stat.st_size,
            content_type=meta.get("content_type"),
            generation=int(meta["generation"]),
            updated=datetime.fromisoformat(meta["updated"]),
        )

    def _names(self, prefix: str) -> Iterator[str]:
        # Start at the deepest folder the prefix fully names, then filter by the rest.
        *folders, _ = prefix.split("/")
        start = self._base.joinpath(*(f + _DIR for f in folders)) if folders else self._base
        if not start.is_dir():
            return
        base_parts = [f + "/" for f in folders]
        yield from (n for n in _walk(start, "".join(base_parts)) if n.startswith(prefix))

    def _prune(self, folder: Path) -> None:
        # Remove folders left empty, as Cloud Storage has no folders to leave behind.
        while folder != self._base and self._base in folder.parents:
            try:
                folder.rmdir()
            except OSError:
                return
            folder = folder.parent


def _walk(folder: Path, name_prefix: str) -> Iterator[str]:
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False) and entry.name.endswith(_DIR):
                yield from _walk(Path(entry.path), name_prefix + entry.name[: -len(_DIR)] + "/")
            elif entry.is_file() and entry.name.endswith(_DATA):
                yield name_prefix + entry.name[: -len(_DATA)]


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
