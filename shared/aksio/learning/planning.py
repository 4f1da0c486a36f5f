"""Study plan generation: a pure, deterministic function of its request.

``generate_plan(request)`` lays out, between ``start_date`` (included) and
``exam_date`` (excluded: nothing is planned on the exam day itself):

- learn sessions of every not-yet-learned section, strictly in course order,
  paced so learning ends about ``LEARN_SHARE`` of the way through the days
  before the final review (sooner if time is short: then it uses all of it);
- spaced reviews of each section once learned, at growing gaps
  (``REVIEW_GAPS``, shorter for weak sections), each on its due day or within
  a tolerance of half its gap, else dropped (counted in a warning);
- a practice quiz after every ``QUIZ_GROUP`` learned sections;
- a final review period (the last ~12% of study days, 1..14 of them) opening
  with a practice exam and reviewing all learned sections, weakest first.

Hard constraints (``constraints.check`` verifies them) always hold; when time
runs out, the sections that did not fit are listed in ``Plan.unscheduled``
with the minutes missing instead. Replanning is the same call with a later
``start_date`` and the sections' ``learned``/``learned_minutes``/``weakness``
updated.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from aksio.errors import InvalidInput
from aksio.learning import effort
from aksio.learning.calendar import WEEKDAYS, study_days

SessionKind = Literal["learn", "review", "quiz", "final_review"]
SESSION_KINDS: tuple[SessionKind, ...] = ("learn", "review", "quiz", "final_review")

MAX_DAY_MINUTES = 16 * 60
MIN_PREFERRED_MINUTES, MAX_PREFERRED_MINUTES = 15, 180
MIN_SESSION_FLOOR, MAX_SESSION_CEILING = 5, 480
MAX_HORIZON_DAYS = 2 * 366
"""Longer than any course; beyond it a date is almost surely a typo."""
MAX_SECTIONS = 200

LEARN_SHARE = 0.8
"""Learning aims to end this far into the pre-final days, leaving room for reviews."""
REVIEW_GAPS = (1, 3, 7, 14, 30, 60, 120)
"""Days between consecutive reviews of a section; doubles after the last."""
WEAK_GAP_CUT = 0.4
"""Weakness 1 shortens every gap by this share (weak sections come back sooner)."""
QUIZ_GROUP = 3
QUIZ_BASE_MINUTES, QUIZ_MINUTES_PER_SECTION = 10, 10
QUIZ_TOLERANCE_DAYS = 3
EXAM_PRACTICE_MINUTES = 60
FINAL_SHARE = 0.12
FINAL_MAX_DAYS = 14
PRELEARNED_SPREAD_DAYS = 7
"""Reviews of sections learned before the plan start spread over the first week."""


class PlanInputError(InvalidInput):
    """The request cannot be planned (the HTTP layer answers 400)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        details = (
            None if field is None else [{"field": field, "location": "body", "message": message}]
        )
        super().__init__(message, details=details)
        self.field = field


@dataclass(frozen=True, slots=True)
class SectionInput:
    section_id: str
    title: str
    pages: int | None = None
    words: int | None = None
    difficulty: float | None = None
    """0..1 from the language model, None when unknown."""
    weakness: float = 0.0
    """0..1 from quiz results and card lapses."""
    learned_minutes: int = 0
    """Already studied (replanning): subtracted from the section's effort."""
    learned: bool = False


@dataclass(frozen=True, slots=True)
class PlanRequest:
    start_date: date
    exam_date: date
    availability: Mapping[str, int]
    """Minutes per weekday name ``monday``..``sunday``; a missing day has none."""
    sections: Sequence[SectionInput]
    """In the course's order."""
    blackout_dates: frozenset[date] = frozenset()
    booked_minutes: Mapping[date, int] = field(default_factory=dict)
    """Minutes of a date already taken by sessions a replan keeps (worked
    ahead): the day holds only what is left of its availability."""
    preferred_session_minutes: int = 45
    min_session_minutes: int = 15
    max_session_minutes: int = 180


@dataclass(frozen=True, slots=True)
class PlannedSession:
    date: date
    kind: SessionKind
    section_id: str | None
    """None for a quiz spanning several sections and the practice exam."""
    minutes: int
    title: str


@dataclass(frozen=True, slots=True)
class Unscheduled:
    section_id: str
    minutes_missing: int


@dataclass(frozen=True, slots=True)
class Plan:
    sessions: tuple[PlannedSession, ...]
    """Sorted by date; within a day in the order to study them."""
    unscheduled: tuple[Unscheduled, ...] = ()
    warnings: tuple[str, ...] = ()


# ------------------------------------------------------------------ validation
def validate(request: PlanRequest, today: date | None = None) -> None:
    """Raise ``PlanInputError`` for a request no plan can honour."""
    if today is not None and request.start_date < today:
        raise PlanInputError("The start date is in the past.", field="start_date")
    if request.exam_date <= request.start_date:
        raise PlanInputError("The exam date must be after the start date.", field="exam_date")
    if (request.exam_date - request.start_date).days > MAX_HORIZON_DAYS:
        raise PlanInputError(
            f"The exam must be at most {MAX_HORIZON_DAYS} days after the start date.",
            field="exam_date",
        )
    unknown = sorted(set(request.availability) - set(WEEKDAYS))
    if unknown:
        raise PlanInputError(
            f"Availability keys must be weekday names (monday..sunday), not {', '.join(unknown)}.",
            field="availability",
        )
    for name, minutes in request.availability.items():
        if not 0 <= minutes <= MAX_DAY_MINUTES:
            raise PlanInputError(
                f"Availability for {name} must be between 0 and {MAX_DAY_MINUTES} minutes.",
                field="availability",
            )
    if not any(request.availability.values()):
        raise PlanInputError("No study time is available on any weekday.", field="availability")
    lo, pref, hi = (
        request.min_session_minutes,
        request.preferred_session_minutes,
        request.max_session_minutes,
    )
    if not MIN_PREFERRED_MINUTES <= pref <= MAX_PREFERRED_MINUTES:
        raise PlanInputError(
            f"The preferred session length must be between {MIN_PREFERRED_MINUTES} "
            f"and {MAX_PREFERRED_MINUTES} minutes.",
            field="preferred_session_minutes",
        )
    if not (MIN_SESSION_FLOOR <= lo <= pref <= hi <= MAX_SESSION_CEILING):
        raise PlanInputError(
            "Session bounds must satisfy "
            f"{MIN_SESSION_FLOOR} <= minimum <= preferred <= maximum <= {MAX_SESSION_CEILING}.",
            field="preferred_session_minutes",
        )
    _validate_sections(request.sections)
    if not study_days(
        request.start_date,
        request.exam_date,
        request.availability,
        request.blackout_dates,
        request.min_session_minutes,
        booked=request.booked_minutes,
    ):
        raise PlanInputError(
            "No day between the start date and the exam has time for a session "
            f"of at least {request.min_session_minutes} minutes.",
            field="availability",
        )


def _validate_sections(sections: Sequence[SectionInput]) -> None:
    if not sections:
        raise PlanInputError("The course has no sections to plan.", field="course_id")
    if len(sections) > MAX_SECTIONS:
        raise PlanInputError(f"A plan covers at most {MAX_SECTIONS} sections.", field="course_id")
    if len({s.section_id for s in sections}) != len(sections):
        raise PlanInputError("Section ids must be unique.", field="course_id")
    for s in sections:
        if s.difficulty is not None and not 0 <= s.difficulty <= 1:
            raise PlanInputError(f"Difficulty of {s.section_id} must be in 0..1.")
        if not 0 <= s.weakness <= 1:
            raise PlanInputError(f"Weakness of {s.section_id} must be in 0..1.")
        if s.learned_minutes < 0 or (s.pages or 0) < 0 or (s.words or 0) < 0:
            raise PlanInputError(f"Sizes and learned minutes of {s.section_id} cannot be negative.")


# ------------------------------------------------------------------ generation
@dataclass(order=True, slots=True)
class _Pending:
    """A review or quiz waiting for room: placed on the first study day in
    ``[due, deadline]`` with enough time left, else dropped."""

    due: date
    seq: int
    deadline: date = field(compare=False)
    kind: SessionKind = field(compare=False)
    section: int | None = field(compare=False)
    """Index into the request's sections (None: a quiz over several)."""
    step: int = field(compare=False, default=0)
    minutes: int = field(compare=False, default=0)
    title: str = field(compare=False, default="")


def review_gap(step: int, weakness: float) -> int:
    """Days from a section's review ``step`` (0 = after learning) to the next."""
    base = (
        REVIEW_GAPS[step]
        if step < len(REVIEW_GAPS)
        else REVIEW_GAPS[-1] * 2 ** (step - len(REVIEW_GAPS) + 1)
    )
    return max(1, round(base * (1 - WEAK_GAP_CUT * weakness)))


def final_period_days(study_day_count: int) -> int:
    """Days reserved for the final review: ~12%, at least 1 (2 from 10 days), at most 14."""
    if study_day_count < 3:
        return 0
    floor = 2 if study_day_count >= 10 else 1
    return max(floor, min(FINAL_MAX_DAYS, round(study_day_count * FINAL_SHARE)))


def generate_plan(request: PlanRequest, *, today: date | None = None) -> Plan:
    """The study plan for ``request`` (raises ``PlanInputError`` if it is invalid)."""
    validate(request, today)
    return _Planner(request).run()


class _Planner:
    def __init__(self, request: PlanRequest) -> None:
        self.r = request
        self.lo = request.min_session_minutes
        self.hi = request.max_session_minutes
        self.pref = request.preferred_session_minutes
        self.days = study_days(
            request.start_date,
            request.exam_date,
            request.availability,
            request.blackout_dates,
            self.lo,
            booked=request.booked_minutes,
        )
        sections = request.sections
        self.remaining = [effort.remaining_minutes(s, self.lo) for s in sections]
        self.review_len = [effort.review_minutes(s, self.lo, self.hi) for s in sections]
        self.learned_in_plan = [0] * len(sections)
        self.sessions: list[PlannedSession] = []
        self.pending: list[_Pending] = []
        self.seq = 0
        self.dropped_reviews = 0
        self.warnings: list[str] = []

    # The plan is built one study day at a time: learning first (it is what
    # ``unscheduled`` accounts for), then due reviews and quizzes in what is left.
    def run(self) -> Plan:
        n = len(self.days)
        total_learn = sum(self.remaining)
        final = final_period_days(n)
        if total_learn == 0:
            final = max(final, 1)  # everything learned: the plan is review
        elif final and total_learn > sum(m for _, m in self.days[: n - final]):
            final = 1  # short of time: new material before a long final review
            self.warnings.append(
                "The final review period was shortened to one day to make room for new material."
            )
        pre = n - final
        self.final_start = self.days[pre][0] if final else self.r.exam_date
        self._queue_prelearned()
        # Pacing: by the end of day i, learning should have reached the share of
        # all new material that days 0..i hold of the capacity up to the target day.
        target = min(pre, math.ceil(pre * LEARN_SHARE))
        through = list(itertools.accumulate(m for _, m in self.days[:target]))
        to_learn, learned = total_learn, 0

        current = self._next_to_learn(0)
        group: list[int] = []
        for i in range(pre):
            day, minutes = self.days[i]
            left = minutes
            if current < len(self.remaining):
                budget = minutes  # past the target day: every minute counts
                if i < target:
                    owed = math.ceil(to_learn * through[i] / through[-1]) - learned
                    # Whole preferred sessions when behind the pace, none when ahead.
                    budget = min(minutes, max(0, math.ceil(owed / self.pref)) * self.pref)
                    if self._started(current):
                        budget = max(budget, min(minutes, self.pref))  # finish what was begun
                used, current, finished = self._learn(day, budget, minutes, current)
                left -= used
                learned += used
                for s in finished:
                    self._queue_review(s, 0, day)
                    group.append(s)
                    if len(group) == QUIZ_GROUP or self._next_to_learn(s + 1) >= len(
                        self.remaining
                    ):
                        self._queue_quiz(group, day)
                        group = []
            self._place_due(day, left)
        # Whatever never came due before the final period is covered by it.
        self._final_review(pre)
        return self._finish(current)

    def _started(self, index: int) -> bool:
        return self.learned_in_plan[index] > 0 or self.r.sections[index].learned_minutes > 0

    def _next_to_learn(self, index: int) -> int:
        while index < len(self.remaining) and self.remaining[index] == 0:
            index += 1
        return index

    def _learn(
        self, day: date, budget: int, capacity: int, current: int
    ) -> tuple[int, int, list[int]]:
        """Learn sessions on ``day`` within the pacing ``budget`` (exceeded only
        to finish a section instead of leaving a stub, never beyond the day's
        ``capacity``): (minutes used, section to continue with, sections
        finished today)."""
        used = 0
        finished: list[int] = []
        n = len(self.remaining)
        while current < n and budget - used >= self.lo:
            left = self.remaining[current]
            most = min(self.pref, budget - used, self.hi)
            if left <= most:
                chunk = left
            elif left - most >= self.lo:
                chunk = most
            elif left <= min(capacity - used, self.hi):
                chunk = left  # a little over the preferred length beats a stub session
            elif left - self.lo >= self.lo:
                chunk = left - self.lo  # leave exactly one minimum session
            else:
                break  # cannot split without a too-short piece: continue tomorrow
            section = self.r.sections[current]
            self.sessions.append(
                PlannedSession(day, "learn", section.section_id, chunk, f"Learn: {section.title}")
            )
            used += chunk
            self.remaining[current] -= chunk
            self.learned_in_plan[current] += chunk
            if self.remaining[current] == 0:
                finished.append(current)
                current = self._next_to_learn(current + 1)
        return used, current, finished

    def _push(self, item: _Pending) -> None:
        if item.due < self.final_start:
            heapq.heappush(self.pending, item)

    def _queue_review(self, section: int, step: int, after: date) -> None:
        gap = review_gap(step, self.r.sections[section].weakness)
        due = after + timedelta(days=gap)
        self.seq += 1
        self._push(
            _Pending(due, self.seq, due + timedelta(days=max(1, gap // 2)), "review", section, step)
        )

    def _queue_prelearned(self) -> None:
        start = self.r.start_date
        done = [i for i, s in enumerate(self.r.sections) if self.remaining[i] == 0]
        done.sort(key=lambda i: -self.r.sections[i].weakness)  # weakest first
        for k, i in enumerate(done):
            due = start + timedelta(days=k % PRELEARNED_SPREAD_DAYS)
            self.seq += 1
            self._push(_Pending(due, self.seq, due + timedelta(days=3), "review", i, 0))

    def _queue_quiz(self, group: list[int], day: date) -> None:
        sections = self.r.sections
        first, last = sections[group[0]], sections[group[-1]]
        if len(group) == 1:
            section, title = group[0], f"Practice quiz: {first.title}"
        else:
            section, title = None, f"Practice quiz: {first.title} to {last.title}"
        minutes = QUIZ_BASE_MINUTES + QUIZ_MINUTES_PER_SECTION * len(group)
        due = day + timedelta(days=1)
        self.seq += 1
        self._push(
            _Pending(
                due,
                self.seq,
                due + timedelta(days=QUIZ_TOLERANCE_DAYS),
                "quiz",
                section,
                minutes=max(self.lo, min(minutes, self.hi)),
                title=title,
            )
        )

    def _place_due(self, day: date, left: int) -> None:
        waiting: list[_Pending] = []
        while self.pending and self.pending[0].due <= day:
            item = heapq.heappop(self.pending)
            if day > item.deadline:
                self._missed(item)
                continue
            if left < self.lo:
                waiting.append(item)
                continue
            if item.kind == "review":
                assert item.section is not None
                section = self.r.sections[item.section]
                minutes = min(self.review_len[item.section], left)
                self.sessions.append(
                    PlannedSession(
                        day, "review", section.section_id, minutes, f"Review: {section.title}"
                    )
                )
                self._queue_review(item.section, item.step + 1, day)
            else:
                minutes = min(item.minutes, left)
                section_id = (
                    None if item.section is None else self.r.sections[item.section].section_id
                )
                self.sessions.append(PlannedSession(day, "quiz", section_id, minutes, item.title))
            left -= minutes
        for item in waiting:
            heapq.heappush(self.pending, item)

    def _missed(self, item: _Pending) -> None:
        self.dropped_reviews += 1
        if item.kind == "review" and item.section is not None:
            # The ladder goes on from when the review was due, as if it had happened.
            self._queue_review(item.section, item.step + 1, item.due)

    def _final_review(self, pre: int) -> None:
        sections = self.r.sections
        covered = [
            i
            for i in range(len(sections))
            if self.learned_in_plan[i] > 0 or self.remaining[i] == 0  # learned before or now
        ]
        if not covered:
            return
        covered.sort(key=lambda i: (-sections[i].weakness, i))  # weakest first
        pointer = 0
        for index in range(pre, len(self.days)):
            day, left = self.days[index]
            if index == pre:
                minutes = min(EXAM_PRACTICE_MINUTES, left, self.hi)
                if minutes >= self.lo:
                    title = "Practice exam: all sections"
                    self.sessions.append(PlannedSession(day, "quiz", None, minutes, title))
                    left -= minutes
            for _ in covered:  # each section at most once a day
                if left < self.lo:
                    break
                i = covered[pointer]
                minutes = min(self.review_len[i], left)
                self.sessions.append(
                    PlannedSession(
                        day,
                        "final_review",
                        sections[i].section_id,
                        minutes,
                        f"Final review: {sections[i].title}",
                    )
                )
                left -= minutes
                pointer = (pointer + 1) % len(covered)

    def _finish(self, current: int) -> Plan:
        unscheduled = tuple(
            Unscheduled(self.r.sections[i].section_id, self.remaining[i])
            for i in range(current, len(self.remaining))
            if self.remaining[i] > 0
        )
        warnings = list(self.warnings)
        for name in WEEKDAYS:
            minutes = self.r.availability.get(name, 0)
            if 0 < minutes < self.lo:
                warnings.append(
                    f"{name.capitalize()}s have {minutes} minutes, less than the shortest "
                    f"session ({self.lo} minutes), so nothing is planned on them."
                )
        if unscheduled:
            missing = sum(u.minutes_missing for u in unscheduled)
            count = len(unscheduled)
            noun = "section does" if count == 1 else "sections do"
            warnings.append(
                f"{count} {noun} not fit before the exam: {missing} minutes of study are missing. "
                "Add study time, remove blackout dates or move the exam date."
            )
        if self.dropped_reviews == 1:
            warnings.append("1 spaced review or quiz did not fit and was left out.")
        elif self.dropped_reviews:
            warnings.append(
                f"{self.dropped_reviews} spaced reviews or quizzes did not fit and were left out."
            )
        if not any(s.kind == "final_review" for s in self.sessions) and len(self.days) < 3:
            warnings.append(
                "There are too few study days before the exam for a final review period."
            )
        return Plan(tuple(_number_parts(self.sessions)), unscheduled, tuple(warnings))


def _number_parts(sessions: list[PlannedSession]) -> list[PlannedSession]:
    """``Learn: X (part 2 of 3)`` when a section's learning spans several sessions."""
    counts: dict[str | None, int] = {}
    for s in sessions:
        if s.kind == "learn":
            counts[s.section_id] = counts.get(s.section_id, 0) + 1
    seen: dict[str | None, int] = {}
    numbered = []
    for s in sessions:
        total = counts.get(s.section_id, 0) if s.kind == "learn" else 0
        if total <= 1:
            numbered.append(s)
            continue
        seen[s.section_id] = seen.get(s.section_id, 0) + 1
        title = f"{s.title} (part {seen[s.section_id]} of {total})"
        numbered.append(PlannedSession(s.date, s.kind, s.section_id, s.minutes, title))
    return numbered
