"""Session status rules and the request models' checks."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import product

import pytest
from pydantic import ValidationError

from aksio.errors import Conflict, InvalidInput
from aksio.learning.planning import MAX_HORIZON_DAYS
from aksio.learning.sessions import domain
from aksio.learning.sessions.models import SessionListQuery, SessionUpdate

STATUSES = ("planned", "in_progress", "completed", "skipped")
ALLOWED = {
    ("planned", "in_progress"),
    ("planned", "completed"),
    ("planned", "skipped"),
    ("in_progress", "completed"),
    ("in_progress", "skipped"),
}


@pytest.mark.parametrize(("current", "new"), list(product(STATUSES, STATUSES)))
def test_only_forward_transitions_are_allowed(current: str, new: str) -> None:
    if (current, new) in ALLOWED:
        domain.check_transition(current, new)
    else:
        with pytest.raises(Conflict):
            domain.check_transition(current, new)


def test_repeated_status_says_so() -> None:
    with pytest.raises(Conflict, match="already completed"):
        domain.check_transition("completed", "completed")


def test_dates_within_the_horizon_either_way() -> None:
    today = date(2025, 3, 3)
    for offset in (-MAX_HORIZON_DAYS, 0, MAX_HORIZON_DAYS):
        domain.check_date(today + timedelta(days=offset), today)
    for offset in (-MAX_HORIZON_DAYS - 1, MAX_HORIZON_DAYS + 1):
        with pytest.raises(InvalidInput):
            domain.check_date(today + timedelta(days=offset), today)


def test_update_model_rules() -> None:
    assert (
        SessionUpdate.model_validate({"status": "completed", "actual_minutes": 0}).actual_minutes
        == 0
    )
    assert SessionUpdate.model_validate({"notes": "  "}).notes is None  # blank clears
    for bad in ({}, {"actual_minutes": 5}, {"status": "skipped", "actual_minutes": 5}):
        with pytest.raises(ValidationError):
            SessionUpdate.model_validate(bad)


def test_list_query_takes_from_to_and_their_long_names() -> None:
    short = SessionListQuery.model_validate({"from": "2025-03-01", "to": "2025-03-09"})
    long = SessionListQuery.model_validate({"date_from": "2025-03-01", "date_to": "2025-03-09"})
    assert (short.date_from, short.date_to) == (long.date_from, long.date_to)
    assert short.date_from == date(2025, 3, 1)
    with pytest.raises(ValidationError):
        SessionListQuery.model_validate({"from": "2025-03-09", "to": "2025-03-01"})
