"""SQLite store behaviour beyond the shared contract: concurrency (threads,
lock contention, processes), commit clock, paging, limits, persistence."""

from __future__ import annotations

import itertools
import multiprocessing
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from aksio.adapters.sqlite_store import SqliteDocumentStore
from aksio.ports.documents import (
    DELETE_FIELD,
    SERVER_TIMESTAMP,
    ArrayUnion,
    Contention,
    DocumentStoreError,
    InvalidArgument,
    Transaction,
    collection,
    collection_group,
)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


@pytest.fixture
def store(db: Path) -> SqliteDocumentStore:
    s = SqliteDocumentStore(db)
    yield s  # type: ignore[misc]
    s.close()


def _process_worker(db: str, path: str, n: int) -> None:
    """Module level so spawned processes can import and run it."""
    s = SqliteDocumentStore(db)

    def bump(tx: Transaction) -> None:
        snap = tx.get(path)
        assert snap is not None
        tx.update(path, {"n": snap.data["n"] + 1})

    for _ in range(n):
        s.run_transaction(bump, max_attempts=100)
    s.close()


def test_update_time_strictly_increases(store: SqliteDocumentStore) -> None:
    times = [store.set("c/a", {"i": i}) for i in range(200)]
    assert all(a < b for a, b in itertools.pairwise(times))
    snap = store.get("c/a")
    assert snap is not None and snap.update_time == times[-1] and snap.create_time == times[0]


def test_transaction_retries_while_another_connection_holds_the_lock(db: Path) -> None:
    store = SqliteDocumentStore(db, busy_timeout_ms=20)
    store.set("c/a", {"n": 1})
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # e.g. a seeding script mid-write
    result: list[int] = []

    def bump(tx: Transaction) -> int:
        snap = tx.get("c/a")
        assert snap is not None
        tx.update("c/a", {"n": snap.data["n"] + 1})
        return int(snap.data["n"])

    worker = threading.Thread(target=lambda: result.append(store.run_transaction(bump)))
    worker.start()
    deadline = time.monotonic() + 10
    while store.transaction_retries == 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    blocker.execute("COMMIT")  # release only after a retry was observed
    worker.join()
    blocker.close()
    assert store.transaction_retries >= 1
    assert result == [1]
    snap = store.get("c/a")
    assert snap is not None and snap.data == {"n": 2}
    store.close()


def test_transaction_gives_up_with_contention(db: Path) -> None:
    store = SqliteDocumentStore(db, busy_timeout_ms=10)
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(Contention):
            store.run_transaction(lambda tx: tx.set("c/a", {}), max_attempts=2)
        with pytest.raises(Contention):
            store.set("c/a", {})
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert store.transaction_retries == 2
    store.close()


def test_processes_sharing_the_file_do_not_lose_updates(
    store: SqliteDocumentStore, db: Path
) -> None:
    store.set("c/counter", {"n": 0})
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_process_worker, args=(str(db), "c/counter", 40)) for _ in range(2)]
    for p in procs:
        p.start()
    _process_worker(str(db), "c/counter", 40)  # and this process too
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    snap = store.get("c/counter")
    assert snap is not None and snap.data["n"] == 120


def test_writes_inside_a_transaction_must_use_it(store: SqliteDocumentStore) -> None:
    with pytest.raises(InvalidArgument):
        store.run_transaction(lambda tx: store.set("c/a", {}))
    with pytest.raises(InvalidArgument):
        store.run_transaction(lambda tx: store.run_transaction(lambda inner: None))
    assert store.get("c/a") is None
    store.set("c/a", {"ok": True})  # the connection is usable afterwards


def test_stream_pages_through_large_results(store: SqliteDocumentStore) -> None:
    for start in range(0, 1203, 500):
        batch = store.batch()
        for i in range(start, min(start + 500, 1203)):
            batch.set(f"c/d{i:05d}", {"n": i % 7, "i": i})
        batch.commit()
    q = collection("c").order_by("n", "desc")
    got = list(store.stream(q))
    assert len(got) == 1203
    keys = [(s.data["n"], s.id) for s in got]
    assert keys == sorted(keys, reverse=True)  # implicit __name__ order follows the last one
    assert [s.id for s in store.stream(q.limit_to(700))] == [s.id for s in got[:700]]
    assert store.count(collection("c").where("n", "==", 0)) == 172


def test_delete_tree_runs_in_batches(store: SqliteDocumentStore) -> None:
    store.set("u/1", {})
    for start in range(0, 1100, 500):
        batch = store.batch()
        for i in range(start, min(start + 500, 1100)):
            batch.set(f"u/1/items/i{i:04d}", {"i": i})
        batch.commit()
    store.set("u/1/items/i0000/deep/x", {})
    store.set("u/2/items/a", {})
    assert sum(1 for _ in store.list_tree("u/1")) == 1101
    assert store.delete_tree("u/1") == 1102
    assert store.count(collection_group("items")) == 1


def test_collection_group_orders_names_segment_by_segment(store: SqliteDocumentStore) -> None:
    store.set("g/u-1/x/a", {})
    store.set("g/u/x/a", {})
    store.set("g/u.b/x/a", {})
    assert [s.path for s in store.query(collection_group("x"))] == [
        "g/u/x/a",
        "g/u-1/x/a",
        "g/u.b/x/a",
    ]


def test_invalid_writes_are_rejected(store: SqliteDocumentStore) -> None:
    store.set("c/a", {"m": {"x": 1}})
    with pytest.raises(InvalidArgument):
        store.update("c/a", {"m": 1, "m.x": 2})  # overlapping field paths
    with pytest.raises(InvalidArgument):
        store.create("c/b", {"x": DELETE_FIELD})
    with pytest.raises(InvalidArgument):
        store.set("c/b", {"x": [SERVER_TIMESTAMP]})
    with pytest.raises(InvalidArgument):
        store.update("c/a", {"x": ArrayUnion([ArrayUnion([1])])})
    with pytest.raises(InvalidArgument):
        store.set("c/b", {"x": float("nan")})
    with pytest.raises(InvalidArgument):
        store.set("c/b", {"x": 2**63})
    with pytest.raises(InvalidArgument):
        store.set("c/b", {"x": object()})
    with pytest.raises(InvalidArgument):
        store.set("c/b", {"x": "a" * 1_048_577})
    assert store.get("c/b") is None


def test_data_survives_reopening_and_closed_store_refuses(db: Path) -> None:
    first = SqliteDocumentStore(db)
    t = first.set("c/a", {"n": 1})
    first.close()
    with pytest.raises(DocumentStoreError):
        first.get("c/a")
    second = SqliteDocumentStore(db)
    snap = second.get("c/a")
    assert snap is not None and snap.update_time == t
    assert second.set("c/a", {"n": 2}) > t  # the clock continues after reopening
    second.ping()
    second.close()


def test_queries_over_10000_documents_run_in_sql(store: SqliteDocumentStore) -> None:
    for start in range(0, 10_000, 500):
        batch = store.batch()
        for i in range(start, start + 500):
            batch.set(
                f"users/u1/reviews/r{i:05d}", {"card": f"k{i % 50}", "due": i, "ok": i % 2 == 0}
            )
        batch.commit()
    q = collection("users/u1/reviews").where("ok", "==", True).order_by("due", "desc").limit_to(20)
    started = time.perf_counter()
    page = store.query(q)
    nxt = store.query(q.after(q.cursor_of(page[-1])))
    elapsed = time.perf_counter() - started
    assert [s.data["due"] for s in page] == list(range(9998, 9958, -2))
    assert nxt[0].data["due"] == 9958
    assert store.count(collection("users/u1/reviews").where("card", "in", ["k1", "k2"])) == 400
    assert elapsed < 2.0  # generous: a Python-side scan of 10k docs would still pass, SQL is ~ms
