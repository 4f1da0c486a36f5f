"""A DocumentStore wrapper that counts reads and writes as Firestore bills them.

- get / get_many: 1 read per requested document, found or not;
- query / stream / list_tree: 1 read per document returned, at least 1;
- count: 1 read per started batch of 1000 matched entries, at least 1;
- each created, set, updated or deleted document: 1 write.

Transactions bill the reads of every attempt and the writes of the one that
commits. Benchmarks use it to hold budgets such as "at most 3 reads per review".
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import TypeVar

from aksio.ports.documents import (
    Data,
    DocumentStore,
    Query,
    Snapshot,
    Transaction,
    Write,
    WriteBatch,
    WriteRecorder,
    replay,
)

T = TypeVar("T")
COUNT_ENTRIES_PER_READ = 1000


def _query_reads(returned: int) -> int:
    return max(1, returned)


class CountingDocumentStore:
    def __init__(self, inner: DocumentStore) -> None:
        self.inner = inner
        self._lock = threading.Lock()
        self.reads = 0
        self.writes = 0

    def reset(self) -> None:
        with self._lock:
            self.reads = 0
            self.writes = 0

    def add(self, *, reads: int = 0, writes: int = 0) -> None:
        with self._lock:
            self.reads += reads
            self.writes += writes

    # ------------------------------------------------------------ reads
    def get(self, path: str) -> Snapshot | None:
        self.add(reads=1)
        return self.inner.get(path)

    def get_many(self, paths: Sequence[str]) -> list[Snapshot | None]:
        self.add(reads=len(paths))
        return self.inner.get_many(paths)

    def query(self, query: Query) -> list[Snapshot]:
        result = self.inner.query(query)
        self.add(reads=_query_reads(len(result)))
        return result

    def stream(self, query: Query) -> Iterator[Snapshot]:
        returned = 0
        try:
            for snap in self.inner.stream(query):
                returned += 1
                yield snap
        finally:
            self.add(reads=_query_reads(returned))

    def count(self, query: Query) -> int:
        n = self.inner.count(query)
        self.add(reads=max(1, -(-n // COUNT_ENTRIES_PER_READ)))
        return n

    # ------------------------------------------------------------ writes
    def create(self, path: str, data: Data) -> datetime:
        self.add(writes=1)
        return self.inner.create(path, data)

    def set(self, path: str, data: Data, *, merge: bool = False) -> datetime:
        self.add(writes=1)
        return self.inner.set(path, data, merge=merge)

    def update(self, path: str, data: Data, *, if_update_time: datetime | None = None) -> datetime:
        self.add(writes=1)
        return self.inner.update(path, data, if_update_time=if_update_time)

    def delete(self, path: str, *, if_update_time: datetime | None = None) -> None:
        self.add(writes=1)
        self.inner.delete(path, if_update_time=if_update_time)

    def batch(self) -> WriteBatch:
        return _CountingBatch(self, self.inner.batch())

    def run_transaction(self, fn: Callable[[Transaction], T], *, max_attempts: int = 10) -> T:
        attempt: list[_CountingTransaction] = []

        def counted(tx: Transaction) -> T:
            wrapper = _CountingTransaction(self, tx)
            attempt[:] = [wrapper]
            return fn(wrapper)

        result = self.inner.run_transaction(counted, max_attempts=max_attempts)
        if attempt:
            self.add(writes=attempt[0].pending_writes)
        return result

    # ------------------------------------------------------------ trees, lifecycle
    def list_tree(self, path: str) -> Iterator[Snapshot]:
        returned = 0
        try:
            for snap in self.inner.list_tree(path):
                returned += 1
                yield snap
        finally:
            self.add(reads=_query_reads(returned))

    def delete_tree(self, path: str) -> int:
        deleted = self.inner.delete_tree(path)
        # The tree is read (ids only, still billed per document) and then deleted.
        self.add(reads=_query_reads(deleted), writes=deleted)
        return deleted

    def ping(self) -> None:
        self.inner.ping()  # health checks are not product traffic: not counted

    def close(self) -> None:
        self.inner.close()


class _CountingBatch(WriteRecorder):
    def __init__(self, store: CountingDocumentStore, inner: WriteBatch) -> None:
        self._store = store
        self._inner = inner
        self._writes = 0

    def _record(self, write: Write) -> None:
        replay(write, self._inner)
        self._writes += 1

    def commit(self) -> datetime:
        when = self._inner.commit()
        self._store.add(writes=self._writes)
        return when


class _CountingTransaction(WriteRecorder):
    """Reads are billed as they happen (every attempt); writes only once the
    transaction has committed (see run_transaction)."""

    def __init__(self, store: CountingDocumentStore, inner: Transaction) -> None:
        self._store = store
        self._inner = inner
        self.pending_writes = 0

    def get(self, path: str) -> Snapshot | None:
        self._store.add(reads=1)
        return self._inner.get(path)

    def get_many(self, paths: Sequence[str]) -> list[Snapshot | None]:
        self._store.add(reads=len(paths))
        return self._inner.get_many(paths)

    def query(self, query: Query) -> list[Snapshot]:
        result = self._inner.query(query)
        self._store.add(reads=_query_reads(len(result)))
        return result

    def _record(self, write: Write) -> None:
        replay(write, self._inner)
        self.pending_writes += 1


def _conforms(store: CountingDocumentStore) -> DocumentStore:
    return store  # mypy proves the wrapper implements the port
