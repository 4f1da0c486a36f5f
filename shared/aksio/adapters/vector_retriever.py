"""Production retrieval: OpenAI embeddings on the chunk documents, Firestore vector search.

index_document embeds the passages and writes ``embedding`` (a Firestore Vector)
onto the chunk documents the ingestion already wrote; search embeds the query and
runs one ``find_nearest`` over the course's chunks collection (cosine distance,
flat vector index declared in ``firestore.indexes.json``). A search costs
``limit`` document reads plus one embedding request, whatever the course size.

``google.cloud.firestore`` and ``openai`` are imported lazily, here and in
``aksio.adapters.openai_embeddings`` only.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from aksio.ports.retrieval import CourseScope, Hit, Passage

if TYPE_CHECKING:
    from aksio.config import Settings

log = logging.getLogger("aksio.retrieval")

VECTOR_FIELD = "embedding"
DISTANCE_FIELD = "distance"
MODEL_FIELD = "embedding_model"
MAX_BATCH_WRITES = 500  # Firestore's limit per commit
MAX_LIMIT = 1000  # find_nearest's limit
_MAX_QUERY_CHARS = 2_000


class Embedder(Protocol):
    model: str
    dimensions: int

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


class VectorRetriever:
    def __init__(self, firestore_client: Any, embedder: Embedder, *, min_score: float = 0.0):
        self.client = firestore_client
        self.embedder = embedder
        self.min_score = min_score
        """Hits scoring at or below this are dropped (cosine similarity; 0 = unrelated)."""

    @property
    def model_tag(self) -> str:
        # Vectors of another model or size are not comparable: tag what wrote them.
        return f"{self.embedder.model}@{self.embedder.dimensions}"

    def index_document(
        self, scope: CourseScope, document_id: str, passages: Sequence[Passage]
    ) -> None:
        from google.api_core import exceptions as gexc
        from google.cloud.firestore_v1.vector import Vector

        if any(p.document_id != document_id for p in passages):
            raise ValueError("every passage must belong to the document being indexed")
        wanted = [p for p in passages if p.text.strip()]  # nothing to embed otherwise
        vectors = self.embedder.embed([_passage_text(p) for p in wanted]) if wanted else []
        chunks = self.client.collection(scope.chunks_path)
        updates = [
            (chunks.document(p.chunk_id), {VECTOR_FIELD: Vector(v), MODEL_FIELD: self.model_tag})
            for p, v in zip(wanted, vectors, strict=True)
        ]
        for start in range(0, len(updates), MAX_BATCH_WRITES):
            part = updates[start : start + MAX_BATCH_WRITES]
            batch = self.client.batch()
            for ref, fields in part:
                batch.update(ref, fields)  # update: never create a chunk the store lacks
            try:
                batch.commit()
            except gexc.NotFound:
                # A chunk vanished (a newer version of the document replaced it):
                # write the others one by one, skip the missing.
                for ref, fields in part:
                    try:
                        ref.update(fields)
                    except gexc.NotFound:
                        log.info("chunk gone before its embedding was written: %s", ref.id)

    def remove_document(self, scope: CourseScope, document_id: str) -> None:
        """Make the document's remaining chunks unsearchable (its chunks are
        normally deleted by the caller; this covers any left behind)."""
        from google.cloud import firestore
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = self.client.collection(scope.chunks_path).where(
            filter=FieldFilter("document_id", "==", document_id)
        )
        refs = [snap.reference for snap in query.stream()]
        for start in range(0, len(refs), MAX_BATCH_WRITES):
            batch = self.client.batch()
            for ref in refs[start : start + MAX_BATCH_WRITES]:
                batch.update(ref, {VECTOR_FIELD: firestore.DELETE_FIELD})
            batch.commit()

    def remove_course(self, scope: CourseScope) -> None:
        # The vectors live on the chunk documents: deleting the course deletes them.
        return None

    def nearest_query(self, scope: CourseScope, vector: Sequence[float], limit: int) -> Any:
        """The one query a search runs (public so tests can check its wire form)."""
        from google.cloud.firestore_v1.base_vector_query import DistanceMeasure
        from google.cloud.firestore_v1.vector import Vector

        return self.client.collection(scope.chunks_path).find_nearest(
            vector_field=VECTOR_FIELD,
            query_vector=Vector(vector),
            distance_measure=DistanceMeasure.COSINE,
            limit=limit,
            distance_result_field=DISTANCE_FIELD,
        )

    def search(self, scope: CourseScope, query: str, limit: int = 5) -> list[Hit]:
        text = query[:_MAX_QUERY_CHARS]
        if limit <= 0 or not text.strip():
            return []
        limit = min(limit, MAX_LIMIT)
        [vector] = self.embedder.embed([text])
        hits = []
        for snap in self.nearest_query(scope, vector, limit).get():
            data = snap.to_dict() or {}
            distance = data.get(DISTANCE_FIELD)
            if not isinstance(distance, int | float):
                log.warning("vector search result without a distance: %s", snap.id)
                continue
            score = 1.0 - float(distance)  # cosine distance is 1 - cosine similarity
            if score > self.min_score:
                hits.append(Hit(snap.id, str(data.get("document_id", "")), score))
        # Firestore returns nearest first; sorting and trimming again costs nothing.
        hits.sort(key=lambda h: h.score, reverse=True)
        return hits[:limit]


def _passage_text(p: Passage) -> str:
    return f"{p.heading}\n{p.text}" if p.heading else p.text


def build_vector_retriever(settings: Settings) -> VectorRetriever:
    """The production wiring (``AKSIO_RETRIEVER=vector``)."""
    from google.cloud import firestore

    from aksio.adapters.openai_embeddings import OpenAIEmbeddings

    client = firestore.Client(project=settings.project_id, database=settings.firestore_database)
    embedder = OpenAIEmbeddings(
        api_key=settings.openai_api_key,
        model=settings.embedding_model,
        dimensions=settings.embedding_dimensions,
    )
    return VectorRetriever(client, embedder)
