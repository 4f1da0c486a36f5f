"""The QA corpus is usable as a benchmark, and BM25 keeps answering it:
every answer is an exact, unique substring of the text, the set is large
enough, and recall@5 stays above a floor (a tokenizer regression shows here
before it shows in `nox -s bench`)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from aksio.adapters.bm25_retriever import Bm25Retriever
from aksio.adapters.local_blobs import LocalBlobStore
from aksio.adapters.sqlite_store import SqliteDocumentStore
from aksio.ports.retrieval import CourseScope, Passage

CORPUS_DIR = Path(__file__).resolve().parents[1] / "data" / "corpus"
TEXT = (CORPUS_DIR / "origin_of_species.txt").read_text(encoding="utf-8")
QA = json.loads((CORPUS_DIR / "qa.json").read_text(encoding="utf-8"))


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_qa_set_is_well_formed() -> None:
    assert len(QA) >= 30
    assert all(set(item) == {"question", "answer_passage_substring"} for item in QA)
    assert len({item["question"] for item in QA}) == len(QA)
    for item in QA:
        answer = item["answer_passage_substring"]
        assert TEXT.count(answer) == 1, answer  # exact and unambiguous
        assert 2 <= len(answer.split()) <= 20, answer  # short: a pointer, not a passage
        # paraphrased: the question does not quote the answer
        assert _norm(answer).lower() not in item["question"].lower()


def test_corpus_has_its_licence() -> None:
    licence = (CORPUS_DIR / "LICENSE.md").read_text(encoding="utf-8")
    assert "public domain" in licence.lower() and "#1228" in licence
    assert "Project Gutenberg" not in TEXT  # no Gutenberg marks in the text itself


def test_bm25_recall_at_5_on_paragraphs(tmp_path: Path) -> None:
    paragraphs = [_norm(p) for p in re.split(r"\n\s*\n", TEXT) if p.strip()]
    store = SqliteDocumentStore(tmp_path / "s.db")
    retriever = Bm25Retriever(store, LocalBlobStore(tmp_path / "blobs", "b"))
    scope = CourseScope("u", "c")
    retriever.index_document(
        scope, "doc", [Passage(f"doc-{i:05d}", "doc", p, 1) for i, p in enumerate(paragraphs)]
    )
    found = 0
    for item in QA:
        hits = retriever.search(scope, item["question"], limit=5)
        answer = _norm(item["answer_passage_substring"])
        found += any(answer in paragraphs[int(h.chunk_id[4:])] for h in hits)
    store.close()
    assert found / len(QA) >= 0.8
