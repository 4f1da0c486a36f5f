"""The plan constraint checker: it catches hand-broken plans, and finds
nothing wrong in plans generated for thousands of random courses and calendars."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aksio.learning.calendar import WEEKDAYS, study_days
from aksio.learning.constraints import Violation, check
from aksio.learning.effort import remaining_minutes
from aksio.learning.planning import (
    MAX_DAY_MINUTES,
    Plan,
    PlanInputError,
    PlannedSession,
    PlanRequest,
    SectionInput,
    Unscheduled,
    generate_plan,
)

START = date(2026, 3, 2)  # a Monday


def make_request(**overrides: Any) -> PlanRequest:
    values: dict[str, Any] = {
        "start_date": START,
        "exam_date": START + timedelta(days=30),
        "availability": dict.fromkeys(WEEKDAYS, 90) | {"sunday": 0},
        "blackout_dates": frozenset({START + timedelta(days=2)}),
        "sections": [SectionInput(f"s{i}", f"Chapter {i}", words=3000) for i in range(4)],
    }
    return PlanRequest(**(values | overrides))


def rules(violations: list[Violation]) -> set[str]:
    return {v.rule for v in violations}


def replace_session(plan: Plan, index: int, **changes: Any) -> Plan:
    sessions = list(plan.sessions)
    sessions[index] = dataclasses.replace(sessions[index], **changes)
    return dataclasses.replace(plan, sessions=tuple(sessions))


@pytest.fixture
def sound() -> tuple[PlanRequest, Plan]:
    req = make_request()
    plan = generate_plan(req)
    assert check(req, plan) == []
    return req, plan


def first(plan: Plan, kind: str) -> int:
    return next(i for i, s in enumerate(plan.sessions) if s.kind == kind)


def test_a_session_on_a_blackout_date(sound: tuple[PlanRequest, Plan]) -> None:
    req, plan = sound
    bad = replace_session(plan, 0, date=START + timedelta(days=2))
    found = check(req, bad)
    assert "blackout" in rules(found)
    assert any(v.session_index == 0 and v.date == START + timedelta(days=2) for v in found)


def test_a_session_on_a_day_without_time(sound: tuple[PlanRequest, Plan]) -> None:
    req, plan = sound
    sunday = START + timedelta(days=6)
    assert "no_time" in rules(check(req, replace_session(plan, 0, date=sunday)))


def test_a_day_over_its_minutes(sound: tuple[PlanRequest, Plan]) -> None:
    req, plan = sound
    extra = PlannedSession(plan.sessions[0].date, "review", "s0", 90, "Review: Chapter 0")
    bad = dataclasses.replace(plan, sessions=(plan.sessions[0], extra, *plan.sessions[1:]))
    found = [v for v in check(req, bad) if v.rule == "day_minutes"]
    assert found and found[0].date == plan.sessions[0].date


def test_booked_minutes_count_against_the_day(sound: tuple[PlanRequest, Plan]) -> None:
    req, plan = sound
    day = plan.sessions[0].date
    planned = sum(s.minutes for s in plan.sessions if s.date == day)
    left = req.availability[WEEKDAYS[day.weekday()]] - planned
    assert check(dataclasses.replace(req, booked_minutes={day: left}), plan) == []
    over = check(dataclasses.replace(req, booked_minutes={day: left + 1}), plan)
    assert [(v.rule, v.date) for v in over] == [("day_minutes", day)]


def test_the_planner_fills_only_what_booked_minutes_leave() -> None:
    req = make_request(booked_minutes={START: 60, START + timedelta(days=1): 90})
    plan = generate_plan(req)
    assert check(req, plan) == []
    per_day: dict[date, int] = defaultdict(int)
    for s in plan.sessions:
        per_day[s.date] += s.minutes
    assert per_day[START] <= 30 and START + timedelta(days=1) not in per_day
    assert per_day[START + timedelta(days=3)] > 30  # an unbooked day is used fully


@pytest.mark.parametrize("offset", [-1, 30, 31])
def test_sessions_outside_the_window(sound: tuple[PlanRequest, Plan], offset: int) -> None:
    req, plan = sound
    moved = replace_session(plan, len(plan.sessions) - 1, date=START + timedelta(days=offset))
    assert "window" in rules(check(req, moved))


@pytest.mark.parametrize("minutes", [5, 14, 181])
def test_session_length_bounds(sound: tuple[PlanRequest, Plan], minutes: int) -> None:
    req, plan = sound
    assert "session_length" in rules(check(req, replace_session(plan, 0, minutes=minutes)))


def test_unsorted_sessions(sound: tuple[PlanRequest, Plan]) -> None:
    req, plan = sound
    bad = dataclasses.replace(plan, sessions=tuple(reversed(plan.sessions)))
    assert "order" in rules(check(req, bad))


def test_learning_out_of_course_order(sound: tuple[PlanRequest, Plan]) -> None:
    req, plan = sound
    learn = [i for i, s in enumerate(plan.sessions) if s.kind == "learn"]
    a, b = learn[0], learn[-1]
    bad = replace_session(plan, a, section_id=plan.sessions[b].section_id)
    bad = replace_session(bad, b, section_id=plan.sessions[a].section_id)
    assert "learn_order" in rules(check(req, bad))


def test_a_review_before_the_section_is_learned(sound: tuple[PlanRequest, Plan]) -> None:
    req, plan = sound
    early = PlannedSession(START, "review", "s3", 15, "Review: Chapter 3")
    bad = dataclasses.replace(plan, sessions=(early, *plan.sessions))
    found = check(req, bad)
    assert [v.session_index for v in found if v.rule == "review_before_learning"] == [0]


def test_unknown_sections_and_kinds(sound: tuple[PlanRequest, Plan]) -> None:
    req, plan = sound
    assert "kind" in rules(check(req, replace_session(plan, 0, section_id="nope")))
    assert "kind" in rules(check(req, replace_session(plan, 0, kind="nap")))
    assert "kind" in rules(check(req, replace_session(plan, 0, section_id=None)))


def test_learn_minutes_must_add_up(sound: tuple[PlanRequest, Plan]) -> None:
    req, plan = sound
    dropped = dataclasses.replace(plan, sessions=plan.sessions[1:])  # a learn session vanished
    assert "learn_total" in rules(check(req, dropped))
    fake = dataclasses.replace(plan, unscheduled=(Unscheduled("s0", 10),), warnings=("x",))
    assert "learn_total" in rules(check(req, fake))


def test_unscheduled_sections_need_a_warning_and_block_later_learning() -> None:
    big = [SectionInput(f"s{i}", f"Chapter {i}", words=9000) for i in range(4)]
    req = make_request(exam_date=START + timedelta(days=3), sections=big)
    plan = generate_plan(req)
    assert plan.unscheduled and check(req, plan) == []
    assert "unscheduled_warning" in rules(check(req, dataclasses.replace(plan, warnings=())))
    # Learning a later section while an earlier one is missing breaks course order.
    missing = plan.unscheduled[0].section_id
    later = req.sections[-1].section_id
    assert missing != later
    index = first(plan, "learn")
    bad = replace_session(plan, index, section_id=later)
    assert "learn_order" in rules(check(req, bad))


# ------------------------------------------------------------------ properties
@st.composite
def sections(draw: st.DrawFn) -> list[SectionInput]:
    count = draw(st.integers(1, 60))
    out = []
    for i in range(count):
        learned = draw(st.booleans()) if draw(st.integers(0, 9)) == 0 else False
        out.append(
            SectionInput(
                section_id=f"s{i}",
                title=f"Section {i}",
                words=draw(st.none() | st.integers(0, 40_000)),
                pages=draw(st.none() | st.integers(0, 120)),
                difficulty=draw(st.none() | st.floats(0, 1)),
                weakness=draw(st.floats(0, 1)),
                learned_minutes=draw(st.sampled_from([0, 0, 0, 10, 45, 200])),
                learned=learned,
            )
        )
    return out


minutes_per_day = st.sampled_from(
    [0, 0, 5, 15, 20, 30, 45, 60, 90, 120, 240, MAX_DAY_MINUTES]
) | st.integers(0, MAX_DAY_MINUTES)


@st.composite
def requests(draw: st.DrawFn) -> PlanRequest:
    start = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 365)))
    horizon = draw(st.integers(1, 365))
    availability = {day: draw(minutes_per_day) for day in WEEKDAYS}
    blackouts = draw(st.frozensets(st.integers(0, horizon + 2), max_size=min(60, horizon)))
    # A replan's kept sessions (worked ahead) take part of some days.
    booked = draw(st.dictionaries(st.integers(0, horizon), minutes_per_day, max_size=20))
    low = draw(st.sampled_from([15, 15, 5, 10, 20, 30]))
    preferred = draw(st.integers(max(15, low), 180))
    high = draw(st.sampled_from([180, 180, preferred, preferred + 15, 240]))
    return PlanRequest(
        start_date=start,
        exam_date=start + timedelta(days=horizon),
        availability=availability,
        blackout_dates=frozenset(start + timedelta(days=d) for d in blackouts),
        booked_minutes={start + timedelta(days=d): m for d, m in booked.items()},
        sections=draw(sections()),
        preferred_session_minutes=preferred,
        min_session_minutes=low,
        max_session_minutes=high,
    )


@settings(max_examples=1000, deadline=None)
@given(requests())
def test_generated_plans_break_no_constraint(req: PlanRequest) -> None:
    try:
        plan = generate_plan(req)
    except PlanInputError:
        # The only invalid input the strategy makes: no weekday with time, or
        # no day in the window that fits a session.
        usable = study_days(
            req.start_date,
            req.exam_date,
            req.availability,
            req.blackout_dates,
            req.min_session_minutes,
            booked=req.booked_minutes,
        )
        assert not usable
        return
    assert check(req, plan) == []
    learned: dict[str, int] = defaultdict(int)
    for s in plan.sessions:
        if s.kind == "learn":
            learned[s.section_id or ""] += s.minutes
    missing = {u.section_id: u.minutes_missing for u in plan.unscheduled}
    for s in req.sections:
        needed = remaining_minutes(s, req.min_session_minutes)
        assert learned.get(s.section_id, 0) + missing.get(s.section_id, 0) == needed
        if s.section_id in missing:
            assert missing[s.section_id] > 0
    # Course order: what is unscheduled is a tail of the sections still to learn.
    if plan.unscheduled:
        position = {s.section_id: i for i, s in enumerate(req.sections)}
        cut = position[plan.unscheduled[0].section_id]
        tail = [
            s.section_id
            for s in req.sections[cut:]
            if remaining_minutes(s, req.min_session_minutes) > 0
        ]
        assert [u.section_id for u in plan.unscheduled] == tail
