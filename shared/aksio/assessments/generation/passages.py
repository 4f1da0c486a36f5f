"""Which passages a generation request sends to the language model.

Bounded by construction: at most ``PASSAGES_PER_ITEM`` passages per
requested item (capped at ``MAX_PASSAGES``) and ``WORD_BUDGET`` words, read
with one ``get_many`` of known chunk ids, never by streaming a whole book.
Chunk ids are deterministic (``{document_id}-{index:05d}``, indices
``0..chunk_count-1``), so "spread evenly over the document" is arithmetic on
the document's ``chunk_count``: a 400-page book contributes passages from its
first, middle and last chapters alike, not only its opening pages.

- a document: passages spread evenly over it;
- a section: passages spread over the documents linked to it; for a section
  without ready linked documents, the retriever's best matches for its title
  and description, from any of the course's documents;
- the whole course: passages allotted to the ready documents in proportion
  to their length, each share spread evenly over its document.

The distractor vocabulary is the key terms of the passages plus a spread
sample of the course (``VOCABULARY_SAMPLE`` chunks).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aksio.documents import paths as doc_paths
from aksio.ports.documents import DocumentStore, Snapshot, collection
from aksio.ports.llm import SourcePassage
from aksio.ports.retrieval import CourseScope, Retriever

PASSAGES_PER_ITEM = 2
MIN_PASSAGES = 3
MAX_PASSAGES = 40
WORD_BUDGET = 9000
"""About 12k tokens: a fraction of any current model's context, and a bounded cost per request."""
MAX_PASSAGE_CHARS = 4000
"""Chunks hold at most ~300 words; this only guards against pathological tokens."""
VOCABULARY_SAMPLE = 24
VOCABULARY_SIZE = 30
MAX_DOCUMENTS = 100
"""Ready documents considered for a course-wide sample (a course rarely has more)."""


# ------------------------------------------------------------------ pure
def passage_target(count: int) -> int:
    """How many passages to send for ``count`` requested items."""
    return max(MIN_PASSAGES, min(MAX_PASSAGES, PASSAGES_PER_ITEM * count))


def spread(total: int, k: int) -> list[int]:
    """``k`` indices of ``0..total-1`` spread evenly (the middle of ``k`` equal
    stretches), in order and distinct; all of them when ``k >= total``."""
    if total <= 0 or k <= 0:
        return []
    if k >= total:
        return list(range(total))
    return [(2 * i + 1) * total // (2 * k) for i in range(k)]


def allocate(sizes: Mapping[str, int], k: int) -> dict[str, int]:
    """Share ``k`` slots among items in proportion to their sizes (largest
    remainder), never giving one more than its size; items in input order."""
    sizes = {key: n for key, n in sizes.items() if n > 0}
    total = sum(sizes.values())
    if total <= k:
        return dict(sizes)
    exact = {key: k * n / total for key, n in sizes.items()}
    shares = {key: int(v) for key, v in exact.items()}
    left = k - sum(shares.values())
    by_remainder = sorted(sizes, key=lambda key: (shares[key] - exact[key], list(sizes).index(key)))
    for key in by_remainder[:left]:
        shares[key] += 1
    return {key: n for key, n in shares.items() if n}


def fit_budget(passages: Sequence[SourcePassage], budget: int = WORD_BUDGET) -> list[SourcePassage]:
    """Drop passages, keeping the rest spread, until the words fit ``budget``."""
    kept = list(passages)
    while len(kept) > 1 and sum(_words(p.text) for p in kept) > budget:
        kept = [kept[i] for i in spread(len(kept), len(kept) - 1)]
    return kept


def _words(text: str) -> int:
    return len(text.split())


def to_passage(snap: Snapshot) -> SourcePassage | None:
    """A stored chunk as a passage the model may cite (None if it holds no text)."""
    data = snap.data
    text = str(data.get("text") or "").strip()
    document_id = data.get("document_id")
    if not text or not isinstance(document_id, str):
        return None
    page = data.get("page")
    heading = data.get("heading")
    title = data.get("document_title")
    return SourcePassage(
        passage_id=snap.id,
        document_id=document_id,
        text=text[:MAX_PASSAGE_CHARS],
        page=page if isinstance(page, int) and page >= 1 else None,
        heading=heading if isinstance(heading, str) and heading else None,
        document_title=title if isinstance(title, str) else None,
    )


# ------------------------------------------------------------------ reads
@dataclass(frozen=True)
class ReadyDocument:
    id: str
    chunk_count: int
    language: str | None
    section_id: str | None = None
    """The section the document is linked to, as stored (may name a deleted one)."""


def ready_documents(
    store: DocumentStore, uid: str, course_id: str, *, limit: int = MAX_DOCUMENTS
) -> list[ReadyDocument]:
    """The course's processed documents (bounded; one equality filter, no index needed)."""
    query = (
        collection(doc_paths.documents(uid, course_id))
        .where("status", "==", "ready")
        .limit_to(limit)
    )
    return [as_ready(s) for s in store.query(query)]


def as_ready(snap: Snapshot) -> ReadyDocument:
    language = snap.data.get("language")
    section_id = snap.data.get("section_id")
    return ReadyDocument(
        id=snap.id,
        chunk_count=int(snap.data.get("chunk_count") or 0),
        language=language if isinstance(language, str) else None,
        section_id=section_id if isinstance(section_id, str) else None,
    )


def read_chunks(
    store: DocumentStore, uid: str, course_id: str, ids: Sequence[str]
) -> list[SourcePassage]:
    """The chunks with these ids that exist and hold text, in the order asked."""
    base = doc_paths.chunks(uid, course_id)
    ids = list(dict.fromkeys(ids))
    found = store.get_many([f"{base}/{i}" for i in ids]) if ids else []
    return [p for p in (to_passage(s) for s in found if s is not None) if p is not None]


def spread_ids(documents: Sequence[ReadyDocument], k: int) -> list[str]:
    """Chunk ids: ``k`` slots shared among the documents, spread within each."""
    shares = allocate({d.id: d.chunk_count for d in documents}, k)
    counts = {d.id: d.chunk_count for d in documents}
    return [
        doc_paths.chunk_id(doc_id, i)
        for doc_id, share in shares.items()
        for i in spread(counts[doc_id], share)
    ]


def document_passages(
    store: DocumentStore, uid: str, course_id: str, document: ReadyDocument, count: int
) -> list[SourcePassage]:
    ids = spread_ids([document], passage_target(count))
    return fit_budget(read_chunks(store, uid, course_id, ids))


def course_passages(
    store: DocumentStore,
    uid: str,
    course_id: str,
    documents: Sequence[ReadyDocument],
    count: int,
) -> list[SourcePassage]:
    ids = spread_ids(documents, passage_target(count))
    return fit_budget(read_chunks(store, uid, course_id, ids))


def section_query(title: str, description: str | None) -> str:
    return f"{title}. {description}" if description else title


def section_passages(
    store: DocumentStore,
    retriever: Retriever,
    uid: str,
    course_id: str,
    *,
    title: str,
    description: str | None,
    count: int,
) -> list[SourcePassage]:
    """The passages that best match the section, best first."""
    hits = retriever.search(
        CourseScope(uid, course_id), section_query(title, description), passage_target(count)
    )
    return fit_budget(read_chunks(store, uid, course_id, [h.chunk_id for h in hits]))


def vocabulary_texts(
    store: DocumentStore,
    uid: str,
    course_id: str,
    documents: Sequence[ReadyDocument],
    passages: Sequence[SourcePassage],
) -> list[str]:
    """Texts to draw the course's key terms from: the passages themselves and a
    spread sample of the course, skipping chunks already among the passages."""
    have = {p.passage_id for p in passages}
    sample = [i for i in spread_ids(documents, VOCABULARY_SAMPLE) if i not in have]
    extra = read_chunks(store, uid, course_id, sample) if len(have) < VOCABULARY_SAMPLE else []
    return [p.text for p in (*passages, *extra)]


def main_language(documents: Sequence[ReadyDocument], default: str = "en") -> str:
    """The language most of the course's text is in (by chunks)."""
    weights: Counter[str] = Counter()
    for d in documents:
        if d.language:
            weights[d.language] += max(1, d.chunk_count)
    return weights.most_common(1)[0][0] if weights else default
