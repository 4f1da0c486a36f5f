"""Mastery and weakest sections: pure arithmetic over cards already read.

Mastery of a section is the mean FSRS retrievability (predicted chance of
recall now) of its cards; a card never reviewed counts as 0, so adding cards
lowers mastery until they are learned. A section without cards has no
mastery (None), which is not the same as 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aksio.assessments.scheduling import CardState, retrievability
from aksio.assessments.stats import NO_SECTION
from aksio.learning.progress.aggregates import mean

WEAKEST_COUNT = 3
WEAK_MIN_SCORE = 0.1
"""Below this a section is not shown as weak even if it is the weakest."""


@dataclass(frozen=True, slots=True)
class CardMemory:
    section_id: str | None
    retrievability: float
    reviewed: bool


@dataclass(frozen=True, slots=True)
class SectionMastery:
    mastery: float | None
    cards: int
    reviewed: int


@dataclass(frozen=True, slots=True)
class Weak:
    section_id: str
    score: float
    """0..1: the mean of the signals the section has (weakness, 1 - mastery)."""
    weakness: float | None
    mastery: float | None


def card_memory(
    card: Mapping[str, Any], now: datetime, parameters: Sequence[float] | None
) -> CardMemory:
    """A stored card document's memory now (``fsrs`` holds its FSRS state)."""
    state = CardState.from_dict(card["fsrs"])
    return CardMemory(
        section_id=card.get("section_id"),
        retrievability=retrievability(state, now, parameters),
        reviewed=state.last_review is not None,
    )


def by_section(cards: Iterable[CardMemory]) -> dict[str, SectionMastery]:
    """Per section id (``NO_SECTION`` for cards without one)."""
    groups: dict[str, list[CardMemory]] = {}
    for card in cards:
        groups.setdefault(card.section_id or NO_SECTION, []).append(card)
    return {
        sid: SectionMastery(
            mastery=mean(c.retrievability for c in group),
            cards=len(group),
            reviewed=sum(1 for c in group if c.reviewed),
        )
        for sid, group in groups.items()
    }


def course_mastery(cards: Sequence[CardMemory]) -> float | None:
    return mean(c.retrievability for c in cards)


def weakest(
    section_ids: Sequence[str],
    mastery: Mapping[str, SectionMastery],
    weakness: Mapping[str, float],
    *,
    count: int = WEAKEST_COUNT,
) -> list[Weak]:
    """The weakest of ``section_ids`` (course order breaks ties). A section's
    mastery counts only once one of its cards was reviewed: unreviewed cards
    mean "not started yet", not "weak"."""
    ranked: list[tuple[float, int, Weak]] = []
    for position, sid in enumerate(section_ids):
        seen = mastery.get(sid)
        m = seen.mastery if seen is not None and seen.reviewed else None
        w = weakness.get(sid)
        signals = [s for s in (w, None if m is None else 1 - m) if s is not None]
        if not signals:
            continue
        score = sum(signals) / len(signals)
        if score >= WEAK_MIN_SCORE:
            ranked.append((-score, position, Weak(sid, score, w, m)))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return [r[2] for r in ranked[:count]]
