"""Where courses live: ``users/{uid}/courses/{course_id}`` and below.

Everything a course owns (sections, documents, chunks, later cards, quizzes,
plans) is a descendant of the course document, and every file it owns is a
blob under ``users/{uid}/courses/{course_id}/``: deleting a course is deleting
one subtree and one prefix, with no list of kinds to keep up to date.
"""

from __future__ import annotations


def courses(uid: str) -> str:
    return f"users/{uid}/courses"


def course(uid: str, course_id: str) -> str:
    return f"{courses(uid)}/{course_id}"


def sections(uid: str, course_id: str) -> str:
    return f"{course(uid, course_id)}/sections"


def section(uid: str, course_id: str, section_id: str) -> str:
    return f"{sections(uid, course_id)}/{section_id}"


def course_counter(uid: str) -> str:
    """How many live courses the user has (the per-user limit, without a count query)."""
    return f"users/{uid}/stats/courses"


def course_blobs(uid: str, course_id: str) -> str:
    """Blob names of a course's files (uploads, search index) start with this."""
    return f"{course(uid, course_id)}/"
