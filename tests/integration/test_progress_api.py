"""Progress over HTTP: the ``learning`` function loaded by functions-framework,
the SQLite store, the real Auth emulator. Numbers after real reviews (the
flashcards code), a real quiz attempt and sessions completed over HTTP:
minutes, reviews per day, retention, streak, cards due, plan adherence,
mastery per section and the weakest sections; bad input and foreign ids.
Mastery comes from snapshots the ``refresh_mastery`` task computes through
the in-process queue and the real task worker: the first call asks for one,
the next shows it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import pytest

import aksio.learning.progress.tasks  # noqa: F401 (registers refresh_mastery)
from aksio.adapters.inprocess_tasks import InProcessTaskQueue
from aksio.assessments import scheduling
from aksio.assessments.flashcards import repository as cards
from aksio.assessments.flashcards import reviews
from aksio.assessments.quizzes import repository as quizzes
from aksio.assessments.quizzes.models import AttemptCreate
from aksio.assessments.scheduling import RatingName
from aksio.clock import FixedClock
from aksio.courses import repository as courses
from aksio.ids import new_id
from aksio.learning.plans import repository as plans
from tests.factories.courses import CourseCreateFactory, SectionCreateFactory
from tests.factories.flashcards import FlashcardCreateFactory
from tests.factories.quizzes import QuizCreateFactory
from tests.factories.users import TestUser
from tests.fixtures.app import Api

pytestmark = pytest.mark.emulator
B = "/api/v1/learning"
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday
PROGRESS_FIELDS = {
    *("minutes_by_day", "reviews_by_day", "retention", "streak", "due_next_7_days"),
    *("due_next_30_days", "plan_adherence", "courses"),
}


@dataclass
class Student:
    api: Api
    user: TestUser
    course_id: str
    clock: FixedClock

    @property
    def store(self) -> Any:
        return self.api.services.documents

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = self.api.bearer(self.user)
        return self.api.client.open(f"{B}{path}", method=method, headers=headers, **kwargs)

    def progress(self, query: str = "") -> dict[str, Any]:
        r = self.call("GET", f"/progress/{query}")
        assert r.status_code == 200, r.json
        return dict(r.json)

    def settle(self) -> None:
        """Let the mastery refreshes the last calls asked for run."""
        assert cast(InProcessTaskQueue, self.api.services.tasks).drain(30)

    def settled_progress(self, query: str = "") -> dict[str, Any]:
        """Progress with fresh mastery: a call, its refreshes, a second call."""
        self.progress(query)
        self.settle()
        got = self.progress(query)
        assert not any(c["mastery_stale"] for c in got["courses"]), got["courses"]
        return got

    def section(self, course_id: str | None = None) -> str:
        return courses.create_section(
            self.store,
            self.user.uid,
            course_id or self.course_id,
            SectionCreateFactory.build(),
            self.clock.now(),
        ).id

    def cards(self, n: int, section_id: str | None, course_id: str | None = None) -> list[str]:
        bodies = [
            FlashcardCreateFactory.build(
                course_id=course_id or self.course_id, section_id=section_id
            )
            for _ in range(n)
        ]
        return [
            c.id for c in cards.create_cards(self.store, self.user.uid, bodies, self.clock.now())
        ]

    def review(self, card_id: str, rating: RatingName) -> None:
        reviews.review_card(
            self.store, self.user.uid, card_id, rating=rating, duration_ms=4000, now=self.clock.now
        )

    def session(self, **body: Any) -> dict[str, Any]:
        r = self.call(
            "POST", "/sessions/", json={"course_id": self.course_id, "minutes": 30} | body
        )
        assert r.status_code == 201, r.json
        return dict(r.json)

    def complete(self, session_id: str, minutes: int | None = None) -> None:
        body: dict[str, Any] = {"status": "completed"}
        if minutes is not None:
            body["actual_minutes"] = minutes
        r = self.call("PATCH", f"/sessions/{session_id}/", json=body)
        assert r.status_code == 200, r.json


@pytest.fixture
def clock(learning_api: Api) -> Iterator[FixedClock]:
    fixed = FixedClock(START)
    learning_api.services.clock = fixed
    yield fixed
    # refreshes still queued must not run against the store the fixture closes
    if "tasks" in learning_api.services._built:
        queue = cast(InProcessTaskQueue, learning_api.services.tasks)
        queue.drain(30)
        queue.close()


def student(api: Api, clock: FixedClock) -> Student:
    user = api.user()
    course = courses.create_course(
        api.services.documents, user.uid, CourseCreateFactory.build(), clock.now()
    )
    return Student(api, user, course.id, clock)


@pytest.fixture
def me(learning_api: Api, clock: FixedClock) -> Student:
    return student(learning_api, clock)


def test_a_new_student_has_empty_progress(me: Student) -> None:
    section = me.section()
    got = me.progress()
    assert set(got) >= PROGRESS_FIELDS
    assert len(got["minutes_by_day"]) == 30 and set(got["minutes_by_day"].values()) == {0}
    assert list(got["minutes_by_day"])[-1] == "2025-03-03"
    assert (got["retention"], got["plan_adherence"]) == (None, None)
    assert (got["due_next_7_days"], got["due_next_30_days"]) == (0, 0)
    assert got["streak"] == {
        "current": 0,
        "longest": 0,
        "today_done": False,
        "last_active_date": None,
    }
    [course] = got["courses"]
    assert course["course_id"] == me.course_id and course["mastery"] is None
    assert (course["mastery_as_of"], course["mastery_stale"]) == (None, True)
    assert [(s["section_id"], s["mastery"], s["cards"]) for s in course["sections"]] == [
        (section, None, 0)
    ]
    assert course["weakest_sections"] == []
    # the refresh the first call asked for has run: no cards, so still no mastery
    me.settle()
    [course] = me.progress()["courses"]
    assert (course["mastery"], course["mastery_as_of"]) == (None, "2025-03-03T09:00:00Z")
    assert course["mastery_stale"] is False


def test_mastery_is_computed_in_the_background_and_dated(me: Student, clock: FixedClock) -> None:
    section = me.section()
    card_ids = me.cards(3, section)
    me.progress()
    me.settle()
    before = me.progress(f"?course_id={me.course_id}")["courses"][0]
    assert before["mastery"] == 0.0 and before["mastery_as_of"] == "2025-03-03T09:00:00Z"
    assert before["cards_counted"] == 3 and before["mastery_stale"] is False

    clock.advance(hours=2)
    for card in card_ids:
        me.review(card, "easy")
    stale = me.progress(f"?course_id={me.course_id}")["courses"][0]
    # answered from the snapshot it has, marked stale; the refresh is queued
    assert (stale["mastery"], stale["mastery_as_of"], stale["mastery_stale"]) == (
        0.0,
        "2025-03-03T09:00:00Z",
        True,
    )
    me.settle()
    fresh = me.progress(f"?course_id={me.course_id}")["courses"][0]
    assert fresh["mastery_as_of"] == "2025-03-03T11:00:00Z" and fresh["mastery_stale"] is False
    assert fresh["mastery"] == pytest.approx(1.0)  # just reviewed: recall certain now
    assert fresh["sections"][0]["reviewed_cards"] == 3


def test_progress_after_reviews_a_quiz_and_sessions(me: Student, clock: FixedClock) -> None:
    strong, weak, untouched = me.section(), me.section(), me.section()
    strong_cards = me.cards(2, strong)
    weak_cards = me.cards(2, weak)
    new_cards = me.cards(2, untouched)
    loose = me.cards(1, None)

    # day 1: every card of two sections goes straight to review ("easy")
    for card in strong_cards + weak_cards:
        me.review(card, "easy")
    # day 9: strong ones recalled, weak ones forgotten (lapses)
    clock.advance(days=8)
    for card in strong_cards:
        me.review(card, "good")
    for card in weak_cards:
        me.review(card, "again")
    # a quiz over the weak section, all answers wrong
    quiz = quizzes.create_quiz(
        me.store,
        me.user.uid,
        QuizCreateFactory.build(course_id=me.course_id, section_id=weak),
        clock.now(),
    )
    quizzes.submit_attempt(me.store, me.user.uid, quiz.id, AttemptCreate(answers=[]), clock.now())
    # three days later: two sessions studied today; the lapsed cards fade faster
    clock.advance(days=3)
    me.complete(me.session()["id"], minutes=25)
    me.complete(me.session(minutes=45)["id"])

    got = me.settled_progress("?days=14")
    today = "2025-03-14"
    assert list(got["minutes_by_day"])[-1] == today and len(got["minutes_by_day"]) == 14
    assert got["minutes_by_day"][today] == 70
    assert got["minutes_by_week"] == {"2025-02-24": 0, "2025-03-03": 0, "2025-03-10": 70}
    assert got["reviews_by_day"]["2025-03-03"] == 4 and got["reviews_by_day"]["2025-03-11"] == 4
    assert sum(got["reviews_by_day"].values()) == 8
    assert got["retention"] == 0.5  # 2 of the 4 reviews in the review state recalled
    assert got["streak"]["current"] == 1 and got["streak"]["today_done"] is True

    # due: the lapsed cards and the never-reviewed ones now, the recalled later
    docs = {c: cards.get_card(me.store, me.user.uid, c) for c in strong_cards + weak_cards}
    now = clock.now()
    due_7 = 3 + sum(1 for d in docs.values() if d.due <= now + timedelta(days=7))
    due_30 = 3 + sum(1 for d in docs.values() if d.due <= now + timedelta(days=30))
    assert (got["due_next_7_days"], got["due_next_30_days"]) == (due_7, due_30)
    assert due_7 >= 5  # 3 new + 2 lapsed

    [course] = got["courses"]
    by_id = {s["section_id"]: s for s in course["sections"]}
    assert [s["section_id"] for s in course["sections"]] == [strong, weak, untouched]

    def r_now(card_id: str) -> float:
        doc = me.store.get(f"users/{me.user.uid}/flashcards/{card_id}").data
        return scheduling.retrievability(scheduling.CardState.from_dict(doc["fsrs"]), now)

    expected_strong = sum(r_now(c) for c in strong_cards) / 2
    assert by_id[strong]["mastery"] == pytest.approx(expected_strong)
    assert by_id[weak]["mastery"] == pytest.approx(sum(r_now(c) for c in weak_cards) / 2)
    assert by_id[strong]["mastery"] > by_id[weak]["mastery"]
    assert (by_id[untouched]["mastery"], by_id[untouched]["reviewed_cards"]) == (0.0, 0)
    everything = strong_cards + weak_cards + new_cards + loose
    assert course["mastery"] == pytest.approx(sum(r_now(c) for c in everything) / 7)
    assert course["cards_counted"] == 7 and course["cards_capped"] is False
    assert course["mastery_as_of"] == "2025-03-14T09:00:00Z"
    # weakest first: the section with lapses and a failed quiz; the untouched
    # section is not started, so not listed as weak
    weakest = [w["section_id"] for w in course["weakest_sections"]]
    assert weakest[0] == weak and untouched not in weakest
    assert course["weakest_sections"][0]["weakness"] > 0.5


def test_plan_adherence_counts_sessions_of_earlier_days_and_today_once_done(
    me: Student, clock: FixedClock
) -> None:
    today = clock.now().date()
    _, ids = make_plan(me, [today + timedelta(days=d) for d in (-3, -2, -1, 0, 1, 2)])
    assert me.progress()["plan_adherence"] == 0.0
    me.complete(ids[0])
    me.complete(ids[2], minutes=10)
    r = me.call("PATCH", f"/sessions/{ids[1]}/", json={"status": "skipped"})
    assert r.status_code == 200
    me.complete(ids[5])  # working ahead: not yet due, not counted
    got = me.progress()
    # 2 of the 3 sessions of earlier days; today's is not missed yet
    assert got["plan_adherence"] == pytest.approx(2 / 3)
    me.complete(ids[3])  # today's, done: now it counts
    assert me.progress()["plan_adherence"] == 0.75
    # ad-hoc sessions are outside any plan
    me.complete(me.session()["id"])
    assert me.progress(f"?course_id={me.course_id}")["plan_adherence"] == 0.75
    # another course's plan does not count in this course's view
    other = courses.create_course(me.store, me.user.uid, CourseCreateFactory.build(), START).id
    _, other_ids = make_plan(me, [today - timedelta(days=1), today], course_id=other)
    assert me.progress(f"?course_id={me.course_id}")["plan_adherence"] == 0.75
    assert me.progress(f"?course_id={other}")["plan_adherence"] == 0.0
    assert me.progress()["plan_adherence"] == 0.6  # 3 of 5
    # tomorrow, today's session not done is missed
    clock.advance(days=1)
    assert me.progress(f"?course_id={other}")["plan_adherence"] == 0.0
    me.call("PATCH", f"/sessions/{other_ids[1]}/", json={"status": "completed"})
    assert me.progress(f"?course_id={other}")["plan_adherence"] == 0.5


def test_minutes_logged_by_hand_count_as_studied_and_sessions_count_once(
    me: Student, accounts_function: Any
) -> None:
    accounts = accounts_function.test_client()

    def log(**body: Any) -> None:
        r = accounts.post("/api/v1/accounts/activity/", json=body, headers=me.api.bearer(me.user))
        assert r.status_code == 201, r.json

    log(kind="reading", minutes=25, course_id=me.course_id)
    log(kind="study", minutes=10)  # no course: the user's total only
    me.complete(me.session(minutes=30)["id"])  # its own activity is not counted again
    today = START.date().isoformat()
    assert me.progress()["minutes_by_day"][today] == 65
    assert me.progress(f"?course_id={me.course_id}")["minutes_by_day"][today] == 55
    streak = accounts.get("/api/v1/accounts/streak/", headers=me.api.bearer(me.user)).json
    assert streak["current"] == 1


def make_plan(me: Student, days: list[date], course_id: str | None = None) -> tuple[str, list[str]]:
    """A ready plan and its sessions, stored as the plans area stores them."""
    plan_id, now, course = new_id(), me.clock.now(), course_id or me.course_id
    plans.create_plan(
        me.store,
        me.user.uid,
        plan_id,
        {
            "course_id": course,
            "status": "ready",
            "start_date": days[0].isoformat(),
            "exam_date": (days[-1] + timedelta(days=10)).isoformat(),
            "availability": dict.fromkeys(("monday", "tuesday", "thursday"), 90),
            "preferred_session_minutes": 30,
            "revision": 0,
            "created_at": now,
            "updated_at": now,
        },
    )
    ids = [plans.session_id(plan_id, 0, i) for i in range(len(days))]
    plans.write_sessions(
        me.store,
        me.user.uid,
        [
            {
                "id": sid,
                "plan_id": plan_id,
                "course_id": course,
                "section_id": None,
                "title": f"Review {i + 1}",
                "kind": "review",
                "date": day.isoformat(),
                "minutes": 20,
                "status": "planned",
                "actual_minutes": None,
                "notes": None,
                "created_at": now,
                "updated_at": now,
            }
            for i, (sid, day) in enumerate(zip(ids, days, strict=True))
        ],
    )
    return plan_id, ids


def test_one_course_view_keeps_to_that_course(me: Student) -> None:
    other = courses.create_course(me.store, me.user.uid, CourseCreateFactory.build(), START).id
    for card in me.cards(3, None):
        me.review(card, "good")
    me.cards(2, None, course_id=other)
    me.complete(me.session(minutes=20)["id"])
    all_courses = me.progress()
    assert {c["course_id"] for c in all_courses["courses"]} == {me.course_id, other}
    assert all_courses["due_next_7_days"] == 5
    assert all_courses["minutes_by_day"]["2025-03-03"] == 20
    assert all_courses["reviews_by_day"]["2025-03-03"] == 3
    assert me.progress(f"?course_id={me.course_id}")["reviews_by_day"]["2025-03-03"] == 3
    mine = me.progress(f"?course_id={other}")
    assert [c["course_id"] for c in mine["courses"]] == [other]
    assert mine["due_next_7_days"] == 2 and mine["minutes_by_day"]["2025-03-03"] == 0
    assert sum(mine["reviews_by_day"].values()) == 0 and mine["retention"] is None
    # archived courses leave the all-courses view
    courses.update_course(me.store, me.user.uid, other, {"archived": True}, START)
    assert [c["course_id"] for c in me.progress()["courses"]] == [me.course_id]


@pytest.mark.parametrize(
    "query", ["?days=0", "?days=367", "?days=ten", "?course_id=a/b", "?colour=red"]
)
def test_bad_query_is_400(me: Student, query: str) -> None:
    r = me.call("GET", f"/progress/{query}")
    assert r.status_code == 400 and r.json["error"]["code"] == "validation_error"


def test_foreign_unknown_and_deleting_courses_are_404(
    learning_api: Api, me: Student, clock: FixedClock
) -> None:
    other = student(learning_api, clock)
    for course_id in (me.course_id, new_id()):
        r = other.call("GET", f"/progress/?course_id={course_id}")
        assert r.status_code == 404 and r.json["error"]["code"] == "not_found"
    courses.mark_deleting(me.store, me.user.uid, me.course_id, START)
    assert me.call("GET", f"/progress/?course_id={me.course_id}").status_code == 404
    assert me.progress()["courses"] == []
