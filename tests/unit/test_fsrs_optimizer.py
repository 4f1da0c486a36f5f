"""Per-user FSRS parameters: fitting (fsrs-rs-python) and scoring."""

from __future__ import annotations

import csv
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aksio.assessments.optimizer import (
    MIN_REVIEWS,
    ReviewRecord,
    evaluate,
    fit_parameters,
    rmse_bins,
    training_items,
)
from aksio.assessments.scheduling import DEFAULT_PARAMETERS, CardState, review

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "review-log-anki-user.csv"
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def _sample(max_cards: int) -> list[ReviewRecord]:
    """The reviews of the first ``max_cards`` cards of the shared log (keeps tests fast)."""
    if not DATA.exists():
        pytest.skip(f"shared review log not found at {DATA}")
    cards: set[str] = set()
    out: list[ReviewRecord] = []
    with DATA.open(newline="") as handle:
        for row in csv.DictReader(handle):
            card = row["card_id"]
            if card not in cards:
                if len(cards) >= max_cards:
                    continue
                cards.add(card)
            out.append(
                ReviewRecord(
                    card, int(row["review_rating"]), datetime.fromisoformat(row["review_time"])
                )
            )
    return out


def test_too_few_reviews_gives_none() -> None:
    assert fit_parameters([]) is None
    tiny = [ReviewRecord("c1", 3, T0 + timedelta(days=d)) for d in range(10)]
    assert fit_parameters(tiny) is None
    # Enough reviews but all on one day: no long-term signal to fit.
    same_day = [
        ReviewRecord(f"c{i}", 3, T0 + timedelta(seconds=i)) for i in range(MIN_REVIEWS + 10)
    ]
    assert fit_parameters(same_day) is None


def test_training_items_follow_fsrs_rs_shape() -> None:
    reviews = [
        ReviewRecord("a", 1, T0),
        ReviewRecord("a", 3, T0 + timedelta(minutes=10)),  # same day: delta_t 0
        ReviewRecord("a", 3, T0 + timedelta(days=2)),
        ReviewRecord("b", 3, T0),  # single review: no item
    ]
    items = training_items(reversed(reviews))  # order of input must not matter
    # Only the prefix ending on a later day has long-term signal.
    assert len(items) == 1
    # FSRSReview exposes no attributes to Python, only its repr.
    assert [repr(r) for r in items[0].reviews] == [
        "FSRSReview { rating: 1, delta_t: 0 }",
        "FSRSReview { rating: 3, delta_t: 0 }",
        "FSRSReview { rating: 3, delta_t: 2 }",
    ]


def test_fit_on_sample_of_shared_log_gives_valid_parameters() -> None:
    reviews = _sample(300)
    assert len(reviews) >= MIN_REVIEWS
    params = fit_parameters(reviews)
    assert params is not None
    assert len(params) == len(DEFAULT_PARAMETERS)
    assert all(math.isfinite(p) for p in params)
    assert list(params) != list(DEFAULT_PARAMETERS)
    # The scheduler accepts them.
    out = review(CardState.new(T0), "good", T0, parameters=params)
    assert out.state.stability == pytest.approx(params[2], rel=1e-6)


def test_evaluate_on_hand_made_log() -> None:
    # After one "good" on a new card, default stability is w[2] days; at exactly
    # that many days FSRS predicts recall 0.9 (that is what stability means).
    s = DEFAULT_PARAMETERS[2]
    at = T0 + timedelta(days=s)
    history = [ReviewRecord("a", 3, T0), ReviewRecord("b", 3, T0)]
    test = [
        ReviewRecord("a", 3, at),  # recalled, p = 0.9
        ReviewRecord("b", 1, at),  # forgotten, p = 0.9
        ReviewRecord("c", 3, at),  # first review of its card: not scored
    ]
    metrics = evaluate(None, history, test)
    assert metrics.count == 2
    assert metrics.log_loss == pytest.approx(-(math.log(0.9) + math.log(0.1)) / 2, rel=1e-6)
    # One bin, mean prediction 0.9 against an observed rate of 0.5.
    assert metrics.rmse_bins == pytest.approx(0.4, rel=1e-6)


def test_rmse_bins_weights_by_count() -> None:
    preds = [0.05, 0.05, 0.05, 0.95]
    outcomes = [False, False, False, False]
    # bin 1: gap 0.05 (n=3); bin 19: gap 0.95 (n=1)
    expected = math.sqrt((3 * 0.05**2 + 1 * 0.95**2) / 4)
    assert rmse_bins(preds, outcomes) == pytest.approx(expected)
    assert rmse_bins([1.0], [True]) == pytest.approx(0.0)


def test_evaluate_long_term_only_skips_same_day_reviews() -> None:
    s = DEFAULT_PARAMETERS[2]
    history = [ReviewRecord("a", 3, T0), ReviewRecord("b", 3, T0)]
    test = [
        ReviewRecord("a", 1, T0 + timedelta(minutes=5)),  # same UTC day: learning step
        ReviewRecord("b", 3, T0 + timedelta(days=s)),  # later day, p = 0.9
    ]
    assert evaluate(None, history, test).count == 2
    long_term = evaluate(None, history, test, long_term_only=True)
    assert long_term.count == 1
    assert long_term.log_loss == pytest.approx(-math.log(0.9), rel=1e-6)
