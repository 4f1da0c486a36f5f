"""Embedded lexical retrieval: one ``bm25s`` index per course, kept in the blob store.

Layout (under the course, so deleting the course or the account removes it, and
outside ``documents/``, so the storage trigger ignores it)::

    users/{uid}/courses/{cid}/index/bm25/docs/{document_id}.json.gz   tokens of one document
    users/{uid}/courses/{cid}/index/bm25/index.zip                    the course's index

Why per-document token files, not a query over the chunks collection: a rebuild
then costs zero document reads (a query would bill one read per chunk of the
course on every upload, quadratic over a term), unchanged documents are never
tokenised again, and the retriever depends on nothing but the passages it is
given. Blob reads are an order of magnitude cheaper than document reads.

Concurrency (two documents of one course ingested at once, on any instances):
every writer first writes its own token file, then rebuilds from a listing of
all token files, writes the index with that listing (names and generations) in
its manifest, and lists again. If the listing changed meanwhile it rebuilds.
Whoever changed a token file after our listing rebuilds after that change
itself, so the last index written always covers every token file: no writer
drops another's passages, without locks or blob preconditions.

Search reads no document at all: the index maps rows to chunk and document ids.
Each instance caches loaded indexes keyed by the index blob's generation, so one
metadata request per search notices a rebuild made elsewhere.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import re
import tempfile
import threading
import unicodedata
import zipfile
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aksio.ids import ID_PATTERN
from aksio.ports.blobs import BlobNotFound, BlobStore
from aksio.ports.documents import DocumentStore
from aksio.ports.retrieval import CourseScope, Hit, Passage

if TYPE_CHECKING:  # heavy imports stay out of module import (cold starts)
    import bm25s  # type: ignore[import-untyped]

log = logging.getLogger("aksio.retrieval")

FORMAT = 1
TOKENIZER_ID = "v1:nfkd-fold,casefold,en-stop-179,snowball-english"
"""Stored with every token file and index: tokens made by another tokenizer
would silently never match, so a change here must come with a re-index."""

_ID = re.compile(ID_PATTERN)
# Letters and digits of any script; apostrophes split ("don't" -> "don", "t").
_WORD = re.compile(r"[^\W_]+")
_MAX_QUERY_CHARS = 2_000  # a query is a question, not a document: bound the work


class Tokenizer:
    """Casefold, strip accents, drop stop words, stem (Snowball via PyStemmer).

    Accent folding and Unicode word matching keep it usable for other
    Latin-script languages; the stemmer and stop words are parameters.
    """

    def __init__(
        self, *, language: str = "english", stopwords: Iterable[str] | None = None
    ) -> None:
        import Stemmer  # type: ignore[import-not-found]

        if stopwords is None:
            from bm25s.stopwords import STOPWORDS_EN_PLUS  # type: ignore[import-untyped]

            stopwords = STOPWORDS_EN_PLUS
        self._stemmer = Stemmer.Stemmer(language)
        self._stop = frozenset(_fold(w) for w in stopwords)

    def tokens(self, text: str) -> list[str]:
        words = [
            w
            for w in _WORD.findall(_fold(text))
            if w not in self._stop and (len(w) > 1 or w.isdigit())
        ]
        stems: list[str] = self._stemmer.stemWords(words)
        return stems


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class _Loaded:
    generation: int
    model: bm25s.BM25
    chunk_ids: list[str]
    document_ids: list[str]


class Bm25Retriever:
    """The embedded Retriever. ``documents`` is kept for the port's wiring but
    never read: indexing and search cost zero document reads."""

    def __init__(
        self,
        documents: DocumentStore,
        blobs: BlobStore,
        *,
        tokenizer: Tokenizer | None = None,
        max_rebuilds: int = 8,
        cache_size: int = 32,
    ) -> None:
        self.documents = documents
        self.blobs = blobs
        self._tokenizer = tokenizer
        self.max_rebuilds = max_rebuilds
        self.cache_size = cache_size
        self._cache: OrderedDict[CourseScope, _Loaded] = OrderedDict()
        self._lock = threading.Lock()

    @cached_property
    def tokenizer(self) -> Tokenizer:
        # Built on first use: a function that never indexes or searches pays nothing.
        return self._tokenizer or Tokenizer()

    # ------------------------------------------------------------ names
    @staticmethod
    def prefix(scope: CourseScope) -> str:
        return f"users/{scope.uid}/courses/{scope.course_id}/index/bm25/"

    def _docs_prefix(self, scope: CourseScope) -> str:
        return self.prefix(scope) + "docs/"

    def _doc_blob(self, scope: CourseScope, document_id: str) -> str:
        if not _ID.match(document_id):
            raise ValueError(f"invalid document id: {document_id!r}")
        return f"{self._docs_prefix(scope)}{document_id}.json.gz"

    def _index_blob(self, scope: CourseScope) -> str:
        return self.prefix(scope) + "index.zip"

    # ------------------------------------------------------------ port
    def index_document(
        self, scope: CourseScope, document_id: str, passages: Sequence[Passage]
    ) -> None:
        name = self._doc_blob(scope, document_id)
        rows = [
            [p.chunk_id, self.tokenizer.tokens(_passage_text(p))]
            for p in passages
            if p.document_id == document_id
        ]
        if len(rows) != len(passages):
            raise ValueError("every passage must belong to the document being indexed")
        if not rows:  # no text (a scanned PDF): nothing of it is searchable
            self.remove_document(scope, document_id)
            return
        body = {"format": FORMAT, "tokenizer": TOKENIZER_ID, "document_id": document_id}
        payload = json.dumps({**body, "chunks": rows}, separators=(",", ":")).encode()
        # mtime=0: the same passages give the same bytes (no spurious diffs in dev folders)
        self.blobs.put(name, gzip.compress(payload, mtime=0), content_type="application/gzip")
        self._rebuild(scope)

    def remove_document(self, scope: CourseScope, document_id: str) -> None:
        self.blobs.delete(self._doc_blob(scope, document_id))
        self._rebuild(scope)

    def remove_course(self, scope: CourseScope) -> None:
        self.blobs.delete_prefix(self.prefix(scope))
        with self._lock:
            self._cache.pop(scope, None)

    def search(self, scope: CourseScope, query: str, limit: int = 5) -> list[Hit]:
        if limit <= 0:
            return []
        tokens = list(dict.fromkeys(self.tokenizer.tokens(query[:_MAX_QUERY_CHARS])))
        if not tokens:
            return []
        loaded = self._load(scope)
        if loaded is None:
            return []
        model = loaded.model
        k = min(limit, len(loaded.chunk_ids))
        rows, scores = model.retrieve([tokens], k=k, show_progress=False, n_threads=0)
        hits = []
        for row, score in zip(rows[0].tolist(), scores[0].tolist(), strict=True):
            if score > 0.0:  # zero: not one query term in the passage
                hits.append(Hit(loaded.chunk_ids[row], loaded.document_ids[row], float(score)))
        return hits

    # ------------------------------------------------------------ rebuild
    def _rebuild(self, scope: CourseScope) -> None:
        for _ in range(self.max_rebuilds):
            sources = self._sources(scope)
            rows = self._read_sources(sources)
            if rows is None:  # a token file vanished while we read: look again
                continue
            self._write_index(scope, sources, rows)
            if self._sources(scope) == sources:
                return
        # Someone changed a token file after our last listing: that writer rebuilds
        # after its own change, so its index will include ours. Safe to stop.
        log.warning(
            "bm25 index still changing after %d rebuilds; leaving it to the other writer",
            self.max_rebuilds,
            extra={"course": scope.course_id},
        )

    def _sources(self, scope: CourseScope) -> dict[str, int]:
        return {b.name: b.generation for b in self.blobs.list(self._docs_prefix(scope))}

    def _read_sources(self, sources: dict[str, int]) -> list[tuple[str, str, list[str]]] | None:
        rows: list[tuple[str, str, list[str]]] = []
        for name in sorted(sources):  # sorted: the same sources give the same index
            try:
                data = json.loads(gzip.decompress(self.blobs.get(name)))
            except BlobNotFound:
                return None
            if data.get("tokenizer") != TOKENIZER_ID:
                log.warning("token file made by another tokenizer: %s", name)
            document_id = str(data["document_id"])
            rows.extend((str(cid), document_id, list(toks)) for cid, toks in data["chunks"])
        return rows

    def _write_index(
        self,
        scope: CourseScope,
        sources: dict[str, int],
        rows: list[tuple[str, str, list[str]]],
    ) -> None:
        name = self._index_blob(scope)
        if not rows:
            self.blobs.delete(name)
            with self._lock:
                self._cache.pop(scope, None)
            return
        import bm25s

        model = bm25s.BM25()
        # bm25s needs one token per document at least; "" is its own empty token.
        model.index([toks or [""] for _, _, toks in rows], show_progress=False)
        chunk_ids = [cid for cid, _, _ in rows]
        document_ids = [did for _, did, _ in rows]
        manifest = {
            "format": FORMAT,
            "tokenizer": TOKENIZER_ID,
            "sources": sources,
            "chunk_ids": chunk_ids,
            "document_ids": document_ids,
        }
        info = self.blobs.put(name, _pack(model, manifest), content_type="application/zip")
        # This instance already holds what it wrote: no reload on its next search.
        self._remember(
            scope,
            _Loaded(info.generation, model, chunk_ids, document_ids),
        )

    # ------------------------------------------------------------ search-side cache
    def _load(self, scope: CourseScope) -> _Loaded | None:
        name = self._index_blob(scope)
        info = self.blobs.info(name)
        if info is None:
            with self._lock:
                self._cache.pop(scope, None)
            return None
        with self._lock:
            cached = self._cache.get(scope)
            if cached is not None and cached.generation == info.generation:
                self._cache.move_to_end(scope)
                return cached
        try:
            data = self.blobs.get(name)
        except BlobNotFound:  # deleted between info and get
            return None
        # The bytes may be newer than ``info``: then the next search reloads once.
        loaded = _unpack(data, info.generation)
        self._remember(scope, loaded)
        return loaded

    def _remember(self, scope: CourseScope, loaded: _Loaded) -> None:
        with self._lock:
            current = self._cache.get(scope)
            if current is not None and current.generation > loaded.generation:
                return  # never replace a newer index with an older one
            self._cache[scope] = loaded
            self._cache.move_to_end(scope)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)


def _passage_text(p: Passage) -> str:
    # The heading names the topic even when the passage never repeats it.
    return f"{p.heading}\n{p.text}" if p.heading else p.text


_MANIFEST = "aksio-manifest.json"


def _pack(model: bm25s.BM25, manifest: dict[str, Any]) -> bytes:
    """One blob (atomic to replace, one request to read): bm25s's own save
    files plus our manifest, in a zip."""
    out = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="aksio-bm25-") as tmp:
        model.save(tmp, show_progress=False)
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(Path(tmp).iterdir()):
                zf.write(path, path.name)
            zf.writestr(_MANIFEST, json.dumps(manifest, separators=(",", ":")))
    return out.getvalue()


def _unpack(data: bytes, generation: int) -> _Loaded:
    import bm25s

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        manifest = json.loads(zf.read(_MANIFEST))
        if manifest.get("format") != FORMAT:
            raise ValueError(f"unsupported bm25 index format: {manifest.get('format')!r}")
        with tempfile.TemporaryDirectory(prefix="aksio-bm25-") as tmp:
            for member in zf.namelist():
                if member != _MANIFEST and "/" not in member:  # flat files only
                    (Path(tmp) / member).write_bytes(zf.read(member))
            model = bm25s.BM25.load(tmp, show_progress=False)
    return _Loaded(generation, model, manifest["chunk_ids"], manifest["document_ids"])
