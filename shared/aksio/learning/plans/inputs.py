"""What the planner is told about a course: its sections in order, their size,
the student's weakness in each, and (on replan) what was already studied.

Size: a document may belong to one section (its ``section_id``, set at upload
or by PATCH). A section's words (and pages) are those of the ready documents
linked to it, plus an equal share of the ready documents linked to no section
(or to a section no longer there: readers never trust a link blindly). A
course with no linked documents is therefore shared equally, as before links
existed. Everything comes from the document records: one bounded query, never
the chunks (thousands for a textbook). A section with no linked document and
nothing shared to take from (or a course without ready documents) has an
unknown size: the effort model's default per section.

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
def section_sizes(
    sections: Sequence[SectionRef], documents: Iterable[Mapping[str, Any]]
) -> dict[str, CourseSize]:
    """Per section id: its linked ready documents' size plus an equal share of
    the unlinked ones (documents whose section is not in ``sections`` count as
    unlinked)."""
    known = {s.section_id for s in sections}
    linked: dict[str, list[Mapping[str, Any]]] = {}
    unlinked: list[Mapping[str, Any]] = []
    for doc in documents:
        section_id = doc.get("section_id")
        if isinstance(section_id, str) and section_id in known:
            linked.setdefault(section_id, []).append(doc)
        else:
            unlinked.append(doc)
    common = course_size(unlinked)
    words, pages = share(common.words, len(sections)), share(common.pages, len(sections))
    sizes = {}
    for i, s in enumerate(sections):
        own = course_size(linked.get(s.section_id, ()))
        sizes[s.section_id] = CourseSize(_plus(own.words, words[i]), _plus(own.pages, pages[i]))
    return sizes


def _plus(a: int | None, b: int | None) -> int | None:
    """Known counts add up; unknown only when both are."""
    return None if a is None and b is None else (a or 0) + (b or 0)


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


def booked_minutes(sessions: Iterable[Mapping[str, Any]], start: date) -> dict[date, int]:
    """Per date from ``start`` on, the planned minutes of sessions a replan keeps
    because the student already did or began them (worked ahead): the new
    sessions of that day get only the rest. A skipped session frees its time."""
    out: dict[date, int] = {}
    for s in sessions:
        day = session_date(s)
        if day >= start and s.get("status") in ("completed", "in_progress"):
            out[day] = out.get(day, 0) + int(s.get("minutes") or 0)
    return out


def section_inputs(
    sections: Sequence[SectionRef],
    sizes: Mapping[str, CourseSize],
    weakness: Mapping[str, float],
    learned: Mapping[str, int],
    difficulty: Mapping[str, float] | None = None,
) -> list[SectionInput]:
    """One planner input per section, in order; ``sizes`` from ``section_sizes``
    (a section missing from it has an unknown size)."""
    difficulty = difficulty or {}
    unknown = CourseSize(None, None)
    return [
        SectionInput(
            section_id=s.section_id,
            title=s.title,
            words=sizes.get(s.section_id, unknown).words,
            pages=sizes.get(s.section_id, unknown).pages,
            difficulty=_unit(difficulty.get(s.section_id)),
            weakness=min(1.0, max(0.0, float(weakness.get(s.section_id, 0.0)))),
            learned_minutes=learned.get(s.section_id, 0),
        )
        for s in sections
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


def read_sizes(
    store: DocumentStore, uid: str, course_id: str, sections: Sequence[SectionRef]
) -> dict[str, CourseSize]:
    return section_sizes(sections, read_documents(store, uid, course_id))


def read_weakness(store: DocumentStore, uid: str, course_id: str) -> dict[str, float]:
    snap: Snapshot | None = store.get(assessment_paths.stats(uid))
    return stats.weakness(None if snap is None else snap.data, course_id)
