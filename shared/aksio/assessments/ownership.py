"""Ids a client names in a list filter must be its own, like ids anywhere else.

Lists are read from the caller's own collections, so another user's course
id could only ever list nothing; answering 404 instead tells a client that
the id is wrong (a typo, a deleted course) rather than that it is empty.
"""

from __future__ import annotations

from aksio.courses import paths as course_paths
from aksio.courses.repository import COURSE_GONE, DELETING, SECTION_GONE, course_path
from aksio.errors import NotFound
from aksio.ids import is_valid_id
from aksio.ports.documents import DocumentStore, Snapshot


def course_filter_paths(uid: str, course_id: str, section_id: str | None = None) -> list[str]:
    """The course's path, and the section's when one is given; 404 for ids
    that cannot exist."""
    found = [course_path(uid, course_id)]
    if section_id is not None:
        if not is_valid_id(section_id):
            raise NotFound(SECTION_GONE)
        found.append(course_paths.section(uid, course_id, section_id))
    return found


def require_found(snaps: list[Snapshot | None]) -> None:
    """404 unless the course (first, and live) and the section (if read) exist."""
    course = snaps[0]
    if course is None or course.data.get("status") == DELETING:
        raise NotFound(COURSE_GONE)
    if any(s is None for s in snaps[1:]):
        raise NotFound(SECTION_GONE)


def check_filter(
    store: DocumentStore, uid: str, course_id: str | None, section_id: str | None = None
) -> None:
    """404 unless ``course_id`` (when given) is the caller's live course and
    ``section_id`` (when given with it) one of its sections: one read each.
    A section filter alone cannot be located without the course (sections
    live under their course), so it filters as given."""
    if course_id is None:
        return
    require_found(store.get_many(course_filter_paths(uid, course_id, section_id)))
