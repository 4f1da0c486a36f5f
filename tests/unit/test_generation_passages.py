"""Passage selection: spread over the whole document, shared among documents
by length, bounded in passages, words and document reads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aksio.adapters.bm25_retriever import Bm25Retriever
from aksio.adapters.counting_store import CountingDocumentStore
from aksio.adapters.local_blobs import LocalBlobStore
from aksio.adapters.sqlite_store import SqliteDocumentStore
from aksio.assessments.generation import passages
from aksio.courses.repository import create_course, create_section
from aksio.documents import paths as doc_paths
from aksio.ports.documents import DocumentStore
from aksio.ports.llm import SourcePassage
from tests.factories.courses import CourseCreateFactory, SectionCreateFactory
from tests.factories.generation import SourcePassageFactory, chunk_texts, seed_processed_document

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
UID = "user-passages"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CountingDocumentStore]:
    inner = SqliteDocumentStore(tmp_path / "store.sqlite3")
    yield CountingDocumentStore(inner)
    inner.close()


@pytest.fixture
def course_id(store: DocumentStore) -> str:
    return create_course(store, UID, CourseCreateFactory.build(), NOW).id


def _indices(items: list[SourcePassage]) -> list[int]:
    return [int(p.passage_id.rsplit("-", 1)[1]) for p in items]


# ------------------------------------------------------------------ pure
@pytest.mark.parametrize(("total", "k"), [(10, 3), (200, 20), (7, 7), (1000, 40), (5, 1)])
def test_spread_is_even_distinct_and_in_range(total: int, k: int) -> None:
    picked = passages.spread(total, k)
    assert len(picked) == k
    assert picked == sorted(set(picked))
    assert all(0 <= i < total for i in picked)
    stretch = total / k
    # every stretch of the document has its representative
    for n, i in enumerate(picked):
        assert n * stretch <= i < (n + 1) * stretch


def test_spread_takes_all_when_asked_for_more_and_none_of_nothing() -> None:
    assert passages.spread(4, 10) == [0, 1, 2, 3]
    assert passages.spread(0, 5) == []
    assert passages.spread(5, 0) == []


def test_allocate_is_proportional_and_bounded() -> None:
    shares = passages.allocate({"big": 300, "small": 100, "empty": 0}, 20)
    assert shares == {"big": 15, "small": 5}
    assert sum(passages.allocate({"a": 7, "b": 7, "c": 7}, 10).values()) == 10
    # never more than a document has, nothing for an empty one
    assert passages.allocate({"a": 2, "b": 1}, 10) == {"a": 2, "b": 1}


def test_passage_target_is_two_per_item_within_bounds() -> None:
    assert passages.passage_target(1) == passages.MIN_PASSAGES
    assert passages.passage_target(10) == 20
    assert passages.passage_target(50) == passages.MAX_PASSAGES


def test_fit_budget_drops_passages_until_the_words_fit() -> None:
    items = [SourcePassageFactory.build(text="word " * 100) for _ in range(30)]
    kept = passages.fit_budget(items, budget=1000)
    assert len(kept) == 10
    assert sum(len(p.text.split()) for p in kept) <= 1000
    assert [items.index(p) for p in kept] == sorted(items.index(p) for p in kept)
    assert passages.fit_budget(items[:3], budget=10_000) == items[:3]


# ------------------------------------------------------------------ reads
def test_document_passages_span_the_whole_document_with_bounded_reads(
    store: CountingDocumentStore, course_id: str
) -> None:
    doc_id = seed_processed_document(store, UID, course_id, chunk_texts(300))
    snap = store.get(doc_paths.document(UID, course_id, doc_id))
    assert snap is not None
    store.reset()
    chosen = passages.document_passages(store, UID, course_id, passages.as_ready(snap), count=5)
    assert len(chosen) == 10  # two per card asked for
    assert store.reads == 10  # one get_many of known ids, no scan of 300 chunks
    picked = _indices(chosen)
    assert picked[0] < 30 and picked[-1] >= 270, picked  # beginning and end alike
    first = chosen[0]
    assert first.document_id == doc_id
    assert first.document_title == "Lecture notes"
    assert first.page == picked[0] // 3 + 1
    assert first.heading is not None and first.text


def test_course_passages_share_by_length_and_skip_documents_not_ready(
    store: CountingDocumentStore, course_id: str
) -> None:
    long_doc = seed_processed_document(store, UID, course_id, chunk_texts(90, seed=1))
    short_doc = seed_processed_document(store, UID, course_id, chunk_texts(30, seed=2))
    seed_processed_document(store, UID, course_id, [], status="processing")
    documents = passages.ready_documents(store, UID, course_id)
    assert {d.id for d in documents} == {long_doc, short_doc}
    chosen = passages.course_passages(store, UID, course_id, documents, count=10)
    by_doc = [p.document_id for p in chosen]
    assert by_doc.count(long_doc) == 15 and by_doc.count(short_doc) == 5


def test_section_passages_are_the_retrievers_matches(
    store: CountingDocumentStore, course_id: str, tmp_path: Path
) -> None:
    retriever = Bm25Retriever(store, LocalBlobStore(tmp_path / "blobs", "bucket"))
    texts = chunk_texts(20)
    texts[7] = "Photosynthesis captures light energy in chloroplasts. " * 3
    texts[13] = "Chloroplasts hold chlorophyll, the pigment of photosynthesis. " * 3
    doc_id = seed_processed_document(store, UID, course_id, texts, retriever=retriever)
    section = create_section(
        store,
        UID,
        course_id,
        SectionCreateFactory.build(title="Photosynthesis", description="Chloroplasts"),
        NOW,
    )
    chosen = passages.section_passages(
        store,
        retriever,
        UID,
        course_id,
        title=section.title,
        description=section.description,
        count=1,
    )
    ids = [p.passage_id for p in chosen]
    assert set(ids[:2]) == {doc_paths.chunk_id(doc_id, 7), doc_paths.chunk_id(doc_id, 13)}
    assert len(ids) <= passages.passage_target(1)


def test_vocabulary_sample_adds_course_text_without_rereading_passages(
    store: CountingDocumentStore, course_id: str
) -> None:
    seed_processed_document(store, UID, course_id, chunk_texts(50))
    documents = passages.ready_documents(store, UID, course_id)
    chosen = passages.course_passages(store, UID, course_id, documents, count=2)
    store.reset()
    texts = passages.vocabulary_texts(store, UID, course_id, documents, chosen)
    assert texts[: len(chosen)] == [p.text for p in chosen]
    assert len(texts) > len(chosen)
    assert store.reads <= passages.VOCABULARY_SAMPLE


def test_main_language_is_the_one_most_text_is_in() -> None:
    docs = [
        passages.ReadyDocument("a", 100, "nb"),
        passages.ReadyDocument("b", 20, "en"),
        passages.ReadyDocument("c", 500, None),
    ]
    assert passages.main_language(docs) == "nb"
    assert passages.main_language([]) == "en"
