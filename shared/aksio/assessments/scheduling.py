"""Flashcard scheduling on FSRS (py-fsrs ``fsrs.Scheduler``), pure domain, no I/O.

A card's scheduling state is a :class:`CardState` stored as a plain dict
(:meth:`CardState.to_dict` / :meth:`CardState.from_dict`). :func:`review`
applies one rating and returns a :class:`ReviewOutcome` whose ``log`` carries
the state before and after: undo is "restore ``log.state_before``", so the
caller only has to keep the log entry of the last review.

Fuzz is off by default: py-fsrs fuzzes review intervals with ``random``, which
would make the same review give different due dates (flaky tests, and replays
of a review log that do not reproduce the stored state). It can be turned on
per call with ``fuzz=True`` when spreading due dates matters more.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal, get_args

from fsrs import Card, Rating, Scheduler, State
from fsrs.scheduler import (
    DEFAULT_PARAMETERS as _FSRS_DEFAULT_PARAMETERS,
)
from fsrs.scheduler import (
    LOWER_BOUNDS_PARAMETERS,
    UPPER_BOUNDS_PARAMETERS,
)

RatingName = Literal["again", "hard", "good", "easy"]
StateName = Literal["new", "learning", "review", "relearning"]

RATINGS: tuple[RatingName, ...] = get_args(RatingName)
STATES: tuple[StateName, ...] = get_args(StateName)
DEFAULT_PARAMETERS: tuple[float, ...] = tuple(_FSRS_DEFAULT_PARAMETERS)
DEFAULT_DESIRED_RETENTION = 0.9

_RATING_TO_FSRS: dict[RatingName, Rating] = {
    "again": Rating.Again,
    "hard": Rating.Hard,
    "good": Rating.Good,
    "easy": Rating.Easy,
}
_FSRS_STATE_NAME: dict[State, StateName] = {
    State.Learning: "learning",
    State.Review: "review",
    State.Relearning: "relearning",
}
_STATE_TO_FSRS: dict[StateName, State] = {
    # py-fsrs 6 has no New state: a new card is Learning, step 0, never reviewed.
    "new": State.Learning,
    "learning": State.Learning,
    "review": State.Review,
    "relearning": State.Relearning,
}
# py-fsrs's Card() without an id sleeps 1 ms to make ids unique; ids mean nothing here.
_CARD_ID = 0


def _utc(value: datetime) -> datetime:
    """py-fsrs insists on ``tzinfo is timezone.utc``; normalise any aware datetime."""
    if value.tzinfo is None:
        raise ValueError("datetime must be timezone-aware")
    return value.astimezone(UTC)


def _parse_dt(value: Any) -> datetime:
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, str):
        return _utc(datetime.fromisoformat(value))
    raise ValueError(f"expected an ISO 8601 datetime, got {value!r}")


def _opt_float(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, got {value!r}")
    return float(value)


@dataclass(frozen=True, slots=True)
class CardState:
    """A card's FSRS memory and scheduling state (what is stored per card)."""

    state: StateName
    due: datetime
    step: int | None = 0
    stability: float | None = None
    difficulty: float | None = None
    last_review: datetime | None = None

    @classmethod
    def new(cls, now: datetime) -> CardState:
        """A never-reviewed card, due immediately."""
        return cls(state="new", due=_utc(now), step=0)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict (datetimes as ISO 8601 UTC strings)."""
        return {
            "state": self.state,
            "step": self.step,
            "stability": self.stability,
            "difficulty": self.difficulty,
            "due": self.due.isoformat(),
            "last_review": self.last_review.isoformat() if self.last_review else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CardState:
        state = data.get("state")
        if state not in STATES:
            raise ValueError(f"unknown card state {state!r}")
        step = data.get("step")
        if step is not None and (isinstance(step, bool) or not isinstance(step, int)):
            raise ValueError(f"step must be an integer or null, got {step!r}")
        last = data.get("last_review")
        return cls(
            state=state,
            step=step,
            stability=_opt_float(data.get("stability")),
            difficulty=_opt_float(data.get("difficulty")),
            due=_parse_dt(data.get("due")),
            last_review=_parse_dt(last) if last is not None else None,
        )

    def _to_fsrs(self) -> Card:
        step = self.step
        if self.state in ("new", "learning") and step is None:
            step = 0
        return Card(
            card_id=_CARD_ID,
            state=_STATE_TO_FSRS[self.state],
            step=step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due,
            last_review=self.last_review,
        )

    @classmethod
    def _from_fsrs(cls, card: Card) -> CardState:
        return cls(
            state=_FSRS_STATE_NAME[card.state],
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            due=card.due,
            last_review=card.last_review,
        )


@dataclass(frozen=True, slots=True)
class ReviewLogEntry:
    """One applied review. ``state_before`` is what undo restores."""

    rating: RatingName
    reviewed_at: datetime
    state_before: CardState
    state_after: CardState
    retrievability_before: float
    duration_ms: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rating": self.rating,
            "reviewed_at": self.reviewed_at.isoformat(),
            "state_before": self.state_before.to_dict(),
            "state_after": self.state_after.to_dict(),
            "retrievability_before": self.retrievability_before,
            "duration_ms": self.duration_ms,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReviewLogEntry:
        rating = data.get("rating")
        if rating not in RATINGS:
            raise ValueError(f"unknown rating {rating!r}")
        duration = data.get("duration_ms")
        return cls(
            rating=rating,
            reviewed_at=_parse_dt(data.get("reviewed_at")),
            state_before=CardState.from_dict(data["state_before"]),
            state_after=CardState.from_dict(data["state_after"]),
            retrievability_before=float(data["retrievability_before"]),
            duration_ms=int(duration) if duration is not None else None,
        )


@dataclass(frozen=True, slots=True)
class ReviewOutcome:
    state: CardState
    retrievability_before: float
    next_due: datetime
    log: ReviewLogEntry


def clamp_parameters(parameters: Sequence[float]) -> tuple[float, ...]:
    """Clip a parameter vector into py-fsrs's accepted bounds.

    Why: fitted vectors come from fsrs-rs, whose clamps may differ slightly
    from py-fsrs's validation; a vector a hair outside would be refused.
    """
    if len(parameters) != len(DEFAULT_PARAMETERS):
        raise ValueError(
            f"expected {len(DEFAULT_PARAMETERS)} FSRS parameters, got {len(parameters)}"
        )
    if not all(math.isfinite(p) for p in parameters):
        raise ValueError("FSRS parameters must be finite")
    return tuple(
        min(max(float(p), lo), hi)
        for p, lo, hi in zip(
            parameters, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True
        )
    )


@lru_cache(maxsize=256)
def _scheduler(parameters: tuple[float, ...], desired_retention: float, fuzz: bool) -> Scheduler:
    # Cached: Scheduler validates its parameters on construction, and replays
    # (evaluation, concurrent-review reconciliation) call review() thousands of times.
    return Scheduler(
        parameters=parameters, desired_retention=desired_retention, enable_fuzzing=fuzz
    )


def _params(parameters: Sequence[float] | None) -> tuple[float, ...]:
    return DEFAULT_PARAMETERS if parameters is None else clamp_parameters(parameters)


def retrievability(
    state: CardState, now: datetime, parameters: Sequence[float] | None = None
) -> float:
    """Predicted probability of recall at ``now`` (0 for a never-reviewed card).

    Uses fractional days since the last review, not py-fsrs's whole days: with
    whole days every same-day review would be predicted as certain (R = 1),
    which says nothing about learning steps and breaks log-loss scoring.
    """
    if state.last_review is None or state.stability is None:
        return 0.0
    params = _params(parameters)
    decay = -params[20]
    factor = 0.9 ** (1 / decay) - 1
    elapsed_days = max(0.0, (_utc(now) - state.last_review).total_seconds() / 86400)
    return float((1 + factor * elapsed_days / state.stability) ** decay)


def review(
    state: CardState,
    rating: RatingName,
    now: datetime,
    *,
    desired_retention: float = DEFAULT_DESIRED_RETENTION,
    parameters: Sequence[float] | None = None,
    duration_ms: int | None = None,
    fuzz: bool = False,
) -> ReviewOutcome:
    """Apply one review; ``parameters`` None means FSRS's default parameters."""
    if rating not in _RATING_TO_FSRS:
        raise ValueError(f"unknown rating {rating!r}")
    if not 0 < desired_retention < 1:
        raise ValueError("desired_retention must be in (0, 1)")
    now = _utc(now)
    params = _params(parameters)
    before_r = retrievability(state, now, params)
    scheduler = _scheduler(params, float(desired_retention), fuzz)
    card, _ = scheduler.review_card(state._to_fsrs(), _RATING_TO_FSRS[rating], now)
    after = CardState._from_fsrs(card)
    log = ReviewLogEntry(
        rating=rating,
        reviewed_at=now,
        state_before=state,
        state_after=after,
        retrievability_before=before_r,
        duration_ms=duration_ms,
    )
    return ReviewOutcome(state=after, retrievability_before=before_r, next_due=after.due, log=log)


def undo(log: ReviewLogEntry) -> CardState:
    """The state to restore when undoing the review ``log`` records."""
    return replace(log.state_before)
