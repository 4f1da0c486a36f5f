"""Course search: the retriever ranks chunk ids; the passages are then read
by id, so a search costs one document read per hit whatever the course size."""

from __future__ import annotations

from aksio.composition import Services
from aksio.documents import paths
from aksio.documents.models import SearchHit, SearchResults
from aksio.ports.retrieval import CourseScope


def search_course(
    services: Services, uid: str, course_id: str, q: str, limit: int
) -> SearchResults:
    hits = services.retriever.search(CourseScope(uid, course_id), q, limit)
    base = paths.chunks(uid, course_id)
    snaps = services.documents.get_many([f"{base}/{h.chunk_id}" for h in hits])
    items = []
    for hit, snap in zip(hits, snaps, strict=True):
        if snap is None:  # deleted since the index was built: skip, never fail
            continue
        items.append(
            SearchHit(
                document_id=hit.document_id,
                title=str(snap.data.get("document_title", "")),
                page=int(snap.data.get("page", 1)),
                heading=snap.data.get("heading"),
                text=str(snap.data.get("text", "")),
                score=round(hit.score, 4),
            )
        )
    return SearchResults(items=items)
