"""The study plan's hard constraints, checked from the request and the plan alone.

``check`` re-derives everything it needs (which days are usable, each
section's effort) from the request, never from the generator's state, so it
catches generator bugs; the property tests run it on thousands of plans.

Rules (``Violation.rule``):

- ``order``: sessions are sorted by date.
- ``window``: every session is on or after ``start_date`` and before
  ``exam_date`` (the exam day itself is excluded).
- ``blackout``: no session on a blackout date.
- ``no_time``: no session on a weekday with 0 minutes available.
- ``day_minutes``: a day's sessions add up to at most that weekday's minutes.
- ``session_length``: each session lasts ``min..max_session_minutes``.
- ``kind``: a known kind; learn, review and final-review sessions name a
  section of the request (a quiz may name none, e.g. one over several).
- ``learn_order``: learn sessions, in plan order, go through the sections in
  course order (never back to an earlier section), and none follows a
  section that is left partly or wholly unscheduled.
- ``learn_total``: for every section, planned learn minutes plus its
  ``unscheduled`` minutes equal its remaining effort; ``unscheduled`` names
  only such sections, once each, with positive minutes.
- ``review_before_learning``: a review, final review or quiz of a section
  comes after its first learn session (sections learned before the plan
  start, with no effort left, may be reviewed from the first day).
- ``unscheduled_warning``: a plan with unscheduled sections says so in a warning.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from aksio.learning.calendar import WEEKDAYS
from aksio.learning.effort import remaining_minutes
from aksio.learning.planning import SESSION_KINDS, Plan, PlanRequest


@dataclass(frozen=True, slots=True)
class Violation:
    rule: str
    date: date | None
    session_index: int | None
    """Position in ``plan.sessions``; None for a rule about the whole plan or a day."""
    message: str


def check(request: PlanRequest, plan: Plan) -> list[Violation]:
    out: list[Violation] = []
    lo, hi = request.min_session_minutes, request.max_session_minutes
    position = {s.section_id: i for i, s in enumerate(request.sections)}
    per_day: dict[date, int] = defaultdict(int)
    first_learn: dict[str, int] = {}
    learn_minutes: dict[str, int] = defaultdict(int)
    previous: date | None = None
    for index, s in enumerate(plan.sessions):

        def bad(rule: str, message: str, s_date: date = s.date, i: int = index) -> None:
            out.append(Violation(rule, s_date, i, message))

        if previous is not None and s.date < previous:
            bad("order", f"Session {index} on {s.date} comes after one on {previous}.")
        previous = s.date
        if not request.start_date <= s.date < request.exam_date:
            bad("window", f"Session {index} on {s.date} is outside the plan's days.")
        if s.date in request.blackout_dates:
            bad("blackout", f"Session {index} is on the blackout date {s.date}.")
        available = request.availability.get(WEEKDAYS[s.date.weekday()], 0)
        if available == 0:
            bad(
                "no_time",
                f"Session {index} is on {s.date}, a {WEEKDAYS[s.date.weekday()]} without time.",
            )
        per_day[s.date] += s.minutes
        if not lo <= s.minutes <= hi:
            bad("session_length", f"Session {index} lasts {s.minutes} minutes, not {lo}..{hi}.")
        if s.kind not in SESSION_KINDS:
            bad("kind", f"Session {index} has the unknown kind {s.kind!r}.")
        if s.section_id is None:
            if s.kind != "quiz":
                bad("kind", f"Session {index} ({s.kind}) names no section.")
            continue
        if s.section_id not in position:
            bad("kind", f"Session {index} names the unknown section {s.section_id!r}.")
            continue
        if s.kind == "learn":
            first_learn.setdefault(s.section_id, index)
            learn_minutes[s.section_id] += s.minutes
    for day, minutes in sorted(per_day.items()):
        available = request.availability.get(WEEKDAYS[day.weekday()], 0)
        available -= request.booked_minutes.get(day, 0)
        if minutes > available:
            out.append(
                Violation(
                    "day_minutes",
                    day,
                    None,
                    f"{day} has {minutes} minutes planned, only {available} left of its time.",
                )
            )
    out += _check_learning(request, plan, position, learn_minutes)
    out += _check_reviews(request, plan, position, first_learn)
    return out


def _check_learning(
    request: PlanRequest, plan: Plan, position: dict[str, int], learn_minutes: dict[str, int]
) -> list[Violation]:
    out: list[Violation] = []
    effort = {
        s.section_id: remaining_minutes(s, request.min_session_minutes) for s in request.sections
    }
    missing: dict[str, int] = {}
    for u in plan.unscheduled:
        if u.section_id not in effort:
            out.append(
                Violation(
                    "learn_total",
                    None,
                    None,
                    f"Unscheduled names the unknown section {u.section_id!r}.",
                )
            )
        elif u.section_id in missing:
            out.append(
                Violation("learn_total", None, None, f"Unscheduled names {u.section_id!r} twice.")
            )
        elif u.minutes_missing <= 0:
            out.append(
                Violation(
                    "learn_total", None, None, f"Unscheduled {u.section_id!r} misses no minutes."
                )
            )
        missing.setdefault(u.section_id, u.minutes_missing)
    for sid, needed in effort.items():
        planned, short = learn_minutes.get(sid, 0), missing.get(sid, 0)
        if planned + short != needed:
            out.append(
                Violation(
                    "learn_total",
                    None,
                    None,
                    f"Section {sid!r} needs {needed} learn minutes; {planned} are planned "
                    f"and {short} reported missing.",
                )
            )
    if plan.unscheduled and not plan.warnings:
        out.append(
            Violation(
                "unscheduled_warning",
                None,
                None,
                "Sections are unscheduled but no warning says so.",
            )
        )
    # Course order: the learn sequence never goes back, and nothing is learned
    # after a section that is left (partly) unplanned.
    highest = -1
    for index, s in enumerate(plan.sessions):
        if s.kind != "learn" or s.section_id not in position:
            continue
        at = position[s.section_id]
        if at < highest:
            out.append(
                Violation(
                    "learn_order",
                    s.date,
                    index,
                    f"Session {index} learns {s.section_id!r} after a later section.",
                )
            )
        highest = max(highest, at)
        blocked = [sid for sid in missing if sid in position and position[sid] < at]
        if blocked:
            out.append(
                Violation(
                    "learn_order",
                    s.date,
                    index,
                    f"Session {index} learns {s.section_id!r} though the earlier "
                    f"{blocked[0]!r} is unscheduled.",
                )
            )
    return out


def _check_reviews(
    request: PlanRequest, plan: Plan, position: dict[str, int], first_learn: dict[str, int]
) -> list[Violation]:
    out: list[Violation] = []
    prelearned = {
        s.section_id
        for s in request.sections
        if remaining_minutes(s, request.min_session_minutes) == 0
    }
    for index, s in enumerate(plan.sessions):
        if s.kind == "learn" or s.section_id is None or s.section_id not in position:
            continue
        if s.section_id in prelearned:
            continue
        first = first_learn.get(s.section_id)
        if first is None or first > index:
            out.append(
                Violation(
                    "review_before_learning",
                    s.date,
                    index,
                    f"Session {index} ({s.kind}) of {s.section_id!r} comes before "
                    "the section is learned.",
                )
            )
    return out
