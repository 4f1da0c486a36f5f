"""Per-user FSRS parameters: fitting with fsrs-rs-python and scoring them.

Pure domain, no I/O: the caller reads a user's review log and passes
:class:`ReviewRecord` values.

Fitting (:func:`fit_parameters`) follows fsrs-rs's data model: each card's
reviews, in time order, become one ``FSRSItem`` per review after the first,
holding that card's history up to and including that review; ``delta_t`` is
the number of calendar days (UTC) since the previous review, 0 for the first
and for same-day reviews. Items without a review on a later day carry no
long-term signal and are dropped, as Anki does.

Scoring (:func:`evaluate`) replays each card with the product's own scheduler
(:mod:`aksio.assessments.scheduling`) so it measures what students would get.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import fsrs_rs_python as fsrs_rs

from aksio.assessments.scheduling import (
    DEFAULT_PARAMETERS,
    RATINGS,
    CardState,
    clamp_parameters,
    retrievability,
    review,
)

# FSRS's optimiser needs hundreds of reviews; below this a fit mostly learns
# noise (and fsrs-rs itself falls back to the defaults on very small sets).
# 400 is the figure Anki long used as its minimum before optimising.
MIN_REVIEWS = 400
# Long-term items (history with at least one review on a later day) are the
# training examples; a log of only same-day reviews cannot be fitted.
MIN_TRAINING_ITEMS = 100
# 20 equal-width bins of the predicted probability over [0, 1] for RMSE(bins).
RMSE_BINS = 20
# Predictions are clipped away from 0 and 1 so one confident miss cannot make
# the log loss infinite.
_EPS = 1e-6


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    """One logged review: rating 1 Again, 2 Hard, 3 Good, 4 Easy."""

    card_id: str
    rating: int
    reviewed_at: datetime
    duration_ms: int | None = None

    def __post_init__(self) -> None:
        if self.rating not in (1, 2, 3, 4):
            raise ValueError(f"rating must be 1-4, got {self.rating!r}")
        if self.reviewed_at.tzinfo is None:
            raise ValueError("reviewed_at must be timezone-aware")


@dataclass(frozen=True, slots=True)
class Metrics:
    log_loss: float
    rmse_bins: float
    count: int


def _by_card(reviews: Iterable[ReviewRecord]) -> dict[str, list[ReviewRecord]]:
    cards: dict[str, list[ReviewRecord]] = defaultdict(list)
    for r in reviews:
        cards[r.card_id].append(r)
    for history in cards.values():
        history.sort(key=lambda r: r.reviewed_at)
    return cards


def _utc_day(moment: datetime) -> int:
    # Day boundaries in UTC: the log has no user time zone. Anki uses the
    # user's local day with a 4 am rollover; a profile time zone could refine it.
    return moment.astimezone(UTC).date().toordinal()


def training_items(reviews: Iterable[ReviewRecord]) -> list[fsrs_rs.FSRSItem]:
    """fsrs-rs training items (see module docstring)."""
    items: list[fsrs_rs.FSRSItem] = []
    for history in _by_card(reviews).values():
        fsrs_reviews: list[fsrs_rs.FSRSReview] = []
        previous: int | None = None
        for r in history:
            day = _utc_day(r.reviewed_at)
            fsrs_reviews.append(
                fsrs_rs.FSRSReview(r.rating, 0 if previous is None else day - previous)
            )
            previous = day
        for end in range(2, len(fsrs_reviews) + 1):
            item = fsrs_rs.FSRSItem(fsrs_reviews[:end])
            if item.long_term_review_cnt() > 0:
                items.append(item)
    return items


def fit_parameters(reviews: Iterable[ReviewRecord]) -> list[float] | None:
    """Personal FSRS parameters, or None when the log is too small to fit.

    None when there are fewer than :data:`MIN_REVIEWS` reviews or fewer than
    :data:`MIN_TRAINING_ITEMS` long-term items; the caller then keeps the
    defaults. The result is clipped into py-fsrs's bounds so the scheduler
    accepts it.
    """
    reviews = list(reviews)
    if len(reviews) < MIN_REVIEWS:
        return None
    items = training_items(reviews)
    if len(items) < MIN_TRAINING_ITEMS:
        return None
    fitted = fsrs_rs.FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(items)
    if len(fitted) != len(DEFAULT_PARAMETERS) or not all(math.isfinite(p) for p in fitted):
        return None
    return list(clamp_parameters(fitted))


def log_loss(predictions: Sequence[float], outcomes: Sequence[bool]) -> float:
    """Mean binary cross-entropy; predictions clipped to [eps, 1 - eps]."""
    if not predictions:
        return math.nan
    total = 0.0
    for raw, y in zip(predictions, outcomes, strict=True):
        p = min(max(raw, _EPS), 1 - _EPS)
        total -= math.log(p) if y else math.log(1 - p)
    return total / len(predictions)


def rmse_bins(
    predictions: Sequence[float], outcomes: Sequence[bool], bins: int = RMSE_BINS
) -> float:
    """Calibration error: reviews are binned by predicted probability into
    ``bins`` equal-width bins over [0, 1] (p = 1 falls in the last); per bin the
    mean prediction is compared with the observed recall rate, and the squared
    gaps are averaged weighted by bin count: sqrt(sum n_b (p_b - y_b)^2 / N).
    """
    if not predictions:
        return math.nan
    count = [0] * bins
    pred_sum = [0.0] * bins
    hit_sum = [0.0] * bins
    for p, y in zip(predictions, outcomes, strict=True):
        b = min(int(p * bins), bins - 1)
        count[b] += 1
        pred_sum[b] += p
        hit_sum[b] += 1.0 if y else 0.0
    squared = sum(
        n * (ps / n - hs / n) ** 2 for n, ps, hs in zip(count, pred_sum, hit_sum, strict=True) if n
    )
    return math.sqrt(squared / len(predictions))


def predictions(
    parameters: Sequence[float] | None,
    history: Iterable[ReviewRecord],
    test: Iterable[ReviewRecord],
    *,
    long_term_only: bool = False,
) -> tuple[list[float], list[bool]]:
    """Predicted recall and outcome (rating > 1) for each scored test review.

    Each card's history and test reviews are replayed in time order with
    ``parameters`` (None = defaults); a test review is scored from the state
    just before it, except a card's first review (nothing to predict from).
    ``long_term_only`` also skips reviews on the same UTC day as the card's
    previous one, as the FSRS benchmark does: FSRS's forgetting curve is not
    meant to predict learning-step reviews minutes apart, and fsrs-rs does
    not train on them.
    """
    test_list = list(test)
    test_ids = {id(r) for r in test_list}  # identity: the same review may repeat in value
    preds: list[float] = []
    outcomes: list[bool] = []
    for cards in _by_card([*history, *test_list]).values():
        state: CardState | None = None
        previous_day = 0
        for r in cards:
            day = _utc_day(r.reviewed_at)
            if state is None:
                state = CardState.new(r.reviewed_at)
            elif id(r) in test_ids and not (long_term_only and day == previous_day):
                preds.append(retrievability(state, r.reviewed_at, parameters))
                outcomes.append(r.rating > 1)
            # Desired retention only moves due dates, not memory state: any value works.
            state = review(state, RATINGS[r.rating - 1], r.reviewed_at, parameters=parameters).state
            previous_day = day
    return preds, outcomes


def evaluate(
    parameters: Sequence[float] | None,
    reviews_train_history: Iterable[ReviewRecord],
    reviews_test: Iterable[ReviewRecord],
    *,
    long_term_only: bool = False,
) -> Metrics:
    """Log loss and RMSE(bins) of ``parameters`` on ``reviews_test`` (see :func:`predictions`)."""
    preds, outcomes = predictions(
        parameters, reviews_train_history, reviews_test, long_term_only=long_term_only
    )
    return Metrics(
        log_loss=log_loss(preds, outcomes), rmse_bins=rmse_bins(preds, outcomes), count=len(preds)
    )
