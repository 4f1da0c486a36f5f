"""CountingDocumentStore bills like Firestore: reads per document returned
(at least one per query), count per 1000 entries, one write per document."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aksio.adapters.counting_store import CountingDocumentStore
from aksio.adapters.sqlite_store import SqliteDocumentStore
from aksio.ports.documents import Increment, Transaction, collection


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CountingDocumentStore]:
    counting = CountingDocumentStore(SqliteDocumentStore(tmp_path / "s.db"))
    yield counting
    counting.close()


def test_gets_bill_every_requested_document(store: CountingDocumentStore) -> None:
    store.set("c/a", {"n": 1})
    store.reset()
    store.get("c/a")
    store.get("c/missing")
    store.get_many(["c/a", "c/b", "c/c"])
    assert (store.reads, store.writes) == (5, 0)


def test_queries_bill_per_result_with_a_minimum_of_one(store: CountingDocumentStore) -> None:
    for i in range(5):
        store.set(f"c/d{i}", {"i": i})
    store.reset()
    assert len(store.query(collection("c").limit_to(3))) == 3
    assert store.query(collection("empty")) == []
    assert len(list(store.stream(collection("c")))) == 5
    assert store.reads == 3 + 1 + 5


def test_count_bills_per_thousand_entries(store: CountingDocumentStore) -> None:
    assert store.count(collection("c")) == 0
    assert store.reads == 1
    for start in range(0, 2500, 500):
        batch = store.batch()
        for i in range(start, start + 500):
            batch.set(f"c/d{i:04d}", {})
        batch.commit()
    assert store.writes == 2500
    store.reset()
    assert store.count(collection("c")) == 2500
    assert store.reads == 3


def test_writes_bill_one_per_document(store: CountingDocumentStore) -> None:
    store.create("c/a", {})
    store.set("c/a", {"n": 1}, merge=True)
    store.update("c/a", {"n": Increment(1)})
    store.delete("c/a")
    store.delete("c/never-existed")
    assert (store.reads, store.writes) == (0, 5)


def test_transaction_bills_reads_and_committed_writes(store: CountingDocumentStore) -> None:
    store.set("c/a", {"n": 1})
    store.reset()

    def bump(tx: Transaction) -> None:
        snap = tx.get("c/a")
        tx.query(collection("c"))
        assert snap is not None
        tx.update("c/a", {"n": snap.data["n"] + 1})
        tx.set("c/log", {"n": snap.data["n"]})

    store.run_transaction(bump)
    assert (store.reads, store.writes) == (2, 2)


def test_failed_transaction_bills_reads_only(store: CountingDocumentStore) -> None:
    def fail(tx: Transaction) -> None:
        tx.get("c/a")
        tx.set("c/a", {})
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        store.run_transaction(fail)
    assert (store.reads, store.writes) == (1, 0)


def test_trees(store: CountingDocumentStore) -> None:
    store.set("u/1", {})
    store.set("u/1/x/a", {})
    store.set("u/1/x/b", {})
    store.reset()
    assert len(list(store.list_tree("u/1"))) == 2
    assert store.reads == 2
    store.reset()
    assert store.delete_tree("u/1") == 3
    assert (store.reads, store.writes) == (3, 3)
