"""Study plans over HTTP through the real learning function: plans built by
the ``generate_study_plan`` task in the in-process queue (which delivers
through the task worker, retries with backoff and gives up), read, replanned
and deleted; bad input, foreign ids and empty courses answered as documented."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest

import aksio.learning.plans.tasks  # noqa: F401  (registers the task handler)
from aksio.adapters.inprocess_tasks import InProcessTaskQueue
from aksio.assessments import paths as assessment_paths
from aksio.clock import FixedClock
from aksio.composition import Services, set_services
from aksio.courses.repository import create_course, create_section, mark_deleting
from aksio.documents import paths as doc_paths
from aksio.documents import repository as doc_repository
from aksio.learning import paths
from aksio.learning.plans import service
from aksio.learning.plans.difficulty import WARNING as DIFFICULTY_WARNING
from aksio.learning.plans.service import PLAN_TASK
from aksio.ports.llm import LanguageModelError
from aksio.ports.tasks import Task
from aksio.tasks.stuck import STUCK_ERROR, stuck_after
from tests.factories.courses import CourseCreateFactory, SectionCreateFactory
from tests.factories.generation import ScriptedLanguageModel, seed_processed_document
from tests.factories.learning import plan_body, plan_violations
from tests.factories.users import TestUser
from tests.fixtures.app import Api, make_services
from tests.fixtures.auth_emulator import AuthEmulator
from tests.fixtures.students import fields_of

pytestmark = pytest.mark.emulator
P = "/api/v1/learning/study-plans/"
NOW = datetime.now(UTC).replace(microsecond=0)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
TODAY = NOW.date()


@pytest.fixture
def services(tmp_path: Path, auth_emulator: AuthEmulator) -> Iterator[Services]:
    """The suite's services with a movable clock and a short retry schedule
    (3 attempts, 50 ms apart), so giving up takes a fraction of a second."""
    base = make_services(
        tmp_path,
        auth_emulator,
        task_max_attempts=3,
        task_min_backoff_s=0.05,
        task_max_backoff_s=0.2,
    )
    built = Services(
        base.settings,
        documents=base.documents,
        identity=base.identity,
        password_auth=base.password_auth,
        clock=FixedClock(NOW),
    )
    set_services(built)
    yield built
    set_services(None)
    built.close()


class Student:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.user: TestUser = api.user()
        self.store = api.services.documents

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.api.client.open(
            path, method=method, headers=self.api.bearer(self.user), **kwargs
        )

    def course(self, sections: int = 4) -> str:
        now = self.api.services.clock.now()
        course = create_course(self.store, self.user.uid, CourseCreateFactory.build(), now)
        for i in range(sections):
            body = SectionCreateFactory.build(title=f"Chapter {i + 1}")
            create_section(self.store, self.user.uid, course.id, body, now)
        self.store.set(
            doc_paths.document(self.user.uid, course.id, "textbook"),
            {"status": "ready", "word_count": 18_000, "page_count": 60},
        )
        return course.id

    def create(self, course_id: str, **overrides: Any) -> Any:
        return self.call("POST", P, json=plan_body(course_id, TODAY, **overrides))

    def wait(self) -> None:
        queue = cast(InProcessTaskQueue, self.api.services.tasks)
        assert queue.drain(30), "tasks did not finish"

    def plan(self, plan_id: str) -> dict[str, Any]:
        r = self.call("GET", f"{P}{plan_id}/")
        assert r.status_code == 200, r.json
        return cast(dict[str, Any], r.json)

    def ready_plan(self, course_id: str, **overrides: Any) -> dict[str, Any]:
        r = self.create(course_id, **overrides)
        assert r.status_code == 202, r.json
        self.wait()
        plan = self.plan(r.json["id"])
        assert plan["status"] == "ready", plan
        return plan


@pytest.fixture
def me(learning_api: Api) -> Student:
    return Student(learning_api)


# ------------------------------------------------------------------ create and read
def test_a_plan_is_accepted_queued_and_becomes_ready(me: Student) -> None:
    course_id = me.course()
    r = me.create(course_id, blackout_dates=[(TODAY + timedelta(days=3)).isoformat()])
    assert r.status_code == 202, r.json
    queued = r.json
    assert queued["status"] == "queued" and queued["sessions"] == []
    assert queued["course_id"] == course_id and queued["start_date"] == TODAY.isoformat()
    assert set(queued["availability"]) == {
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"
    }  # fmt: skip
    me.wait()
    plan = me.plan(queued["id"])
    assert plan["status"] == "ready" and plan["error"] is None
    sessions = plan["sessions"]
    assert len(sessions) == plan["session_count"] > 0
    assert [s["date"] for s in sessions] == sorted(s["date"] for s in sessions)
    assert all(TODAY.isoformat() <= s["date"] < plan["exam_date"] for s in sessions)
    assert (TODAY + timedelta(days=3)).isoformat() not in {s["date"] for s in sessions}
    assert {s["kind"] for s in sessions} >= {"learn", "review", "final_review"}
    assert set(sessions[0]) == {
        "id", "plan_id", "course_id", "section_id", "title", "kind", "date", "minutes",
        "status", "actual_minutes", "notes",
    }  # fmt: skip
    assert plan_violations(me.store, me.user.uid, plan["id"]) == []
    listed = me.call("GET", P, query_string={"course_id": course_id}).json
    assert [p["id"] for p in listed["items"]] == [plan["id"]]
    assert listed["items"][0]["status"] == "ready" and listed["items"][0]["sessions"] == []


def test_a_task_delivered_twice_makes_one_plan(me: Student) -> None:
    plan = me.ready_plan(me.course())
    payload = {"uid": me.user.uid, "plan_id": plan["id"]}
    me.api.services.tasks.enqueue(Task(PLAN_TASK, payload))  # a second delivery
    me.wait()
    assert me.plan(plan["id"]) == plan
    assert len(me.call("GET", P).json["items"]) == 1


def test_a_failing_task_is_retried_then_the_plan_is_failed(
    me: Student, caplog: pytest.LogCaptureFixture
) -> None:
    course_id = me.course()
    # stored data the plan builder cannot read fails every attempt
    me.store.set(
        assessment_paths.stats(me.user.uid),
        {"weakness": {course_id: {"any": {"answered": "many"}}}},
    )
    r = me.create(course_id)
    assert r.status_code == 202
    with caplog.at_level(logging.ERROR, logger="aksio.tasks"):
        me.wait()
    failures = [
        getattr(rec, "will_retry", None)
        for rec in caplog.records
        if rec.getMessage() == "task failed" and getattr(rec, "task_kind", "") == PLAN_TASK
    ]
    assert failures == [True, True, False]  # 3 attempts, the policy's maximum
    plan = me.plan(r.json["id"])
    assert plan["status"] == "failed" and plan["sessions"] == []
    assert plan["error"].startswith("Could not build the plan: ")


def test_a_plan_that_cannot_be_queued_is_503_and_failed(me: Student) -> None:
    course_id = me.course()
    queue = cast(InProcessTaskQueue, me.api.services.tasks)
    queue.close()  # the queue is down
    assert me.create(course_id).status_code == 503
    (failed,) = me.call("GET", P).json["items"]
    assert failed["status"] == "failed" and "try again" in failed["error"]


def test_the_course_gone_by_the_time_the_task_runs(me: Student) -> None:
    course_id = me.course()
    r = me.create(course_id)
    me.wait()
    mark_deleting(me.store, me.user.uid, course_id, NOW)
    me.store.update(paths.study_plan(me.user.uid, r.json["id"]), {"status": "queued"})
    me.api.services.tasks.enqueue(Task(PLAN_TASK, {"uid": me.user.uid, "plan_id": r.json["id"]}))
    me.wait()
    plan = me.plan(r.json["id"])
    assert plan["status"] == "failed" and "course was deleted" in plan["error"]


# ------------------------------------------------------------------ bad input
def test_bad_requests_are_400_naming_the_field(me: Student) -> None:
    course_id = me.course()
    body = plan_body(course_id, TODAY)
    past = (TODAY - timedelta(days=1)).isoformat()
    assert fields_of(me.create(course_id, exam_date=TODAY - timedelta(days=2))) == ["exam_date"]
    assert fields_of(me.call("POST", P, json={**body, "start_date": past})) == ["start_date"]
    no_time = {**body, "availability": {}}
    assert fields_of(me.call("POST", P, json=no_time)) == ["availability"]
    typo = {**body, "availability": {"mondey": 60}}
    assert any("mondey" in f for f in fields_of(me.call("POST", P, json=typo)))
    negative = {**body, "availability": {"monday": -5}}
    assert any("monday" in f for f in fields_of(me.call("POST", P, json=negative)))
    unknown = {**body, "status": "ready"}
    assert any("status" in f for f in fields_of(me.call("POST", P, json=unknown)))
    short = {**body, "preferred_session_minutes": 5}
    assert any("preferred" in f for f in fields_of(me.call("POST", P, json=short)))
    text = {**body, "exam_date": "next friday"}
    assert any("exam_date" in f for f in fields_of(me.call("POST", P, json=text)))
    far = {**body, "exam_date": (TODAY + timedelta(days=2000)).isoformat()}
    assert fields_of(me.call("POST", P, json=far)) == ["exam_date"]
    assert fields_of(me.call("GET", P, query_string={"limt": 5}))
    assert me.call("GET", P).json["items"] == []  # nothing was created


def test_foreign_and_unknown_ids_are_404(me: Student, learning_api: Api) -> None:
    plan = me.ready_plan(me.course())
    other = Student(learning_api)
    theirs = other.course()
    for course_id in (theirs, "no-such-course", "bad id!"):
        r = me.call("POST", P, json=plan_body("x", TODAY) | {"course_id": course_id})
        assert r.status_code in (400, 404), r.json
        if course_id != "bad id!":
            assert r.json["error"]["code"] == "not_found"
    for method, suffix in (("GET", ""), ("DELETE", ""), ("POST", "replan/")):
        r = other.call(method, f"{P}{plan['id']}/{suffix}")
        assert r.status_code == 404, (method, r.json)
        assert other.call(method, f"{P}not-a-plan/{suffix}").status_code == 404
    assert other.call("GET", P).json["items"] == []
    # a list filtered by another user's (or no) course: 404, not an empty list
    for course_id in (plan["course_id"], "no-such-course"):
        r = other.call("GET", P, query_string={"course_id": course_id})
        assert r.status_code == 404 and r.json["error"]["code"] == "not_found", r.json
    assert other.call("GET", P, query_string={"course_id": theirs}).json["items"] == []
    assert me.plan(plan["id"])["status"] == "ready"


@pytest.mark.parametrize("edge", ["0001-01-01", "9999-12-31"])
def test_dates_at_the_edges_of_the_calendar_are_400(me: Student, edge: str) -> None:
    course_id = me.course()
    body = plan_body(course_id, TODAY)
    for field in ("exam_date", "start_date"):
        assert fields_of(me.call("POST", P, json={**body, field: edge})) == [field]
    r = me.call("POST", P, json={**body, "blackout_dates": [edge]})
    assert r.status_code == 202, r.json  # a blackout outside the window changes nothing
    me.wait()
    assert me.plan(r.json["id"])["status"] == "ready"


@pytest.mark.parametrize("value", [0, "0", "20300101", "2030-01-01T00:00:00"])
def test_dates_are_only_yyyy_mm_dd(me: Student, value: Any) -> None:
    body = plan_body(me.course(), TODAY)
    assert fields_of(me.call("POST", P, json={**body, "exam_date": value})) == ["exam_date"]


def test_a_course_without_sections_is_409(me: Student) -> None:
    r = me.create(me.course(sections=0))
    assert r.status_code == 409 and r.json["error"]["code"] == "conflict"
    assert "add sections or upload documents" in r.json["error"]["message"]


# ------------------------------------------------------------------ replan and delete
def _mark(me: Student, plan: dict[str, Any], day: date, status: str) -> int:
    minutes = 0
    for s in plan["sessions"]:
        if s["date"] == day.isoformat():
            me.store.update(paths.study_session(me.user.uid, s["id"]), {"status": status})
            minutes += s["minutes"]
    return minutes


def test_replan_after_skipping_reschedules_from_today(me: Student) -> None:
    plan = me.ready_plan(me.course(), availability=dict.fromkeys(("monday", "wednesday"), 60))
    days = sorted({s["date"] for s in plan["sessions"]})
    skipped = [date.fromisoformat(d) for d in days[:2]]
    assert sum(_mark(me, plan, d, "skipped") for d in skipped) > 0
    clock = cast(FixedClock, me.api.services.clock)
    clock.advance(days=(skipped[-1] - TODAY).days + 1)
    today = clock.now().date()
    r = me.call("POST", f"{P}{plan['id']}/replan/")
    assert r.status_code == 202 and r.json["status"] == "queued", r.json
    me.wait()
    again = me.plan(plan["id"])
    assert again["status"] == "ready"
    by_id = {s["id"]: s for s in again["sessions"]}
    old_skipped = [s for s in plan["sessions"] if date.fromisoformat(s["date"]) in skipped]
    assert all(by_id[s["id"]]["status"] == "skipped" for s in old_skipped)
    fresh = [s for s in again["sessions"] if s["id"] not in {p["id"] for p in plan["sessions"]}]
    assert fresh and all(s["date"] >= today.isoformat() for s in fresh)
    # the skipped learning comes back: its section is learned in the new schedule
    skipped_learn = {s["section_id"] for s in old_skipped if s["kind"] == "learn"}
    assert skipped_learn <= {s["section_id"] for s in fresh if s["kind"] == "learn"}
    assert plan_violations(me.store, me.user.uid, plan["id"]) == []


def test_replan_leaves_days_worked_ahead_only_their_remaining_time(me: Student) -> None:
    plan = me.ready_plan(me.course(), availability=dict.fromkeys(("monday", "wednesday"), 60))
    ahead = sorted({date.fromisoformat(s["date"]) for s in plan["sessions"]})[2:4]
    assert all(_mark(me, plan, day, "completed") > 0 for day in ahead)
    r = me.call("POST", f"{P}{plan['id']}/replan/")
    assert r.status_code == 202, r.json
    me.wait()
    again = me.plan(plan["id"])
    assert again["status"] == "ready", again
    assert plan_violations(me.store, me.user.uid, plan["id"]) == []
    # the completed sessions stay, and what is new beside them fits what is left
    done = {s["id"] for s in plan["sessions"] if date.fromisoformat(s["date"]) in ahead}
    assert done <= {s["id"] for s in again["sessions"] if s["status"] == "completed"}


def test_falling_behind_replans_by_itself_past_the_margin(me: Student) -> None:
    plan = me.ready_plan(me.course())
    uid, services = me.user.uid, me.api.services
    days = sorted({date.fromisoformat(s["date"]) for s in plan["sessions"]})
    behind, queued = 0, False
    for day in days:
        queued = service.maybe_replan(services, uid, plan["id"], day)
        if queued:
            break
        behind += _mark(me, plan, day, "skipped")
    assert queued and behind > services.settings.plan_replan_margin_minutes
    me.wait()
    assert me.plan(plan["id"])["status"] == "ready"
    assert me.store.get(paths.study_plan(uid, plan["id"])).data["revision"] == 1  # type: ignore[union-attr]


def test_a_plan_read_after_days_away_replans_by_itself(me: Student) -> None:
    plan = me.ready_plan(me.course())
    clock = cast(FixedClock, me.api.services.clock)
    # on track: reading changes nothing
    assert me.plan(plan["id"])["status"] == "ready"
    # away for two weeks, nothing marked: far more than the margin missed
    clock.advance(days=14)
    missed = sum(
        s["minutes"] for s in plan["sessions"] if s["date"] < clock.now().date().isoformat()
    )
    assert missed > me.api.services.settings.plan_replan_margin_minutes
    read = me.plan(plan["id"])
    assert read["status"] == "queued" and read["sessions"], read
    me.wait()
    again = me.plan(plan["id"])
    assert again["status"] == "ready", again
    stored = me.store.get(paths.study_plan(me.user.uid, plan["id"])).data  # type: ignore[union-attr]
    assert (stored["revision"], stored["generate_from"]) == (1, clock.now().date().isoformat())
    assert me.plan(plan["id"])["status"] == "ready"  # the new schedule is on track
    assert plan_violations(me.store, me.user.uid, plan["id"]) == []


def test_a_plan_whose_task_died_shows_failed_and_can_be_replanned(me: Student) -> None:
    plan = me.ready_plan(me.course())
    # the task's last attempt was killed mid-run: no give-up hook ran
    me.store.update(paths.study_plan(me.user.uid, plan["id"]), {"status": "running"})
    clock = cast(FixedClock, me.api.services.clock)
    after = stuck_after(me.api.services.settings)
    clock.advance(seconds=after.total_seconds() - 60)
    assert me.plan(plan["id"])["status"] == "running"  # within the retry schedule
    assert me.call("POST", f"{P}{plan['id']}/replan/").status_code == 409
    clock.advance(seconds=120)
    shown = me.plan(plan["id"])
    assert (shown["status"], shown["error"]) == ("failed", STUCK_ERROR)
    listed = me.call("GET", P).json["items"]
    assert [p["status"] for p in listed if p["id"] == plan["id"]] == ["failed"]
    r = me.call("POST", f"{P}{plan['id']}/replan/")
    assert r.status_code == 202, r.json
    me.wait()
    assert me.plan(plan["id"])["status"] == "ready"


def test_plan_requests_and_replans_share_a_daily_limit(me: Student) -> None:
    services = me.api.services
    services.settings = services.settings.model_copy(update={"plan_daily_limit": 2})
    course = me.course()
    # mistakes a client can fix do not use the allowance
    assert me.create(course, exam_date=(TODAY - timedelta(days=1)).isoformat()).status_code == 400
    plan = me.ready_plan(course)
    assert me.call("POST", f"{P}{plan['id']}/replan/").status_code == 202
    me.wait()
    r = me.create(course)
    assert r.status_code == 429 and r.json["error"]["code"] == "rate_limited", r.json
    assert r.json["error"]["details"]["reset_at"].endswith("T00:00:00Z")
    assert me.call("POST", f"{P}{plan['id']}/replan/").status_code == 429
    # the system's own replan of a plan fallen behind is not refused (same day)
    again = me.plan(plan["id"])
    days = sorted({date.fromisoformat(s["date"]) for s in again["sessions"]})
    skipped = 0
    for day in days:
        skipped += _mark(me, again, day, "skipped")
        if skipped > services.settings.plan_replan_margin_minutes:
            break
    assert me.plan(plan["id"])["status"] == "queued"
    me.wait()
    assert me.plan(plan["id"])["status"] == "ready"


def test_delete_removes_the_plan_and_its_sessions(me: Student) -> None:
    plan = me.ready_plan(me.course())
    r = me.call("DELETE", f"{P}{plan['id']}/")
    assert r.status_code == 204
    assert me.call("GET", f"{P}{plan['id']}/").status_code == 404
    assert all(
        me.store.get(paths.study_session(me.user.uid, s["id"])) is None for s in plan["sessions"]
    )
    assert me.call("DELETE", f"{P}{plan['id']}/").status_code == 404


# ------------------------------------------------------------------ difficulty
STORY = (
    "Tom has a red ball and a dog. He likes to play with the ball in the park. His dog "
    "Max runs after the ball. Max is fast and happy. When the sun goes down, Tom and Max "
    "walk home with the ball. Mom makes soup. Then they all go to sleep."
)
CHEMISTRY = (
    "Electrochemistry relates the Gibbs free energy change \u0394G = \u2212nFE of a redox "
    "reaction to the electromotive force of its electrochemical cell, where F = 96485 C/mol. "
    "Consequently, electrochemistry links standard electrode potentials to thermodynamic "
    "equilibrium constants through ln K = nFE\u00b0/RT, and activity coefficients correct "
    "for non-ideal electrolyte solutions."
)


def _two_topic_course(me: Student) -> tuple[str, str, str]:
    """Sections "Ball games" and "Electrochemistry" over a processed document
    (chunks indexed in the course's retriever) about each."""
    now = me.api.services.clock.now()
    course = create_course(me.store, me.user.uid, CourseCreateFactory.build(), now)
    easy, hard = (
        create_section(
            me.store, me.user.uid, course.id, SectionCreateFactory.build(title=t), now
        ).id
        for t in ("Ball games", "Electrochemistry")
    )
    seed_processed_document(
        me.store,
        me.user.uid,
        course.id,
        [STORY, STORY.replace("Tom", "Ann"), CHEMISTRY, CHEMISTRY.replace("Consequently", "So")],
        retriever=me.api.services.retriever,
        now=now,
    )
    return course.id, easy, hard


def _learn(plan: dict[str, Any], section_id: str) -> int:
    return sum(
        s["minutes"]
        for s in plan["sessions"]
        if s["kind"] == "learn" and s["section_id"] == section_id
    )


def test_the_local_model_rates_sections_and_harder_ones_get_more_time(me: Student) -> None:
    course_id, easy, hard = _two_topic_course(me)
    plan = me.ready_plan(course_id, days=40)
    rated = {d["section_id"]: d for d in plan["section_difficulty"]}
    assert set(rated) == {easy, hard}
    assert rated[easy]["difficulty"] < rated[hard]["difficulty"]
    assert all(d["reason"] for d in rated.values())
    assert _learn(plan, hard) > _learn(plan, easy)
    assert DIFFICULTY_WARNING not in plan["warnings"]
    assert plan_violations(me.store, me.user.uid, plan["id"]) == []


def test_a_failing_model_still_makes_a_plan_with_a_warning(me: Student) -> None:
    model = ScriptedLanguageModel(error=LanguageModelError("Down.", retryable=True))
    me.api.services._built["language_model"] = model  # the function's services
    course_id, easy, hard = _two_topic_course(me)
    plan = me.ready_plan(course_id, days=40)
    assert DIFFICULTY_WARNING in plan["warnings"]
    assert plan["section_difficulty"] == []
    assert _learn(plan, hard) == _learn(plan, easy)
    assert len(model.difficulty_requests) == 1


def test_a_section_with_a_bigger_linked_document_gets_more_learn_time(
    me: Student, courses_api: Api
) -> None:
    me.api.services._built["language_model"] = ScriptedLanguageModel()  # equal difficulty
    now = me.api.services.clock.now()
    course = create_course(me.store, me.user.uid, CourseCreateFactory.build(), now).id
    big, small = (
        create_section(me.store, me.user.uid, course, SectionCreateFactory.build(), now).id
        for _ in range(2)
    )
    for name, words, section in (("slides.pdf", 12_000, big), ("handout.pdf", 1_500, small)):
        doc, _ = doc_repository.new_document(
            me.store,
            me.user.uid,
            course,
            filename=name,
            title=name,
            content_type="application/pdf",
            size=words,
            now=now,
        )
        me.store.update(  # as ingestion leaves it
            doc_paths.document(me.user.uid, course, doc.id),
            {"status": "ready", "word_count": words, "page_count": words // 300},
        )
        linked = courses_api.client.patch(
            f"/api/v1/courses/{course}/documents/{doc.id}/",
            json={"section_id": section},
            headers=courses_api.bearer(me.user),
        )
        assert linked.status_code == 200 and linked.json["section_id"] == section, linked.json
    plan = me.ready_plan(course, days=40, availability=dict.fromkeys(WEEKDAYS, 60))
    assert plan["unscheduled"] == []
    assert _learn(plan, big) > 4 * _learn(plan, small)
    assert plan_violations(me.store, me.user.uid, plan["id"]) == []
