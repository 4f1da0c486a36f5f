"""FSRS scheduling domain: state transitions, retention, storage round-trip, undo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aksio.assessments.scheduling import (
    DEFAULT_PARAMETERS,
    CardState,
    RatingName,
    ReviewLogEntry,
    retrievability,
    review,
    undo,
)

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def _graduated(now: datetime = T0) -> CardState:
    """A card taken through both default learning steps (1 min, 10 min) into review."""
    state = CardState.new(now)
    out = review(state, "good", now)
    assert out.state.state == "learning"
    out = review(out.state, "good", out.next_due)
    assert out.state.state == "review"
    return out.state


def test_new_card_good_enters_learning_then_review() -> None:
    state = CardState.new(T0)
    assert state.state == "new"
    first = review(state, "good", T0)
    assert first.state.state == "learning"
    assert first.state.step == 1
    assert first.next_due == T0 + timedelta(minutes=10)
    assert first.retrievability_before == 0.0
    second = review(first.state, "good", first.next_due)
    assert second.state.state == "review"
    assert second.state.step is None
    assert second.next_due - second.state.last_review >= timedelta(days=1)  # type: ignore[operator]


def test_easy_on_new_card_goes_straight_to_review() -> None:
    out = review(CardState.new(T0), "easy", T0)
    assert out.state.state == "review"


def test_again_in_learning_resets_step() -> None:
    first = review(CardState.new(T0), "good", T0)
    again = review(first.state, "again", first.next_due)
    assert again.state.state == "learning"
    assert again.state.step == 0
    assert again.next_due == first.next_due + timedelta(minutes=1)


def test_again_in_review_goes_to_relearning_and_lowers_stability() -> None:
    card = _graduated()
    later = card.due
    out = review(card, "again", later)
    assert out.state.state == "relearning"
    assert out.state.stability is not None and card.stability is not None
    assert out.state.stability < card.stability
    assert out.next_due == later + timedelta(minutes=10)
    back = review(out.state, "good", out.next_due)
    assert back.state.state == "review"


@pytest.mark.parametrize("rating", ["hard", "good", "easy"])
def test_recall_in_review_stays_in_review(rating: RatingName) -> None:
    card = _graduated()
    out = review(card, rating, card.due)
    assert out.state.state == "review"
    assert out.next_due > card.due


def test_higher_desired_retention_gives_shorter_intervals() -> None:
    card = _graduated()
    now = card.due
    dues = [review(card, "good", now, desired_retention=r).next_due for r in (0.8, 0.9, 0.97)]
    assert dues[0] > dues[1] > dues[2]


def test_no_fuzz_by_default_is_deterministic() -> None:
    card = _graduated()
    dues = {review(card, "good", card.due + timedelta(days=3)).next_due for _ in range(20)}
    assert len(dues) == 1


def test_personal_parameters_change_the_schedule() -> None:
    personal = list(DEFAULT_PARAMETERS)
    personal[2] = 10.0  # initial stability after "good": much longer first interval
    default_due = review(CardState.new(T0), "easy", T0).next_due
    personal_out = review(CardState.new(T0), "good", T0, parameters=personal)
    assert personal_out.state.stability == pytest.approx(10.0)
    assert default_due != personal_out.next_due


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError):
        review(CardState.new(T0), "good", T0, parameters=[1.0, 2.0])
    with pytest.raises(ValueError):
        review(CardState.new(T0), "good", T0, desired_retention=1.5)
    with pytest.raises(ValueError):
        review(CardState.new(T0), "good", datetime(2024, 5, 1))  # naive


def test_state_dict_round_trip() -> None:
    states = [CardState.new(T0), _graduated()]
    relearning = review(states[1], "again", states[1].due).state
    states.append(relearning)
    for state in states:
        data = state.to_dict()
        assert CardState.from_dict(data) == state
        assert all(isinstance(v, str | int | float | type(None)) for v in data.values())


def test_state_from_dict_rejects_garbage() -> None:
    good = _graduated().to_dict()
    with pytest.raises(ValueError):
        CardState.from_dict({**good, "state": "done"})
    with pytest.raises(ValueError):
        CardState.from_dict({**good, "stability": "high"})
    with pytest.raises(ValueError):
        CardState.from_dict({**good, "due": "tomorrow"})


def test_retrievability_decreases_with_time() -> None:
    card = _graduated()
    assert card.last_review is not None
    values = [retrievability(card, card.last_review + timedelta(days=d)) for d in (0, 1, 5, 30)]
    assert values[0] == pytest.approx(1.0)
    assert values == sorted(values, reverse=True)
    assert len(set(values)) == 4
    assert retrievability(CardState.new(T0), T0) == 0.0


def test_retrievability_at_due_is_close_to_desired_retention() -> None:
    card = _graduated()
    out = review(card, "good", card.due, desired_retention=0.9)
    # Intervals are whole days, so R at due is near (not exactly) the target.
    assert retrievability(out.state, out.next_due) == pytest.approx(0.9, abs=0.03)


def test_log_carries_state_before_for_undo_and_round_trips() -> None:
    card = _graduated()
    out = review(card, "again", card.due, duration_ms=4200)
    assert out.log.state_before == card
    assert out.log.state_after == out.state
    assert undo(out.log) == card
    restored = ReviewLogEntry.from_dict(out.log.to_dict())
    assert restored == out.log
    assert undo(restored) == card
