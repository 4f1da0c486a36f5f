"""The production document store: the port mapped onto google-cloud-firestore.

``google.cloud.firestore`` is imported here only, when the store is built,
so nothing else pays for the SDK at import time.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from aksio.ports.documents import (
    DELETE_FIELD,
    DOCUMENT_ID,
    MAX_BATCH_WRITES,
    SERVER_TIMESTAMP,
    AlreadyExists,
    ArrayRemove,
    ArrayUnion,
    Contention,
    Data,
    DocumentStore,
    DocumentStoreError,
    Increment,
    InvalidArgument,
    NotFound,
    PreconditionFailed,
    Query,
    ReadAfterWrite,
    Snapshot,
    check_document_path,
    validate_query,
)

T = TypeVar("T")
_OPS = {"array-contains": "array_contains", "array-contains-any": "array_contains_any"}
_PING_TIMEOUT_S = 5.0


@contextlib.contextmanager
def _mapped_errors() -> Iterator[None]:
    """SDK and RPC errors as the port's errors."""
    from google.api_core import exceptions as gexc

    try:
        yield
    except gexc.AlreadyExists as exc:
        raise AlreadyExists(str(exc)) from exc
    except gexc.NotFound as exc:
        raise NotFound(str(exc)) from exc
    except gexc.FailedPrecondition as exc:
        raise PreconditionFailed(str(exc)) from exc
    except gexc.Aborted as exc:
        raise Contention(str(exc)) from exc
    except gexc.InvalidArgument as exc:
        raise InvalidArgument(str(exc)) from exc
    except gexc.GoogleAPIError as exc:
        raise DocumentStoreError(str(exc)) from exc


def _plain_time(value: datetime) -> datetime:
    # DatetimeWithNanoseconds -> plain UTC datetime, as the SQLite store returns.
    v = value.astimezone(UTC)
    return datetime(v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond, tzinfo=UTC)


def _from_sdk(value: Any) -> Any:
    if isinstance(value, datetime):
        return _plain_time(value)
    if isinstance(value, dict):
        return {k: _from_sdk(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_sdk(v) for v in value]
    return value


class FirestoreDocumentStore:
    def __init__(
        self, client: Any = None, *, project: str | None = None, database: str | None = None
    ) -> None:
        from google.cloud import firestore

        self._fs = firestore
        self._client = client or firestore.Client(project=project, database=database or "(default)")

    @property
    def client(self) -> Any:
        return self._client

    # ------------------------------------------------------------ mapping
    def ref(self, path: str) -> Any:
        check_document_path(path)
        return self._client.document(path)

    def to_sdk(self, value: Any) -> Any:
        fs = self._fs
        if value is SERVER_TIMESTAMP:
            return fs.SERVER_TIMESTAMP
        if value is DELETE_FIELD:
            return fs.DELETE_FIELD
        if isinstance(value, Increment):
            return fs.Increment(value.amount)
        if isinstance(value, ArrayUnion):
            return fs.ArrayUnion([self.to_sdk(v) for v in value.values])
        if isinstance(value, ArrayRemove):
            return fs.ArrayRemove([self.to_sdk(v) for v in value.values])
        if isinstance(value, dict):
            return {k: self.to_sdk(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.to_sdk(v) for v in value]
        return value

    def option(self, if_update_time: datetime | None) -> Any:
        if if_update_time is None:
            return None
        return self._client.write_option(last_update_time=if_update_time)

    @staticmethod
    def snapshot(snap: Any) -> Snapshot | None:
        if not snap.exists:
            return None
        return Snapshot(
            path=snap.reference.path,
            data=_from_sdk(snap.to_dict() or {}),
            create_time=_plain_time(snap.create_time),
            update_time=_plain_time(snap.update_time),
        )

    def sdk_query(self, query: Query) -> Any:
        validate_query(query)
        fs = self._fs
        if query.all_descendants:
            q = self._client.collection_group(query.parent)
        else:
            q = self._client.collection(query.parent)
        for f in query.filters:
            value = f.value
            if f.field == DOCUMENT_ID:
                value = (
                    [self.ref(v) for v in value] if f.op in ("in", "not-in") else self.ref(value)
                )
            elif isinstance(value, tuple):
                value = list(value)
            q = q.where(filter=fs.FieldFilter(f.field, _OPS.get(f.op, f.op), value))
        # Orders are sent explicitly (implicit ones included) so the cursor's
        # values line up with them.
        orders = query.normalized_orders()
        for o in orders:
            direction = fs.Query.DESCENDING if o.direction == "desc" else fs.Query.ASCENDING
            q = q.order_by(o.field, direction=direction)
        if query.start_after is not None:
            cursor = {
                o.field: self.ref(v) if o.field == DOCUMENT_ID else v
                for o, v in zip(orders, query.start_after, strict=True)
            }
            q = q.start_after(cursor)
        if query.limit is not None:
            q = q.limit(query.limit)
        return q

    # ------------------------------------------------------------ reads
    def get(self, path: str) -> Snapshot | None:
        with _mapped_errors():
            return self.snapshot(self.ref(path).get())

    def get_many(self, paths: Sequence[str]) -> list[Snapshot | None]:
        refs = [self.ref(p) for p in dict.fromkeys(paths)]  # one request per document
        if not refs:
            return []
        with _mapped_errors():
            found = {s.reference.path: self.snapshot(s) for s in self._client.get_all(refs)}
        return [found.get(p) for p in paths]

    def query(self, query: Query) -> list[Snapshot]:
        return list(self.stream(query))

    def stream(self, query: Query) -> Iterator[Snapshot]:
        q = self.sdk_query(query)
        with _mapped_errors():
            for snap in q.stream():
                s = self.snapshot(snap)
                if s is not None:
                    yield s

    def count(self, query: Query) -> int:
        q = self.sdk_query(query)
        with _mapped_errors():
            result = q.count(alias="n").get()
        return int(result[0][0].value)

    # ------------------------------------------------------------ writes
    def create(self, path: str, data: Data) -> datetime:
        with _mapped_errors():
            return _plain_time(self.ref(path).create(self.to_sdk(data)).update_time)

    def set(self, path: str, data: Data, *, merge: bool = False) -> datetime:
        with _mapped_errors():
            return _plain_time(self.ref(path).set(self.to_sdk(data), merge=merge).update_time)

    def update(self, path: str, data: Data, *, if_update_time: datetime | None = None) -> datetime:
        with _mapped_errors():
            result = self.ref(path).update(self.to_sdk(data), option=self.option(if_update_time))
        return _plain_time(result.update_time)

    def delete(self, path: str, *, if_update_time: datetime | None = None) -> None:
        with _mapped_errors():
            self.ref(path).delete(option=self.option(if_update_time))

    def batch(self) -> FirestoreWriteBatch:
        return FirestoreWriteBatch(self)

    def run_transaction(
        self, fn: Callable[[FirestoreTransaction], T], *, max_attempts: int = 10
    ) -> T:
        from google.api_core import exceptions as gexc

        def body(sdk_txn: Any) -> T:
            return fn(FirestoreTransaction(self, sdk_txn))

        txn = self._client.transaction(max_attempts=max_attempts)
        try:
            with _mapped_errors():
                # The SDK's retry: on Aborted at commit it re-runs body.
                return self._fs.transactional(body)(txn)  # type: ignore[no-any-return]
        except ValueError as exc:
            # The SDK wraps the last Aborted in a ValueError when out of attempts.
            if isinstance(exc.__cause__, gexc.Aborted):
                raise Contention(str(exc)) from exc
            raise

    # ------------------------------------------------------------ trees
    def list_tree(self, path: str) -> Iterator[Snapshot]:
        ref = self.ref(path)
        with _mapped_errors():
            for collection in sorted(ref.collections(), key=lambda c: c.id):
                # recursive(): a kindless all-descendants query under the collection.
                for snap in collection.recursive().stream():
                    s = self.snapshot(snap)
                    if s is not None:
                        yield s

    def delete_tree(self, path: str) -> int:
        paths = [s.path for s in self.list_tree(path)]
        if self.get(path) is not None:
            paths.append(path)
        for i in range(0, len(paths), MAX_BATCH_WRITES):
            batch = self.batch()
            for p in paths[i : i + MAX_BATCH_WRITES]:
                batch.delete(p)
            batch.commit()
        return len(paths)

    # ------------------------------------------------------------ lifecycle
    def ping(self) -> None:
        with _mapped_errors():
            # A bounded query; no retry so an unreachable backend fails fast.
            self._client.collection("_aksio_ping").limit(1).get(retry=None, timeout=_PING_TIMEOUT_S)

    def close(self) -> None:
        self._client.close()


class FirestoreWriteBatch:
    def __init__(self, store: FirestoreDocumentStore) -> None:
        self._store = store
        self._batch = store.client.batch()
        self._size = 0

    def _count(self) -> None:
        if self._size >= MAX_BATCH_WRITES:
            raise InvalidArgument(f"a batch holds at most {MAX_BATCH_WRITES} writes")
        self._size += 1

    def create(self, path: str, data: Data) -> None:
        self._count()
        self._batch.create(self._store.ref(path), self._store.to_sdk(data))

    def set(self, path: str, data: Data, *, merge: bool = False) -> None:
        self._count()
        self._batch.set(self._store.ref(path), self._store.to_sdk(data), merge=merge)

    def update(self, path: str, data: Data, *, if_update_time: datetime | None = None) -> None:
        self._count()
        self._batch.update(
            self._store.ref(path),
            self._store.to_sdk(data),
            option=self._store.option(if_update_time),
        )

    def delete(self, path: str, *, if_update_time: datetime | None = None) -> None:
        self._count()
        self._batch.delete(self._store.ref(path), option=self._store.option(if_update_time))

    def commit(self) -> datetime:
        with _mapped_errors():
            self._batch.commit()
        return _plain_time(self._batch.commit_time)


class FirestoreTransaction:
    """The SDK transaction behind the port; enforces reads-before-writes,
    which the Python SDK does not check itself."""

    def __init__(self, store: FirestoreDocumentStore, txn: Any) -> None:
        self._store = store
        self._txn = txn
        self._writes = 0

    def _reading(self) -> None:
        if self._writes:
            raise ReadAfterWrite("transactions must do all their reads before any write")

    def get(self, path: str) -> Snapshot | None:
        return self.get_many([path])[0]

    def get_many(self, paths: Sequence[str]) -> list[Snapshot | None]:
        self._reading()
        refs = [self._store.ref(p) for p in dict.fromkeys(paths)]
        if not refs:
            return []
        with _mapped_errors():
            found = {s.reference.path: self._store.snapshot(s) for s in self._txn.get_all(refs)}
        return [found.get(p) for p in paths]

    def query(self, query: Query) -> list[Snapshot]:
        self._reading()
        q = self._store.sdk_query(query)
        with _mapped_errors():
            snaps = [self._store.snapshot(s) for s in self._txn.get(q)]
        return [s for s in snaps if s is not None]

    def _count(self) -> None:
        if self._writes >= MAX_BATCH_WRITES:
            raise InvalidArgument(f"a transaction holds at most {MAX_BATCH_WRITES} writes")
        self._writes += 1

    def create(self, path: str, data: Data) -> None:
        self._count()
        self._txn.create(self._store.ref(path), self._store.to_sdk(data))

    def set(self, path: str, data: Data, *, merge: bool = False) -> None:
        self._count()
        self._txn.set(self._store.ref(path), self._store.to_sdk(data), merge=merge)

    def update(self, path: str, data: Data, *, if_update_time: datetime | None = None) -> None:
        self._count()
        self._txn.update(
            self._store.ref(path),
            self._store.to_sdk(data),
            option=self._store.option(if_update_time),
        )

    def delete(self, path: str, *, if_update_time: datetime | None = None) -> None:
        self._count()
        self._txn.delete(self._store.ref(path), option=self._store.option(if_update_time))


def _conforms(store: FirestoreDocumentStore) -> DocumentStore:
    return store  # mypy proves the adapter implements the port
