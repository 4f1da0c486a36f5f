"""The embedded document store: Firestore's paths and semantics in one SQLite file.

One table keyed by ``name_key`` (the path in Firestore's name order), with
the parent collection path and the collection id indexed for collection and
collection-group queries; data is a JSON column (see ``sqlite_codec``) that
queries filter and sort in SQL (``sqlite_query``).

Concurrency: WAL mode, one connection per thread, a busy timeout. Every
write and every transaction runs under ``BEGIN IMMEDIATE``, SQLite's single
writer lock, so transactions are serializable across threads and across
processes sharing the file; a transaction that cannot get the lock in time
is retried. A clock row, read and bumped under that lock, makes commit times
strictly increasing, so ``update_time`` preconditions are exact.
"""

from __future__ import annotations

import contextlib
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from aksio.adapters import sqlite_codec as codec
from aksio.adapters import sqlite_query
from aksio.adapters.sqlite_apply import apply_write
from aksio.ports.documents import (
    MAX_BATCH_WRITES,
    Contention,
    Data,
    DocumentStore,
    DocumentStoreError,
    InvalidArgument,
    NotFound,
    PreconditionFailed,
    Query,
    ReadAfterWrite,
    Snapshot,
    Write,
    WriteRecorder,
    check_document_path,
    validate_query,
)

T = TypeVar("T")
MAX_DOCUMENT_BYTES = 1_048_576  # Firestore's limit, so oversized documents fail locally too
_CHUNK = 500
_COLUMNS = "path, data, create_time, update_time"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    name_key TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    parent TEXT NOT NULL,
    coll_id TEXT NOT NULL,
    data TEXT NOT NULL,
    create_time INTEGER NOT NULL,
    update_time INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS docs_parent ON docs (parent, name_key);
CREATE INDEX IF NOT EXISTS docs_collection_group ON docs (coll_id, name_key);
CREATE TABLE IF NOT EXISTS clock (id INTEGER PRIMARY KEY CHECK (id = 0), last_us INTEGER NOT NULL);
"""


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _snapshot(row: tuple[str, str, int, int]) -> Snapshot:
    return Snapshot(
        path=row[0],
        data=codec.decode_doc(row[1]),
        create_time=codec.from_micros(row[2]),
        update_time=codec.from_micros(row[3]),
    )


class SqliteDocumentStore:
    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 5000) -> None:
        self._path = str(path)
        self._busy_timeout_s = busy_timeout_ms / 1000
        self._local = threading.local()
        self._conns: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._conns_lock = threading.Lock()
        self._closed = False
        self.transaction_retries = 0
        """Transactions retried because the write lock was busy (observability, tests)."""
        conn = self._conn()
        with self._immediate(conn):
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("INSERT OR IGNORE INTO clock (id, last_us) VALUES (0, 0)")

    # ------------------------------------------------------------ plumbing
    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise DocumentStoreError("the store is closed")
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        conn = sqlite3.connect(
            self._path,
            timeout=self._busy_timeout_s,
            isolation_level=None,  # we issue BEGIN/COMMIT ourselves
            check_same_thread=False,  # close() may close a dead thread's connection
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        with self._conns_lock:
            # Threads come and go (dev server): close connections of dead ones.
            alive = []
            for thread, other in self._conns:
                if thread.is_alive():
                    alive.append((thread, other))
                else:
                    other.close()
            self._conns = [*alive, (threading.current_thread(), conn)]
        self._local.conn = conn
        return conn

    @contextlib.contextmanager
    def _immediate(self, conn: sqlite3.Connection) -> Iterator[None]:
        if conn.in_transaction:
            raise InvalidArgument("a write inside run_transaction must use the transaction")
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise Contention(f"the database stayed locked: {exc}") from exc
            raise DocumentStoreError(str(exc)) from exc
        try:
            yield
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # a failed COMMIT leaves it open
                conn.execute("ROLLBACK")
            raise

    @staticmethod
    def _tick(conn: sqlite3.Connection) -> int:
        """The commit time (µs): now, but always after the previous commit."""
        (last,) = conn.execute("SELECT last_us FROM clock WHERE id = 0").fetchone()
        now = max(time.time_ns() // 1000, last + 1)
        conn.execute("UPDATE clock SET last_us = ? WHERE id = 0", (now,))
        return int(now)

    def _apply(self, conn: sqlite3.Connection, writes: Sequence[Write]) -> datetime:
        now_us = self._tick(conn)
        now = codec.from_micros(now_us)
        for w in writes:
            key = codec.name_key(w.path)
            row = conn.execute(
                "SELECT data, update_time FROM docs WHERE name_key = ?", (key,)
            ).fetchone()
            if w.if_update_time is not None:
                if row is None:
                    raise NotFound(w.path)
                if row[1] != codec.micros(w.if_update_time):
                    raise PreconditionFailed(f"{w.path} was updated at another time")
            current = codec.decode_doc(row[0]) if row else None
            new = apply_write(current, w, now)
            if new is None:
                conn.execute("DELETE FROM docs WHERE name_key = ?", (key,))
                continue
            text = codec.encode_doc(new)
            if len(text.encode()) > MAX_DOCUMENT_BYTES:
                raise InvalidArgument(f"{w.path} is larger than 1 MiB")
            parts = w.path.split("/")
            conn.execute(
                "INSERT INTO docs (name_key, path, parent, coll_id, data, create_time, update_time)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name_key) DO UPDATE"
                " SET data = excluded.data, update_time = excluded.update_time",
                (key, w.path, "/".join(parts[:-1]), parts[-2], text, now_us, now_us),
            )
        return now

    def _commit(self, writes: Sequence[Write]) -> datetime:
        conn = self._conn()
        with self._immediate(conn):
            return self._apply(conn, writes)

    @staticmethod
    def _fetch(conn: sqlite3.Connection, paths: Sequence[str]) -> list[Snapshot | None]:
        for p in paths:
            check_document_path(p)
        found: dict[str, Snapshot] = {}
        keys = list(dict.fromkeys(codec.name_key(p) for p in paths))
        for i in range(0, len(keys), _CHUNK):
            chunk = keys[i : i + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT {_COLUMNS} FROM docs WHERE name_key IN ({marks})"
            for row in conn.execute(sql, chunk):
                found[row[0]] = _snapshot(row)
        return [found.get(p) for p in paths]

    @staticmethod
    def _select(conn: sqlite3.Connection, query: Query) -> list[Snapshot]:
        sql, params = sqlite_query.build(query, _COLUMNS)
        return [_snapshot(row) for row in conn.execute(sql, params)]

    # ------------------------------------------------------------ reads
    def get(self, path: str) -> Snapshot | None:
        return self._fetch(self._conn(), [path])[0]

    def get_many(self, paths: Sequence[str]) -> list[Snapshot | None]:
        conn = self._conn()
        if len(paths) <= _CHUNK or conn.in_transaction:
            return self._fetch(conn, paths)
        conn.execute("BEGIN")  # one snapshot across chunks
        try:
            return self._fetch(conn, paths)
        finally:
            conn.execute("COMMIT")

    def query(self, query: Query) -> list[Snapshot]:
        return self._select(self._conn(), query)

    def stream(self, query: Query) -> Iterator[Snapshot]:
        # Keyset pages: memory stays bounded and no statement is held open.
        validate_query(query)
        remaining = query.limit
        page_query = query
        while remaining is None or remaining > 0:
            size = _CHUNK if remaining is None else min(_CHUNK, remaining)
            page = self.query(page_query.limit_to(size))
            yield from page
            if len(page) < size:
                return
            if remaining is not None:
                remaining -= len(page)
            page_query = page_query.after(query.cursor_of(page[-1]))

    def count(self, query: Query) -> int:
        sql, params = sqlite_query.build(query, "1")
        (n,) = self._conn().execute(f"SELECT count(*) FROM ({sql})", params).fetchone()
        return int(n)

    # ------------------------------------------------------------ writes
    def create(self, path: str, data: Data) -> datetime:
        check_document_path(path)
        return self._commit([Write("create", path, data)])

    def set(self, path: str, data: Data, *, merge: bool = False) -> datetime:
        check_document_path(path)
        return self._commit([Write("set", path, data, merge=merge)])

    def update(self, path: str, data: Data, *, if_update_time: datetime | None = None) -> datetime:
        check_document_path(path)
        return self._commit([Write("update", path, data, if_update_time=if_update_time)])

    def delete(self, path: str, *, if_update_time: datetime | None = None) -> None:
        check_document_path(path)
        self._commit([Write("delete", path, if_update_time=if_update_time)])

    def batch(self) -> SqliteWriteBatch:
        return SqliteWriteBatch(self)

    def run_transaction(self, fn: Callable[[SqliteTransaction], T], *, max_attempts: int = 10) -> T:
        conn = self._conn()
        if conn.in_transaction:
            raise InvalidArgument("run_transaction cannot be nested")
        for attempt in range(max_attempts):
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise DocumentStoreError(str(exc)) from exc
                self.transaction_retries += 1
                # Jittered backoff so waiting writers do not retry in lockstep.
                time.sleep(random.uniform(0, 0.005 * (attempt + 1)))
                continue
            try:
                txn = SqliteTransaction(self, conn)
                result = fn(txn)
                self._apply(conn, txn.writes)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            return result
        raise Contention(f"the transaction could not get the write lock in {max_attempts} attempts")

    # ------------------------------------------------------------ trees
    def list_tree(self, path: str) -> Iterator[Snapshot]:
        check_document_path(path)
        root = codec.name_key(path)
        after, end = root + "\x01", root + "\x02"
        while True:
            rows = (
                self._conn()
                .execute(
                    f"SELECT {_COLUMNS}, name_key FROM docs WHERE name_key > ? AND name_key < ?"
                    " ORDER BY name_key LIMIT ?",
                    (after, end, _CHUNK),
                )
                .fetchall()
            )
            for row in rows:
                yield _snapshot(row[:4])
            if len(rows) < _CHUNK:
                return
            after = rows[-1][4]

    def delete_tree(self, path: str) -> int:
        check_document_path(path)
        root = codec.name_key(path)
        total = 0
        conn = self._conn()
        while True:  # one commit per batch, like Firestore's batched recursive delete
            with self._immediate(conn):
                keys = [
                    k
                    for (k,) in conn.execute(
                        "SELECT name_key FROM docs WHERE name_key = ?"
                        " OR (name_key > ? AND name_key < ?) LIMIT ?",
                        (root, root + "\x01", root + "\x02", MAX_BATCH_WRITES),
                    )
                ]
                conn.executemany("DELETE FROM docs WHERE name_key = ?", [(k,) for k in keys])
            total += len(keys)
            if len(keys) < MAX_BATCH_WRITES:
                return total

    # ------------------------------------------------------------ lifecycle
    def ping(self) -> None:
        try:
            self._conn().execute("SELECT count(*) FROM clock").fetchone()
        except sqlite3.Error as exc:
            raise DocumentStoreError(f"SQLite store unreachable: {exc}") from exc

    def close(self) -> None:
        with self._conns_lock:
            self._closed = True
            for thread, conn in self._conns:
                # Closing a connection another thread is using crashes the process;
                # a live thread's connection closes when that thread ends (and it
                # gets no new one: _conn refuses once closed).
                if thread is threading.current_thread() or not thread.is_alive():
                    conn.close()
            self._conns = []


class SqliteWriteBatch(WriteRecorder):
    def __init__(self, store: SqliteDocumentStore) -> None:
        self._store = store
        self._writes: list[Write] = []
        self._committed = False

    def _record(self, write: Write) -> None:
        check_document_path(write.path)
        if self._committed:
            raise InvalidArgument("this batch was already committed")
        if len(self._writes) >= MAX_BATCH_WRITES:
            raise InvalidArgument(f"a batch holds at most {MAX_BATCH_WRITES} writes")
        self._writes.append(write)

    def commit(self) -> datetime:
        if self._committed:
            raise InvalidArgument("this batch was already committed")
        self._committed = True
        return self._store._commit(self._writes)


class SqliteTransaction(WriteRecorder):
    """Reads run under the write lock the transaction holds; writes are
    buffered and applied at commit."""

    def __init__(self, store: SqliteDocumentStore, conn: sqlite3.Connection) -> None:
        self._store = store
        self._conn = conn
        self.writes: list[Write] = []

    def _reading(self) -> sqlite3.Connection:
        if self.writes:
            raise ReadAfterWrite("transactions must do all their reads before any write")
        return self._conn

    def get(self, path: str) -> Snapshot | None:
        return self._store._fetch(self._reading(), [path])[0]

    def get_many(self, paths: Sequence[str]) -> list[Snapshot | None]:
        return self._store._fetch(self._reading(), paths)

    def query(self, query: Query) -> list[Snapshot]:
        return self._store._select(self._reading(), query)

    def _record(self, write: Write) -> None:
        check_document_path(write.path)
        if len(self.writes) >= MAX_BATCH_WRITES:
            raise InvalidArgument(f"a transaction holds at most {MAX_BATCH_WRITES} writes")
        self.writes.append(write)


def _conforms(store: SqliteDocumentStore) -> DocumentStore:
    return store  # mypy proves the adapter implements the port
