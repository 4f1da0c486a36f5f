"""Study plan generation: effort, pacing, spacing, course order, the final
review, unscheduled sections, replanning and invalid input."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import pytest

from aksio.errors import InvalidInput
from aksio.learning import effort
from aksio.learning.calendar import WEEKDAYS
from aksio.learning.constraints import check
from aksio.learning.planning import (
    Plan,
    PlanInputError,
    PlanRequest,
    SectionInput,
    final_period_days,
    generate_plan,
    review_gap,
)

START = date(2026, 3, 2)  # a Monday
EVERY_DAY = dict.fromkeys(WEEKDAYS, 120)


def section(i: int = 0, **overrides: Any) -> SectionInput:
    values: dict[str, Any] = {"section_id": f"s{i}", "title": f"Chapter {i}", "words": 4000}
    return SectionInput(**(values | overrides))


def request(days: int = 60, sections: int = 6, **overrides: Any) -> PlanRequest:
    values: dict[str, Any] = {
        "start_date": START,
        "exam_date": START + timedelta(days=days),
        "availability": EVERY_DAY,
        "sections": [section(i) for i in range(sections)],
    }
    return PlanRequest(**(values | overrides))


def planned(req: PlanRequest) -> Plan:
    plan = generate_plan(req)
    assert check(req, plan) == []
    return plan


def learn_minutes(plan: Plan) -> dict[str | None, int]:
    out: dict[str | None, int] = defaultdict(int)
    for s in plan.sessions:
        if s.kind == "learn":
            out[s.section_id] += s.minutes
    return out


def dates_of(plan: Plan, kind: str, section_id: str) -> list[date]:
    return [s.date for s in plan.sessions if s.kind == kind and s.section_id == section_id]


# ------------------------------------------------------------------ effort
def test_effort_grows_with_words_and_pages_stand_in_for_unknown_words() -> None:
    short, long = section(words=2000), section(words=8000)
    assert effort.full_minutes(long) > effort.full_minutes(short) >= effort.MIN_SECTION_MINUTES
    by_pages = section(words=None, pages=10)
    same_words = section(words=10 * effort.WORDS_PER_PAGE)
    assert effort.full_minutes(by_pages) == effort.full_minutes(same_words)
    # Words win over pages when both are known.
    assert effort.full_minutes(section(words=2000, pages=100)) == effort.full_minutes(short)


def test_effort_of_unknown_and_tiny_sections() -> None:
    unknown = section(words=None, pages=None)
    assert effort.full_minutes(unknown) == effort.UNKNOWN_SIZE_MINUTES
    assert effort.full_minutes(section(words=10)) == effort.MIN_SECTION_MINUTES
    assert effort.full_minutes(section(words=10**9)) == effort.MAX_SECTION_MINUTES


def test_harder_and_weaker_sections_get_more_time() -> None:
    easy, hard = section(difficulty=0.0), section(difficulty=1.0)
    assert effort.full_minutes(easy) < effort.full_minutes(section()) < effort.full_minutes(hard)
    assert effort.full_minutes(section(weakness=1.0)) > effort.full_minutes(section(weakness=0.2))
    assert effort.full_minutes(section(weakness=0.2)) > effort.full_minutes(section())


def test_remaining_effort_subtracts_progress_and_never_leaves_a_stub() -> None:
    full = effort.full_minutes(section())
    assert effort.remaining_minutes(section(), 15) == full
    assert effort.remaining_minutes(section(learned_minutes=30), 15) == full - 30
    assert effort.remaining_minutes(section(learned_minutes=full - 5), 15) == 15
    assert effort.remaining_minutes(section(learned_minutes=full + 100), 15) == 0
    assert effort.remaining_minutes(section(learned=True), 15) == 0


def test_review_length_is_a_share_of_effort_within_session_bounds() -> None:
    assert effort.review_minutes(section(words=100), 15, 180) == 15
    assert effort.review_minutes(section(words=50_000), 15, 180) == effort.REVIEW_CAP_MINUTES
    assert effort.review_minutes(section(words=50_000), 15, 20) == 20
    assert effort.review_minutes(section(words=100), 40, 180) == 40


# ------------------------------------------------------------------ layout
def test_every_section_is_learned_in_full_and_in_course_order() -> None:
    req = request(days=60, sections=8)
    plan = planned(req)
    assert plan.unscheduled == ()
    for s in req.sections:
        assert learn_minutes(plan)[s.section_id] == effort.remaining_minutes(s, 15)
    order = [s.section_id for s in plan.sessions if s.kind == "learn"]
    assert order == sorted(order, key=lambda sid: int(sid[1:]))
    # Preferred length, or a little over it rather than leaving a stub shorter than the minimum.
    assert all(s.minutes < 45 + 15 for s in plan.sessions if s.kind == "learn")


def test_learning_is_paced_not_crammed_into_the_first_days() -> None:
    req = request(days=90, sections=4)
    plan = planned(req)
    last_learn = max(s.date for s in plan.sessions if s.kind == "learn")
    # Four sections of ~50 minutes in 90 days of 2 hours: spread out, not all in week one.
    assert last_learn > START + timedelta(days=14)
    assert last_learn < START + timedelta(days=90)


def test_sessions_titles_number_the_parts_of_a_long_section() -> None:
    req = dataclasses.replace(
        request(), sections=[section(0, words=12_000)], preferred_session_minutes=30
    )
    plan = planned(req)
    titles = [s.title for s in plan.sessions if s.kind == "learn"]
    assert len(titles) > 1
    assert titles[0] == f"Learn: Chapter 0 (part 1 of {len(titles)})"


def test_reviews_follow_learning_at_growing_gaps() -> None:
    req = request(days=120, sections=1)
    plan = planned(req)
    learned_on = max(dates_of(plan, "learn", "s0"))
    reviews = dates_of(plan, "review", "s0")
    assert len(reviews) >= 4
    assert reviews[0] == learned_on + timedelta(days=1)
    gaps = [(b - a).days for a, b in zip([learned_on, *reviews], reviews, strict=False)]
    assert gaps == sorted(gaps) and gaps[-1] > gaps[0]


def test_weak_sections_come_back_sooner() -> None:
    assert review_gap(3, 1.0) < review_gap(3, 0.0)
    assert review_gap(0, 1.0) == 1  # never sooner than the next day
    assert [review_gap(step, 0.0) for step in range(8)] == [1, 3, 7, 14, 30, 60, 120, 240]
    strong = dataclasses.replace(request(days=120), sections=[section(0, weakness=0.0)])
    weak = dataclasses.replace(request(days=120), sections=[section(0, weakness=1.0)])
    assert len(dates_of(planned(weak), "review", "s0")) > len(
        dates_of(planned(strong), "review", "s0")
    )


def test_quizzes_follow_groups_of_learned_sections() -> None:
    req = request(days=60, sections=7)
    plan = planned(req)
    quizzes = [s for s in plan.sessions if s.kind == "quiz"]
    group_quizzes = [q for q in quizzes if q.title.startswith("Practice quiz")]
    assert [q.title for q in group_quizzes] == [
        "Practice quiz: Chapter 0 to Chapter 2",
        "Practice quiz: Chapter 3 to Chapter 5",
        "Practice quiz: Chapter 6",
    ]
    assert group_quizzes[0].section_id is None and group_quizzes[2].section_id == "s6"
    assert group_quizzes[0].date > max(dates_of(plan, "learn", "s2"))


def test_final_review_period_reviews_every_section_weakest_first() -> None:
    sections = [section(i, weakness=w) for i, w in enumerate([0.1, 0.9, 0.0, 0.5])]
    req = dataclasses.replace(request(days=50), sections=sections)
    plan = planned(req)
    final = [s for s in plan.sessions if s.kind == "final_review"]
    final_days = sorted({s.date for s in final})
    assert len(final_days) == final_period_days(50)
    # Only final-period sessions in those days, opening with a practice exam.
    in_period = [s for s in plan.sessions if s.date >= final_days[0]]
    assert in_period[0].kind == "quiz" and in_period[0].section_id is None
    assert {s.kind for s in in_period[1:]} == {"final_review"}
    assert [s.section_id for s in final[:4]] == ["s1", "s3", "s0", "s2"]
    assert max(s.date for s in plan.sessions) == START + timedelta(days=49)


def test_final_period_size() -> None:
    assert [final_period_days(n) for n in (1, 2, 3, 9, 10, 50, 100, 300)] == [
        0,
        0,
        1,
        1,
        2,
        6,
        12,
        14,
    ]


def test_nothing_on_the_exam_day_blackouts_or_days_without_time() -> None:
    availability = EVERY_DAY | {"sunday": 0, "wednesday": 10}
    blackouts = frozenset({START + timedelta(days=3), START + timedelta(days=4)})
    req = request(days=30, availability=availability, blackout_dates=blackouts)
    plan = planned(req)
    used = {s.date for s in plan.sessions}
    assert not used & blackouts
    assert all(d.weekday() not in (2, 6) for d in used)
    assert req.exam_date not in used
    assert any("Wednesdays have 10 minutes" in w for w in plan.warnings)


def test_plans_are_deterministic() -> None:
    req = request(days=80, sections=10)
    assert generate_plan(req) == generate_plan(req)


# ------------------------------------------------------------------ not enough time
def test_what_does_not_fit_is_reported_in_course_order_with_the_minutes_missing() -> None:
    req = request(days=4, sections=6, availability=dict.fromkeys(WEEKDAYS, 60))
    plan = planned(req)
    assert plan.unscheduled
    first_missing = req.sections.index(
        next(s for s in req.sections if s.section_id == plan.unscheduled[0].section_id)
    )
    assert [u.section_id for u in plan.unscheduled] == [
        s.section_id for s in req.sections[first_missing:]
    ]
    learned = learn_minutes(plan)
    for s in req.sections:
        missing = next(
            (u.minutes_missing for u in plan.unscheduled if u.section_id == s.section_id), 0
        )
        assert learned.get(s.section_id, 0) + missing == effort.remaining_minutes(s, 15)
    total_missing = sum(u.minutes_missing for u in plan.unscheduled)
    assert any(f"{total_missing} minutes of study are missing" in w for w in plan.warnings)
    # Short of time, the final review shrinks to a single day.
    assert len({s.date for s in plan.sessions if s.kind == "final_review"}) <= 1


def test_a_single_study_day_is_all_learning() -> None:
    req = request(days=1, sections=2)
    plan = planned(req)
    assert {s.kind for s in plan.sessions} == {"learn"}
    assert sum(s.minutes for s in plan.sessions) <= 120
    assert any("too few study days" in w for w in plan.warnings)


# ------------------------------------------------------------------ replanning
def test_replanning_skips_learned_work_and_keeps_reviewing_it() -> None:
    first = request(days=60, sections=6)
    plan = planned(first)
    later = START + timedelta(days=20)
    progress = learn_minutes(Plan(tuple(s for s in plan.sessions if s.date < later), (), ()))
    sections = [
        dataclasses.replace(
            s,
            learned=progress.get(s.section_id, 0) >= effort.remaining_minutes(s, 15),
            learned_minutes=progress.get(s.section_id, 0),
            weakness=0.8 if s.section_id == "s0" else s.weakness,
        )
        for s in first.sections
    ]
    req = dataclasses.replace(first, start_date=later, sections=sections)
    replanned = planned(req)
    assert min(s.date for s in replanned.sessions) >= later
    learned_ids = {s.section_id for s in sections if s.learned}
    assert learned_ids  # the scenario has finished sections
    assert not {s.section_id for s in replanned.sessions if s.kind == "learn"} & learned_ids
    reviewed = {s.section_id for s in replanned.sessions if s.kind in ("review", "final_review")}
    assert learned_ids <= reviewed
    for s in sections:
        assert learn_minutes(replanned).get(s.section_id, 0) == effort.remaining_minutes(s, 15)
    # The weakened section is reviewed first among those learned before.
    first_review = next(s for s in replanned.sessions if s.kind == "review")
    assert first_review.section_id == "s0"


def test_replanning_with_everything_learned_is_all_review() -> None:
    sections = [section(i, learned=True) for i in range(3)]
    req = dataclasses.replace(request(days=20), sections=sections)
    plan = planned(req)
    assert plan.sessions and "learn" not in {s.kind for s in plan.sessions}
    assert {s.section_id for s in plan.sessions if s.kind == "final_review"} == {"s0", "s1", "s2"}


# ------------------------------------------------------------------ invalid input
@pytest.mark.parametrize(
    ("overrides", "needle"),
    [
        ({"exam_date": START}, "after the start date"),
        ({"exam_date": START - timedelta(days=3)}, "after the start date"),
        ({"exam_date": START + timedelta(days=800)}, "at most"),
        ({"availability": dict.fromkeys(WEEKDAYS, 0)}, "No study time"),
        ({"availability": {}}, "No study time"),
        ({"availability": {"mon": 60}}, "weekday names"),
        ({"availability": {"monday": 1000}}, "between 0 and 960"),
        ({"availability": {"monday": -5}}, "between 0 and 960"),
        ({"preferred_session_minutes": 10}, "preferred session length"),
        ({"preferred_session_minutes": 200}, "preferred session length"),
        ({"preferred_session_minutes": 20, "min_session_minutes": 30}, "Session bounds"),
        ({"sections": []}, "no sections"),
        ({"sections": [section(0), section(0)]}, "unique"),
        ({"sections": [section(0, weakness=1.5)]}, "Weakness"),
        ({"sections": [section(0, difficulty=-0.1)]}, "Difficulty"),
        ({"sections": [section(0, learned_minutes=-1)]}, "negative"),
        ({"availability": {"monday": 10}}, "No day between"),
        (
            {
                "exam_date": START + timedelta(days=2),
                "blackout_dates": frozenset({START, START + timedelta(days=1)}),
            },
            "No day between",
        ),
    ],
)
def test_invalid_requests_are_rejected(overrides: dict[str, Any], needle: str) -> None:
    with pytest.raises(PlanInputError, match=needle) as caught:
        generate_plan(dataclasses.replace(request(), **overrides))
    assert isinstance(caught.value, InvalidInput)  # answered as a 400


def test_a_start_in_the_past_is_rejected_only_relative_to_today() -> None:
    req = request()
    with pytest.raises(PlanInputError, match="in the past"):
        generate_plan(req, today=START + timedelta(days=1))
    assert generate_plan(req, today=START).sessions
