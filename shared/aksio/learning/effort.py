"""How many minutes a section takes to learn, and how long its reviews are.

Reading speed times a study factor gives the time to work through material
(read, take notes, try the examples), from the section's words or, when only
its pages are known, from a typical words-per-page figure. Harder sections
(the language model's estimate) and weaker ones (quiz results, card lapses)
get proportionally more time. Minutes are rounded up to 5 so plans read
naturally.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aksio.learning.planning import SectionInput

WORDS_PER_MINUTE = 200
"""Reading speed of dense study material."""
STUDY_FACTOR = 2.5
"""Studying takes this many times the plain reading time."""
WORDS_PER_PAGE = 300
"""Used when a section's pages are known but its words are not."""
UNKNOWN_SIZE_MINUTES = 60
"""A section with neither words nor pages (e.g. still being uploaded)."""
MIN_SECTION_MINUTES = 20
MAX_SECTION_MINUTES = 100 * 60
"""A 100-hour ceiling keeps one mis-sized document from swallowing a plan."""
DIFFICULTY_SPAN = 0.5
"""Difficulty 0..1 scales effort by 0.75..1.25; unknown difficulty is 1.0."""
WEAKNESS_BOOST = 0.6
"""Weakness 0..1 scales effort by 1.0..1.6."""
REVIEW_SHARE = 0.15
"""A review takes this share of the section's full effort ..."""
REVIEW_CAP_MINUTES = 30
"""... but at most this long (a review refreshes, it does not relearn)."""


def _round_up(minutes: float, step: int = 5) -> int:
    return math.ceil(minutes / step - 1e-9) * step


def base_minutes(words: int | None, pages: int | None) -> float:
    """Study minutes for the material's size alone."""
    if words is not None and words > 0:
        return words / WORDS_PER_MINUTE * STUDY_FACTOR
    if pages is not None and pages > 0:
        return pages * WORDS_PER_PAGE / WORDS_PER_MINUTE * STUDY_FACTOR
    if words == 0 or pages == 0:
        return 0.0  # known to be empty: the minimum applies
    return float(UNKNOWN_SIZE_MINUTES)


def full_minutes(section: SectionInput) -> int:
    """Minutes to learn the whole section from scratch."""
    difficulty = 0.5 if section.difficulty is None else section.difficulty
    factor = (1 - DIFFICULTY_SPAN / 2 + DIFFICULTY_SPAN * difficulty) * (
        1 + WEAKNESS_BOOST * section.weakness
    )
    raw = max(base_minutes(section.words, section.pages), MIN_SECTION_MINUTES) * factor
    return min(_round_up(raw), MAX_SECTION_MINUTES)


def remaining_minutes(section: SectionInput, min_session_minutes: int) -> int:
    """Learn minutes still to plan: 0 when learned, else at least one session.

    A remainder shorter than the shortest session is rounded up to it, since
    no session may be shorter.
    """
    if section.learned:
        return 0
    left = full_minutes(section) - section.learned_minutes
    if left <= 0:
        return 0
    return max(left, min_session_minutes)


def review_minutes(
    section: SectionInput, min_session_minutes: int, max_session_minutes: int
) -> int:
    """Length of one review (also one final-review session) of the section."""
    wanted = _round_up(full_minutes(section) * REVIEW_SHARE)
    cap = max(min_session_minutes, min(REVIEW_CAP_MINUTES, max_session_minutes))
    return max(min_session_minutes, min(wanted, cap))
