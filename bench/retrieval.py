"""Retrieval benchmark (`nox -s bench`): recall@5 of the embedded retriever on
the QA set, document reads per search, and search latency.

The corpus (tests/data/corpus/origin_of_species.txt, public domain) goes through
the product's own text pipeline: ``extract()`` (plain text) and ``chunk()``;
the chunks are written where the ingestion writes them and indexed with
``Bm25Retriever`` on SQLite and a local blob folder in a temporary directory,
exactly as ``nox -s dev`` runs. Each question of tests/data/corpus/qa.json is
then searched through ``search_course`` (the search endpoint's code path:
retriever, then one batched read of the hit chunks and their documents), with the store wrapped in
``CountingDocumentStore``.

- recall@5: a question is a hit when any of its top-5 passages contains its
  answer substring (whitespace normalised: chunking joins lines);
- reads/search: Firestore-billed document reads per search, split into the
  retriever's own reads (zero expected) and the caller's reads of the hits;
- latency: median and p90 of the retriever's search, warm (after one search
  loaded the index into the instance cache) and cold (a new instance each time).

Results: a table on stdout and build/bench/retrieval.json. Exits non-zero when
recall@5 falls under ``--min-recall`` or the retriever reads any document.

Usage: ``python bench/retrieval.py [--k 5] [--min-recall 0.8]``
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "shared"))

from aksio.adapters.bm25_retriever import Bm25Retriever  # noqa: E402
from aksio.adapters.counting_store import CountingDocumentStore  # noqa: E402
from aksio.adapters.local_blobs import LocalBlobStore  # noqa: E402
from aksio.adapters.sqlite_store import SqliteDocumentStore  # noqa: E402
from aksio.ports.documents import MAX_BATCH_WRITES  # noqa: E402
from aksio.ports.retrieval import CourseScope, Passage  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "corpus" / "origin_of_species.txt"
QA = ROOT / "tests" / "data" / "corpus" / "qa.json"
OUT = ROOT / "build" / "bench" / "retrieval.json"
SCOPE = CourseScope("bench-user", "bench-course")
DOCUMENT_ID = "origin"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def chunk_corpus() -> tuple[list[dict[str, Any]], str]:
    """The product's chunks when its pipeline is there, else paragraphs."""
    data = CORPUS.read_bytes()
    try:
        from aksio.documents.chunking import chunk
        from aksio.documents.extract import extract
    except ImportError:  # the text pipeline is not in this checkout: paragraphs
        paragraphs = [p for p in re.split(r"\n\s*\n", data.decode()) if p.strip()]
        rows = [
            {"index": i, "page": 1, "heading": None, "text": _norm(p)}
            for i, p in enumerate(paragraphs)
        ]
        return rows, "paragraphs (fallback: aksio.documents.chunking missing)"
    chunks = chunk(extract(data, filename=CORPUS.name))
    rows = [
        {"index": c.index, "page": c.page, "heading": c.heading, "text": c.text} for c in chunks
    ]
    return rows, "aksio.documents.extract + chunking.chunk"


def measure(k: int) -> dict[str, Any]:
    qa = json.loads(QA.read_text(encoding="utf-8"))
    rows, chunker = chunk_corpus()
    with tempfile.TemporaryDirectory(prefix="aksio-bench-retrieval-") as tmp:
        inner = SqliteDocumentStore(Path(tmp) / "store.db")
        store = CountingDocumentStore(inner)
        blobs = LocalBlobStore(Path(tmp) / "blobs", "bench")
        base = SCOPE.chunks_path
        course = base.rsplit("/", 1)[0]
        passages = []
        for start in range(0, len(rows), MAX_BATCH_WRITES):  # Firestore's batch limit
            batch = store.batch()
            for row in rows[start : start + MAX_BATCH_WRITES]:
                chunk_id = f"{DOCUMENT_ID}-{row['index']:05d}"
                batch.set(
                    f"{base}/{chunk_id}",
                    {**row, "document_id": DOCUMENT_ID, "document_title": "Origin of Species"},
                )
                passages.append(
                    Passage(chunk_id, DOCUMENT_ID, row["text"], row["page"], row["heading"])
                )
            batch.commit()
        retriever = Bm25Retriever(store, blobs)
        started = time.perf_counter()
        retriever.index_document(SCOPE, DOCUMENT_ID, passages)
        index_s = time.perf_counter() - started

        retriever.search(SCOPE, "warm up", limit=k)  # load once, as an instance would
        store.reset()
        hits_ok, misses, warm_ms, retriever_reads, caller_reads = 0, [], [], 0, 0
        for item in qa:
            before = store.reads
            t0 = time.perf_counter()
            hits = retriever.search(SCOPE, item["question"], limit=k)
            warm_ms.append((time.perf_counter() - t0) * 1000)
            retriever_reads += store.reads - before
            before = store.reads
            # what the search endpoint does next: one batched read of the hits
            # and of their documents (for the current titles)
            docs = [f"{course}/documents/{d}" for d in dict.fromkeys(h.document_id for h in hits)]
            snaps = store.get_many([f"{base}/{h.chunk_id}" for h in hits] + docs)[: len(hits)]
            caller_reads += store.reads - before
            texts = [_norm(s.data["text"]) for s in snaps if s is not None]
            if any(_norm(item["answer_passage_substring"]) in t for t in texts):
                hits_ok += 1
            else:
                misses.append(item["question"])
        cold_ms = []
        for item in qa[:10]:
            fresh = Bm25Retriever(store, blobs)  # a new instance: loads the index blob
            t0 = time.perf_counter()
            fresh.search(SCOPE, item["question"], limit=k)
            cold_ms.append((time.perf_counter() - t0) * 1000)
        index_bytes = sum(b.size for b in blobs.list(Bm25Retriever.prefix(SCOPE)))
        inner.close()

    n = len(qa)
    result = {
        "corpus": CORPUS.name,
        "chunker": chunker,
        "chunks": len(rows),
        "corpus_words": len(CORPUS.read_text(encoding="utf-8").split()),
        "questions": n,
        "k": k,
        f"recall_at_{k}": round(hits_ok / n, 4),
        "retriever_document_reads_per_search": retriever_reads / n,
        "caller_document_reads_per_search": caller_reads / n,
        "warm_search_ms_median": round(statistics.median(warm_ms), 3),
        "warm_search_ms_p90": round(statistics.quantiles(warm_ms, n=10)[-1], 3),
        "cold_search_ms_median": round(statistics.median(cold_ms), 3),
        "index_build_s": round(index_s, 3),
        "index_blob_bytes": index_bytes,
        "misses": misses,
    }
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--min-recall", type=float, default=0.8)
    args = parser.parse_args()
    result = measure(args.k)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")

    print(f"Retrieval: Bm25Retriever on {result['chunks']} chunks ({result['chunker']}),")
    print(f"{result['questions']} questions")
    print(f"{'metric':<40} {'value':>12}")
    print(f"{'-' * 40} {'-' * 12}")
    for key in (
        f"recall_at_{args.k}",
        "retriever_document_reads_per_search",
        "caller_document_reads_per_search",
        "warm_search_ms_median",
        "warm_search_ms_p90",
        "cold_search_ms_median",
        "index_build_s",
        "index_blob_bytes",
    ):
        print(f"{key:<40} {result[key]:>12}")
    for question in result["misses"]:
        print(f"  miss: {question}")
    print(f"written: {OUT.relative_to(ROOT)}")
    ok = (
        result[f"recall_at_{args.k}"] >= args.min_recall
        and result["retriever_document_reads_per_search"] == 0
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
