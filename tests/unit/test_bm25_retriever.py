"""Bm25Retriever beyond the contract: read budget, concurrent ingestion, the
per-instance cache, where the index lives, and the tokenizer."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from aksio.adapters.bm25_retriever import Bm25Retriever, Tokenizer
from aksio.adapters.counting_store import CountingDocumentStore
from aksio.adapters.local_blobs import LocalBlobStore
from aksio.adapters.sqlite_store import SqliteDocumentStore
from aksio.documents.paths import parse_upload
from aksio.ports.blobs import BlobInfo
from aksio.ports.retrieval import CourseScope, Passage

SCOPE = CourseScope("u1", "c1")


def passages(document_id: str, texts: list[str]) -> list[Passage]:
    return [Passage(f"{document_id}-{i:05d}", document_id, t, i + 1) for i, t in enumerate(texts)]


class HookedBlobs(LocalBlobStore):
    """A local blob store that runs ``on_list`` once, inside the next listing:
    a deterministic way to let another writer act at the worst moment."""

    on_list: Callable[[], None] | None = None
    gets = 0

    def list(self, prefix: str) -> Iterator[BlobInfo]:
        found = list(super().list(prefix))
        hook, self.on_list = self.on_list, None
        if hook is not None:
            hook()
        yield from found

    def get(self, name: str) -> bytes:
        self.gets += 1
        return super().get(name)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CountingDocumentStore]:
    inner = SqliteDocumentStore(tmp_path / "store.db")
    yield CountingDocumentStore(inner)
    inner.close()


@pytest.fixture
def blobs(tmp_path: Path) -> HookedBlobs:
    return HookedBlobs(tmp_path / "blobs", "bucket")


def test_indexing_and_search_cost_no_document_reads(
    store: CountingDocumentStore, blobs: HookedBlobs
) -> None:
    retriever = Bm25Retriever(store, blobs)
    for d in range(5):
        retriever.index_document(
            SCOPE, f"doc{d}", passages(f"doc{d}", [f"species {d} variation"] * 50)
        )
    cold = Bm25Retriever(store, blobs)  # another instance: loads the index from blobs
    store.reset()
    for query in ("species variation", "doc3", "nothing here"):
        cold.search(SCOPE, query, limit=5)
    assert store.reads == 0 and store.writes == 0


def test_a_writer_that_listed_too_early_rebuilds(tmp_path: Path, blobs: HookedBlobs) -> None:
    store = SqliteDocumentStore(tmp_path / "s.db")
    a, b = Bm25Retriever(store, blobs), Bm25Retriever(store, blobs)
    # A lists (sees only its own file); B then writes its file and its whole index;
    # A's index, written last, would drop B's passages without the second listing.
    blobs.on_list = lambda: b.index_document(SCOPE, "docB", passages("docB", ["glacier ice"]))
    a.index_document(SCOPE, "docA", passages("docA", ["pigeon breeds"]))
    fresh = Bm25Retriever(store, blobs)
    assert [h.document_id for h in fresh.search(SCOPE, "glacier")] == ["docB"]
    assert [h.document_id for h in fresh.search(SCOPE, "pigeon")] == ["docA"]


def test_removal_racing_an_index_keeps_the_survivor(tmp_path: Path, blobs: HookedBlobs) -> None:
    store = SqliteDocumentStore(tmp_path / "s.db")
    a, b = Bm25Retriever(store, blobs), Bm25Retriever(store, blobs)
    a.index_document(SCOPE, "docA", passages("docA", ["pigeon breeds"]))
    blobs.on_list = lambda: b.index_document(SCOPE, "docB", passages("docB", ["glacier ice"]))
    a.remove_document(SCOPE, "docA")
    fresh = Bm25Retriever(store, blobs)
    assert fresh.search(SCOPE, "pigeon") == []
    assert [h.document_id for h in fresh.search(SCOPE, "glacier")] == ["docB"]


def test_concurrent_ingestion_of_one_course_keeps_every_document(
    tmp_path: Path, blobs: HookedBlobs
) -> None:
    store = SqliteDocumentStore(tmp_path / "s.db")
    n = 6
    start = threading.Barrier(n)
    errors: list[BaseException] = []

    def ingest(i: int) -> None:
        try:
            retriever = Bm25Retriever(store, blobs)  # one per "instance"
            start.wait()
            retriever.index_document(SCOPE, f"doc{i}", passages(f"doc{i}", [f"topic{i} words"]))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=ingest, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    fresh = Bm25Retriever(store, blobs)
    for i in range(n):
        assert [h.document_id for h in fresh.search(SCOPE, f"topic{i}")] == [f"doc{i}"]


def test_cache_reloads_only_when_the_index_blob_changes(
    store: CountingDocumentStore, blobs: HookedBlobs
) -> None:
    writer, reader = Bm25Retriever(store, blobs), Bm25Retriever(store, blobs)
    writer.index_document(SCOPE, "docA", passages("docA", ["pigeon breeds"]))
    blobs.gets = 0
    reader.search(SCOPE, "pigeon")
    reader.search(SCOPE, "pigeon")
    assert blobs.gets == 1  # loaded once, then served from the cache
    writer.index_document(SCOPE, "docB", passages("docB", ["glacier ice"]))
    blobs.gets = 0
    assert [h.document_id for h in reader.search(SCOPE, "glacier")] == ["docB"]
    assert blobs.gets == 1  # a new generation: reloaded once
    blobs.gets = 0
    writer.search(SCOPE, "glacier")
    assert blobs.gets == 0  # the writer keeps what it built


def test_index_lives_under_the_course_and_goes_with_it(
    store: CountingDocumentStore, blobs: HookedBlobs
) -> None:
    retriever = Bm25Retriever(store, blobs)
    retriever.index_document(SCOPE, "docA", passages("docA", ["pigeon breeds"]))
    names = [b.name for b in blobs.list("users/u1/")]
    assert names and all(n.startswith("users/u1/courses/c1/index/") for n in names)
    assert all(parse_upload(n) is None for n in names)  # the storage trigger ignores them
    assert blobs.delete_prefix("users/u1/courses/c1/") == len(names)  # course deletion
    assert Bm25Retriever(store, blobs).search(SCOPE, "pigeon") == []


def test_last_document_removed_leaves_no_index(
    store: CountingDocumentStore, blobs: HookedBlobs
) -> None:
    retriever = Bm25Retriever(store, blobs)
    retriever.index_document(SCOPE, "docA", passages("docA", ["pigeon breeds"]))
    retriever.remove_document(SCOPE, "docA")
    assert list(blobs.list(Bm25Retriever.prefix(SCOPE))) == []
    assert retriever.search(SCOPE, "pigeon") == []


def test_empty_and_stopword_only_passages_index_fine(
    store: CountingDocumentStore, blobs: HookedBlobs
) -> None:
    retriever = Bm25Retriever(store, blobs)
    retriever.index_document(SCOPE, "docA", passages("docA", ["", "the of and", "pigeons"]))
    assert [h.chunk_id for h in retriever.search(SCOPE, "pigeon")] == ["docA-00002"]
    retriever.index_document(SCOPE, "docB", [])
    assert list(blobs.list(Bm25Retriever.prefix(SCOPE) + "docs/docB")) == []


def test_headings_are_searchable(store: CountingDocumentStore, blobs: HookedBlobs) -> None:
    retriever = Bm25Retriever(store, blobs)
    retriever.index_document(
        SCOPE, "docA", [Passage("docA-00000", "docA", "It varies a lot.", 1, "Hybridism")]
    )
    assert [h.chunk_id for h in retriever.search(SCOPE, "hybridism")] == ["docA-00000"]


def test_unsafe_document_ids_are_refused(store: CountingDocumentStore, blobs: HookedBlobs) -> None:
    with pytest.raises(ValueError):
        Bm25Retriever(store, blobs).index_document(SCOPE, "../x", [])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What is Natural Selection?", ["natur", "select"]),
        ("Schrödinger's équation", ["schroding", "equat"]),  # accents folded
        ("The breeders' pigeons were bred", ["breeder", "pigeon", "bred"]),
        ("Naturlig utvalg i Norge, år 1859", ["naturlig", "utvalg", "norg", "ar", "1859"]),
        ("x = 5 + y", ["5"]),  # single letters dropped, digits kept
    ],
)
def test_tokenizer(text: str, expected: list[str]) -> None:
    assert Tokenizer().tokens(text) == expected
