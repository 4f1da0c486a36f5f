"""How hard each section is, asked of the language model once per plan build.

Sections are not linked to documents, so a section's sample is the
retriever's best matches for its title and description (as generation picks
a section's passages): up to ``PER_SECTION`` chunks a section, at most
``MAX_READS`` chunk reads in all (one ``get_many``; a course with many
sections gets fewer per section, and past ``MAX_READS`` sections the rest stay
unknown), each cut to ``PASSAGE_WORDS`` words, so a request is bounded
whatever the course's size.

The estimate is an improvement, never a requirement: if anything fails (the
model, the retriever, a read) the plan is built with difficulty unknown and
says so in a warning. Estimates are stored on the plan
(``section_difficulty``) and reused when it is rebuilt (replan), so a replan
costs no model call and does not reshuffle effort on a second opinion; only
sections without one are asked about.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aksio.assessments.generation.passages import read_chunks, section_query
from aksio.learning.plans.inputs import SectionRef
from aksio.ports.llm import DifficultyEstimate, DifficultyRequest, SectionSample
from aksio.ports.retrieval import CourseScope

if TYPE_CHECKING:
    from aksio.composition import Services

log = logging.getLogger("aksio.learning.plans")

PER_SECTION = 3
MAX_READS = 60
PASSAGE_WORDS = 150
"""Enough prose to judge how a section reads; 60 of them are ~12k tokens."""
WARNING = "Section difficulty could not be estimated; effort uses document size only."


@dataclass(frozen=True, slots=True)
class Rated:
    section_id: str
    difficulty: float
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"section_id": self.section_id, "difficulty": self.difficulty, "reason": self.reason}


# ------------------------------------------------------------------ pure
def per_section(sections: int) -> int:
    """Chunks sampled per section so that all of them fit ``MAX_READS``."""
    return max(1, min(PER_SECTION, MAX_READS // max(1, sections)))


def clip(text: str, words: int = PASSAGE_WORDS) -> str:
    return " ".join(text.split()[:words])


def accepted(estimates: Sequence[DifficultyEstimate], asked: Sequence[str]) -> dict[str, Rated]:
    """Model output as data: sections not asked about and repeats dropped,
    non-finite values dropped, the rest clamped into 0..1."""
    wanted = set(asked)
    out: dict[str, Rated] = {}
    for e in estimates:
        value = float(e.difficulty)
        if e.section_id not in wanted or e.section_id in out or not math.isfinite(value):
            continue
        out[e.section_id] = Rated(e.section_id, round(min(1.0, max(0.0, value)), 3), e.reason)
    return out


def stored(plan: Mapping[str, Any]) -> dict[str, Rated]:
    """The estimates a plan holds from an earlier build."""
    out: dict[str, Rated] = {}
    for item in plan.get("section_difficulty") or []:
        if not isinstance(item, Mapping):
            continue
        value = item.get("difficulty")
        if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1:
            sid = str(item.get("section_id"))
            out[sid] = Rated(sid, float(value), str(item.get("reason") or ""))
    return out


# ------------------------------------------------------------------ I/O
def samples(
    services: Services, uid: str, course_id: str, sections: Sequence[SectionRef]
) -> list[SectionSample]:
    """Each section's best-matching chunks (bounded, see the module doc)."""
    k = per_section(len(sections))
    chosen = list(sections)[: MAX_READS // k]
    scope = CourseScope(uid, course_id)
    hits = {
        s.section_id: [
            h.chunk_id
            for h in services.retriever.search(scope, section_query(s.title, s.description), k)
        ][:k]
        for s in chosen
    }
    ids = [i for found in hits.values() for i in found]
    texts = {
        p.passage_id: clip(p.text)
        for p in read_chunks(services.documents, uid, course_id, ids[:MAX_READS])
    }
    return [
        SectionSample(s.section_id, s.title, [texts[i] for i in hits[s.section_id] if i in texts])
        for s in chosen
    ]


def estimate(
    services: Services,
    uid: str,
    course_id: str,
    sections: Sequence[SectionRef],
    *,
    language: str,
    course_title: str | None,
    previous: Mapping[str, Rated],
) -> tuple[dict[str, Rated], str | None]:
    """Difficulty per section (only those known) and the warning to add, if any."""
    known = {s.section_id: previous[s.section_id] for s in sections if s.section_id in previous}
    missing = [s for s in sections if s.section_id not in known]
    if not missing:
        return known, None
    try:
        asked = [s for s in samples(services, uid, course_id, missing) if s.passages]
        if not asked:
            return known, None  # no text to judge (no documents yet): nothing to warn about
        request = DifficultyRequest(asked, language=language, course_title=course_title)
        found = services.language_model.estimate_difficulty(request)
        known |= accepted(found, [s.section_id for s in asked])
    except Exception as exc:  # an estimate is optional; the plan is not
        log.warning(
            "section difficulty not estimated",
            extra={"uid": uid, "course": course_id, "error": f"{type(exc).__name__}: {exc}"},
        )
        return known, WARNING
    return known, None
