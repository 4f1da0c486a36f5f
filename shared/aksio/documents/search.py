"""Course search: the retriever ranks chunk ids; the passages are then read
by id, with the hits' documents for their current titles (a retitle does not
rewrite the chunks), in one batch: a search costs at most two document reads
per hit whatever the course size."""

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
    document_ids = list(dict.fromkeys(h.document_id for h in hits))
    snaps = services.documents.get_many(
        [f"{base}/{h.chunk_id}" for h in hits]
        + [paths.document(uid, course_id, d) for d in document_ids]
    )
    titles = {
        d: str(s.data["title"])
        for d, s in zip(document_ids, snaps[len(hits) :], strict=True)
        if s is not None and s.data.get("title")
    }
    items = []
    for hit, snap in zip(hits, snaps[: len(hits)], strict=True):
        if snap is None:  # deleted since the index was built: skip, never fail
            continue
        items.append(
            SearchHit(
                document_id=hit.document_id,
                title=titles.get(hit.document_id) or str(snap.data.get("document_title", "")),
                page=int(snap.data.get("page", 1)),
                heading=snap.data.get("heading"),
                text=str(snap.data.get("text", "")),
                score=round(hit.score, 4),
            )
        )
    return SearchResults(items=items)
