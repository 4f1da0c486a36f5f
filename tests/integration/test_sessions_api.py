"""Study sessions over HTTP: the ``learning`` function loaded by
functions-framework, the SQLite store in a temporary folder, the real Auth
emulator. Ad-hoc sessions, plan sessions (written as the plans area writes
them), filters and paging, status transitions with their 409s, bad input,
foreign ids, and what completing does: the streak and the minutes."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from polyfactory import Use
from polyfactory.factories.pydantic_factory import ModelFactory

from aksio.accounts import paths as account_paths
from aksio.clock import FixedClock
from aksio.courses import repository as courses
from aksio.ids import new_id
from aksio.learning import paths
from aksio.learning.plans import repository as plans
from aksio.learning.sessions.models import SessionCreate
from tests.factories.courses import CourseCreateFactory
from tests.fixtures.app import Api
from tests.fixtures.students import CourseStudent, fields_of

pytestmark = pytest.mark.emulator
B = "/api/v1/learning/sessions"
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday
TODAY = START.date()
SESSION_FIELDS = {
    *("id", "plan_id", "course_id", "section_id", "title", "kind", "date", "minutes"),
    *("status", "actual_minutes", "notes"),
}


class SessionCreateFactory(ModelFactory[SessionCreate]):
    course_id = Use(new_id)
    section_id = None
    title = Use(lambda: random.choice(["Read chapter 2", "Practice problems", "Revise notes"]))
    kind = Use(lambda: random.choice(["learn", "review", "quiz"]))
    date = None
    minutes = Use(lambda: random.choice([15, 25, 30, 45, 60]))
    notes = None


def session_json(course_id: str, **overrides: Any) -> dict[str, Any]:
    body = SessionCreateFactory.build(course_id=course_id).model_dump(mode="json")
    return {k: v for k, v in body.items() if v is not None} | overrides


class Student(CourseStudent):
    base = B

    def adhoc(self, **overrides: Any) -> dict[str, Any]:
        course_id = overrides.pop("course_id", self.course_id)
        r = self.call("POST", "/", json=session_json(course_id, **overrides))
        assert r.status_code == 201, r.json
        return dict(r.json)

    def plan(self, days: list[date], *, status: str = "ready") -> tuple[str, list[str]]:
        """A plan and its sessions, stored the way the plans area stores them."""
        s, now = self.api.services, self.api.services.clock.now()
        plan_id = new_id()
        plans.create_plan(
            s.documents,
            self.user.uid,
            plan_id,
            {
                "course_id": self.course_id,
                "status": status,
                "start_date": days[0].isoformat(),
                "exam_date": (days[-1] + timedelta(days=7)).isoformat(),
                "availability": dict.fromkeys(("monday", "wednesday", "friday"), 60),
                "preferred_session_minutes": 30,
                "revision": 0,
                "created_at": now,
                "updated_at": now,
            },
        )
        ids = [plans.session_id(plan_id, 0, i) for i in range(len(days))]
        plans.write_sessions(
            s.documents,
            self.user.uid,
            [
                {
                    "id": sid,
                    "plan_id": plan_id,
                    "course_id": self.course_id,
                    "section_id": None,
                    "title": f"Session {i + 1}",
                    "kind": "learn",
                    "date": day.isoformat(),
                    "minutes": 30,
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

    def patch(self, session_id: str, **body: Any) -> Any:
        return self.call("PATCH", f"/{session_id}/", json=body)

    def learning_stats(self) -> dict[str, Any]:
        snap = self.api.services.documents.get(paths.stats(self.user.uid))
        return dict(snap.data) if snap else {}


@pytest.fixture
def clock(learning_api: Api) -> FixedClock:
    fixed = FixedClock(START)
    learning_api.services.clock = fixed
    return fixed


@pytest.fixture
def me(learning_api: Api, clock: FixedClock) -> Student:
    return Student.create(learning_api)


# ------------------------------------------------------------------ CRUD
def test_create_and_get_an_adhoc_session(me: Student) -> None:
    section = me.section()
    created = me.adhoc(section_id=section, title=None, date="2025-03-05", notes="  chapter 3 ")
    assert set(created) >= SESSION_FIELDS
    assert created["plan_id"] is None and created["course_id"] == me.course_id
    assert (created["status"], created["actual_minutes"], created["date"]) == (
        "planned",
        None,
        "2025-03-05",
    )
    assert created["notes"] == "chapter 3"
    # no title: the section's
    section_title = courses.get_section(
        me.api.services.documents, me.user.uid, me.course_id, section
    ).title
    assert created["title"] == section_title
    got = me.call("GET", f"/{created['id']}/")
    assert got.status_code == 200 and got.json == created


def test_create_defaults_to_today_in_the_students_time_zone(me: Student, clock: FixedClock) -> None:
    me.api.services.documents.set(
        account_paths.user(me.user.uid), {"timezone": "Pacific/Auckland"}, merge=True
    )
    clock.at = datetime(2025, 3, 3, 20, 0, tzinfo=UTC)  # already the 4th in Auckland
    assert me.adhoc(date=None)["date"] == "2025-03-04"
    course_title = courses.get_course(me.api.services.documents, me.user.uid, me.course_id).title
    assert me.adhoc(title=None)["title"] == course_title


def test_list_filters_by_date_course_plan_and_status_in_date_order(me: Student) -> None:
    other_course = courses.create_course(
        me.api.services.documents, me.user.uid, CourseCreateFactory.build(), START
    ).id
    plan_id, planned = me.plan([TODAY + timedelta(days=d) for d in (0, 2, 4)])
    a = me.adhoc(date="2025-03-04")["id"]
    b = me.adhoc(date="2025-03-01", course_id=other_course)["id"]
    me.patch(planned[0], status="skipped")

    def ids(query: str) -> list[str]:
        r = me.call("GET", f"/?{query}")
        assert r.status_code == 200, r.json
        return [s["id"] for s in r.json["items"]]

    assert ids("") == [b, planned[0], a, planned[1], planned[2]]
    assert ids("from=2025-03-03&to=2025-03-05") == [planned[0], a, planned[1]]
    assert ids("date_from=2025-03-04&date_to=2025-03-04") == [a]
    assert ids(f"course_id={other_course}") == [b]
    assert ids(f"plan_id={plan_id}") == planned
    assert ids(f"plan_id={plan_id}&status=planned") == planned[1:]
    assert ids(f"course_id={me.course_id}&status=skipped") == [planned[0]]
    assert me.call("GET", f"/?course_id={new_id()}").status_code == 404  # not an empty list


def test_list_pages_with_a_cursor(me: Student) -> None:
    made = [me.adhoc(date=(TODAY + timedelta(days=d)).isoformat())["id"] for d in range(5)]
    seen: list[str] = []
    cursor = None
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        r = me.call("GET", f"/{query}")
        assert r.status_code == 200 and len(r.json["items"]) <= 2
        seen += [s["id"] for s in r.json["items"]]
        cursor = r.json["next_cursor"]
        if cursor is None:
            break
    assert seen == made


# ------------------------------------------------------------------ transitions
def test_start_then_complete_records_minutes_activity_and_streak(
    me: Student, clock: FixedClock
) -> None:
    session = me.adhoc(minutes=30)
    started = me.patch(session["id"], status="in_progress")
    assert started.status_code == 200 and started.json["status"] == "in_progress"
    assert started.json["started_at"] == "2025-03-03T09:00:00Z"
    clock.advance(minutes=40)
    done = me.patch(session["id"], status="completed", actual_minutes=40, notes="Hard one")
    assert done.status_code == 200, done.json
    assert (done.json["status"], done.json["actual_minutes"], done.json["notes"]) == (
        "completed",
        40,
        "Hard one",
    )
    stats = me.learning_stats()
    assert stats["minutes_by_day"] == {"2025-03-03": 40}
    assert stats["courses"][me.course_id]["minutes_by_day"] == {"2025-03-03": 40}
    assert stats["courses"][me.course_id]["completed"] == 1
    assert "plans" not in stats  # ad-hoc

    store = me.api.services.documents
    streak = store.get(account_paths.streak(me.user.uid))
    assert streak is not None and streak.data["current"] == 1
    activity = store.query(collection_of(account_paths.activity(me.user.uid)))
    assert [(a.data["kind"], a.data["minutes"], a.data["course_id"]) for a in activity] == [
        ("study", 40, me.course_id)
    ]

    # the next day: the streak grows, the minutes land on that day
    clock.advance(days=1)
    other = me.adhoc(minutes=25)
    assert me.patch(other["id"], status="completed").json["actual_minutes"] == 25
    assert me.learning_stats()["minutes_by_day"] == {"2025-03-03": 40, "2025-03-04": 25}
    streak = store.get(account_paths.streak(me.user.uid))
    assert streak is not None and streak.data["current"] == 2


def collection_of(path: str) -> Any:
    from aksio.ports.documents import collection

    return collection(path)


def test_plan_session_counters_and_future_sessions(me: Student) -> None:
    plan_id, ids = me.plan([TODAY - timedelta(days=1), TODAY, TODAY + timedelta(days=3)])
    assert me.patch(ids[0], status="skipped").status_code == 200
    assert me.patch(ids[1], status="completed", actual_minutes=35).status_code == 200
    # working ahead: a session dated in the future may be completed today
    ahead = me.patch(ids[2], status="completed")
    assert ahead.status_code == 200 and ahead.json["actual_minutes"] == 30
    plan = me.learning_stats()["plans"][plan_id]
    assert plan == {"course_id": me.course_id, "completed": 2, "skipped": 1, "minutes": 65}
    assert me.learning_stats()["minutes_by_day"] == {"2025-03-03": 65}


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("completed", "completed"),
        ("completed", "skipped"),
        ("completed", "in_progress"),
        ("skipped", "completed"),
        ("skipped", "skipped"),
        ("skipped", "in_progress"),
        ("in_progress", "in_progress"),
    ],
)
def test_invalid_transitions_are_409_and_change_nothing(me: Student, first: str, then: str) -> None:
    session = me.adhoc()
    assert me.patch(session["id"], status=first).status_code == 200
    before = me.learning_stats()
    r = me.patch(session["id"], status=then)
    assert r.status_code == 409 and r.json["error"]["code"] == "conflict"
    assert me.learning_stats() == before
    assert me.call("GET", f"/{session['id']}/").json["status"] == first


def test_notes_change_without_a_status_and_null_clears_them(me: Student) -> None:
    session = me.adhoc(notes="first")
    assert me.patch(session["id"], notes="second").json["notes"] == "second"
    me.patch(session["id"], status="completed")
    assert me.patch(session["id"], notes="after").json["notes"] == "after"  # allowed when done
    assert me.patch(session["id"], notes=None).json["notes"] is None
    assert me.learning_stats()["courses"][me.course_id]["completed"] == 1


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"minutes": 0}, "minutes"),
        ({"minutes": 481}, "minutes"),
        ({"minutes": "30"}, "minutes"),
        ({"kind": "nap"}, "kind"),
        ({"date": "2025-02-30"}, "date"),
        ({"date": "2031-01-01"}, "date"),
        ({"course_id": "../x"}, "course_id"),
        ({"status": "completed"}, "status"),
        ({"title": " "}, "title"),
        ({"plan_id": None}, "plan_id"),
    ],
)
def test_create_bad_input_is_400_naming_the_field(
    me: Student, body: dict[str, Any], field: str
) -> None:
    assert field in fields_of(me.call("POST", "/", json=session_json(me.course_id) | body))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"status": "planned"}, "status"),
        ({"status": None}, "status"),
        ({"status": "completed", "actual_minutes": -1}, "actual_minutes"),
        ({"status": "completed", "actual_minutes": 1441}, "actual_minutes"),
        ({"status": "completed", "actual_minutes": 2.5}, "actual_minutes"),
        ({"actual_minutes": 20}, "body"),
        ({"status": "in_progress", "actual_minutes": 20}, "body"),
        ({"notes": "x" * 5001}, "notes"),
        ({"status": "completed", "duration": 3}, "duration"),
    ],
)
def test_update_bad_input_is_400(me: Student, body: dict[str, Any], field: str) -> None:
    session = me.adhoc()
    fields = fields_of(me.patch(session["id"], **body))
    assert field in fields or (field == "body" and fields)
    assert me.call("GET", f"/{session['id']}/").json["status"] == "planned"


@pytest.mark.parametrize(
    "query",
    [
        *("from=yesterday", "from=2025-03-05&to=2025-03-01", "status=done", "limit=0"),
        # found by fuzzing: numbers were taken as Unix timestamps (0 = 1970-01-01)
        *("colour=red", "to=0", "from=1740960000", "to=20250303", "from=2025-03-03T00:00"),
    ],
)
def test_list_bad_query_is_400(me: Student, query: str) -> None:
    r = me.call("GET", f"/?{query}")
    assert r.status_code == 400, r.json


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_dates_at_the_edges_of_the_calendar_are_400_or_listed(me: Student, day: str) -> None:
    assert fields_of(me.call("POST", "/", json=session_json(me.course_id, date=day))) == ["date"]
    session = me.adhoc()
    r = me.call("GET", "/", query_string={"from": "0001-01-01", "to": "9999-12-31"})
    assert r.status_code == 200 and [s["id"] for s in r.json["items"]] == [session["id"]]
    r = me.call("GET", "/", query_string={"from": day, "to": day})
    assert r.status_code == 200 and r.json["items"] == []


def test_completed_minutes_default_to_planned_and_accept_integral_floats(me: Student) -> None:
    s = me.adhoc(minutes=45)
    assert me.patch(s["id"], status="completed", actual_minutes=50.0).json["actual_minutes"] == 50


# ------------------------------------------------------------------ ownership
def test_foreign_and_unknown_ids_are_404(learning_api: Api, me: Student) -> None:
    mine = me.adhoc()
    other = Student.create(learning_api)
    for method, body in (("GET", None), ("PATCH", {"status": "skipped"})):
        r = other.call(method, f"/{mine['id']}/", json=body)
        assert r.status_code == 404 and r.json["error"]["code"] == "not_found"
    assert other.call("GET", f"/{new_id()}/").status_code == 404
    assert other.call("GET", "/bad%20id/").status_code == 404
    assert other.call("GET", "/").json["items"] == []
    # a list filtered by another user's (or no) course or plan: 404, not an
    # empty list (found by fuzzing; the assessments lists answer the same)
    plan_id, _ = me.plan([TODAY])
    for query in (
        {"course_id": me.course_id},
        {"course_id": new_id()},
        {"plan_id": plan_id},
        {"course_id": other.course_id, "plan_id": plan_id},
        {"plan_id": "no-such-plan"},
    ):
        r = other.call("GET", "/", query_string=query)
        assert r.status_code == 404 and r.json["error"]["code"] == "not_found", (query, r.json)
    r = me.call("GET", "/", query_string={"course_id": me.course_id, "plan_id": plan_id})
    assert r.status_code == 200 and len(r.json["items"]) == 1
    # another user's course, an unknown course, a section of another course
    assert other.call("POST", "/", json=session_json(me.course_id)).status_code == 404
    assert other.call("POST", "/", json=session_json(new_id())).status_code == 404
    foreign_section = me.section()
    r = other.call("POST", "/", json=session_json(other.course_id, section_id=foreign_section))
    assert r.status_code == 404
    assert me.call("GET", f"/{mine['id']}/").json["status"] == "planned"


def test_a_course_being_deleted_takes_no_new_session(me: Student) -> None:
    courses.mark_deleting(me.api.services.documents, me.user.uid, me.course_id, START)
    assert me.call("POST", "/", json=session_json(me.course_id)).status_code == 404


def test_unauthenticated_is_401(learning_api: Api) -> None:
    assert learning_api.client.get(f"{B}/").status_code == 401


def test_skipping_a_session_of_a_plan_far_behind_queues_a_replan(me: Student) -> None:
    # 6 missed sessions of 30 minutes: 180 minutes behind, over the 120 margin
    plan_id, ids = me.plan([TODAY - timedelta(days=d) for d in range(6, 0, -1)])
    store = me.api.services.documents
    assert me.patch(ids[0], status="skipped").status_code == 200
    plan = store.get(paths.study_plan(me.user.uid, plan_id))
    assert plan is not None and plan.data["revision"] == 1


def test_completing_a_session_of_a_plan_on_track_does_not_replan(me: Student) -> None:
    plan_id, ids = me.plan([TODAY - timedelta(days=1), TODAY])
    assert me.patch(ids[0], status="completed").status_code == 200
    plan = me.api.services.documents.get(paths.study_plan(me.user.uid, plan_id))
    assert plan is not None and (plan.data["revision"], plan.data["status"]) == (0, "ready")
