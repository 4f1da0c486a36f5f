"""What the planner is told about a course: its sections in order, their size,
the student's weakness in each, and (on replan) what was already studied.

Size: documents are not linked to sections, so the words (and pages) of the
course's ready documents are shared equally among its sections. Reading the
chunks' headings to map text to sections would cost one read per chunk
(thousands for a textbook) for a guess that section titles rarely match;
an equal share costs one bounded query. A course without ready documents
leaves sizes unknown (the effort model's default per section).

Difficulty: the language model's estimate per section, 0..1
(``aksio.learning.plans.difficulty``); unknown (neutral) when it could not be
made.

Weakness: from the assessments aggregate document (quiz answers, lapses).

Everything pure here takes plain data; the readers are at the bottom.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from aksio.assessments import paths as assessment_paths
from aksio.assessments import stats
from aksio.courses.domain import MAX_SECTIONS_PER_COURSE
from aksio.courses.repository import section_query
from aksio.documents import paths as doc_paths
from aksio.learning.planning import SectionInput
from aksio.ports.documents import DocumentStore, Snapshot, collection

MAX_DOCUMENTS = 100
"""Ready documents read for a course's size (a course rarely has more)."""
DONE = frozenset({"completed", "skipped", "in_progress"})
"""Session statuses a replan keeps: the student acted on them."""


@dataclass(frozen=True, slots=True)
class SectionRef:
    section_id: str
    title: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class CourseSize:
    words: int | None
    pages: int | None


# ------------------------------------------------------------------ pure
def course_size(documents: Iterable[Mapping[str, Any]]) -> CourseSize:
    """Total words and pages of the ready documents (None: nothing known)."""
    words = pages = 0
    known_words = known_pages = False
    for doc in documents:
        w, p = _count(doc.get("word_count")), _count(doc.get("page_count"))
        if w is not None:
            words, known_words = words + w, True
        if p is not None:
            pages, known_pages = pages + p, True
    return CourseSize(
        words if known_words and words else None, pages if known_pages and pages else None
    )


def course_language(documents: Iterable[Mapping[str, Any]], default: str = "en") -> str:
    """The language most of the ready documents' chunks are in."""
    weights: dict[str, int] = {}
    for doc in documents:
        language, chunks = doc.get("language"), _count(doc.get("chunk_count"))
        if isinstance(language, str) and language:
            weights[language] = weights.get(language, 0) + max(1, chunks or 0)
    return max(weights, key=lambda k: (weights[k], k)) if weights else default


def _count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    return int(value)


def share(total: int | None, n: int) -> list[int | None]:
    """``total`` split over ``n`` sections, differing by at most one."""
    if total is None or n <= 0:
        return [None] * max(n, 0)
    base, extra = divmod(total, n)
    return [base + (1 if i < extra else 0) for i in range(n)]


def learned_minutes(sessions: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Per section, minutes of completed learn sessions (the actual minutes when given)."""
    out: dict[str, int] = {}
    for s in sessions:
        if s.get("kind") != "learn" or s.get("status") != "completed" or not s.get("section_id"):
            continue
        actual = s.get("actual_minutes")
        minutes = actual if isinstance(actual, int) and actual >= 0 else int(s.get("minutes") or 0)
        out[str(s["section_id"])] = out.get(str(s["section_id"]), 0) + minutes
    return out


def section_inputs(
    sections: Sequence[SectionRef],
    size: CourseSize,
    weakness: Mapping[str, float],
    learned: Mapping[str, int],
    difficulty: Mapping[str, float] | None = None,
) -> list[SectionInput]:
    difficulty = difficulty or {}
    words, pages = share(size.words, len(sections)), share(size.pages, len(sections))
    return [
        SectionInput(
            section_id=s.section_id,
            title=s.title,
            words=words[i],
            pages=pages[i],
            difficulty=_unit(difficulty.get(s.section_id)),
            weakness=min(1.0, max(0.0, float(weakness.get(s.section_id, 0.0)))),
            learned_minutes=learned.get(s.section_id, 0),
        )
        for i, s in enumerate(sections)
    ]


def _unit(value: float | None) -> float | None:
    """Into 0..1 (the planner refuses anything else); None stays unknown."""
    if value is None or not math.isfinite(value):
        return None
    return min(1.0, max(0.0, float(value)))


def session_date(session: Mapping[str, Any]) -> date:
    value = session.get("date")
    return value if isinstance(value, date) else date.fromisoformat(str(value))


# ------------------------------------------------------------------ readers
def read_sections(store: DocumentStore, uid: str, course_id: str) -> list[SectionRef]:
    """The course's sections in order (the caller has checked the course)."""
    snaps = store.query(section_query(uid, course_id).limit_to(MAX_SECTIONS_PER_COURSE))
    return [
        SectionRef(
            s.id,
            str(s.data.get("title") or "Section"),
            s.data.get("description") if isinstance(s.data.get("description"), str) else None,
        )
        for s in snaps
    ]


def read_documents(store: DocumentStore, uid: str, course_id: str) -> list[dict[str, Any]]:
    """The course's ready documents (bounded; one equality filter, no index needed)."""
    query = (
        collection(doc_paths.documents(uid, course_id))
        .where("status", "==", "ready")
        .limit_to(MAX_DOCUMENTS)
    )
    return [s.data for s in store.query(query)]


def read_size(store: DocumentStore, uid: str, course_id: str) -> CourseSize:
    return course_size(read_documents(store, uid, course_id))


def read_weakness(store: DocumentStore, uid: str, course_id: str) -> dict[str, float]:
    snap: Snapshot | None = store.get(assessment_paths.stats(uid))
    return stats.weakness(None if snap is None else snap.data, course_id)
