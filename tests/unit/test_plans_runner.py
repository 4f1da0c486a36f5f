"""Plan generation in the background, on SQLite: the task handler run as the
worker runs it, redelivered, crashed half-way, failing, and replanning."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aksio.adapters.counting_store import CountingDocumentStore
from aksio.adapters.inprocess_tasks import InProcessTaskQueue
from aksio.adapters.sqlite_store import SqliteDocumentStore
from aksio.assessments import paths as assessment_paths
from aksio.clock import FixedClock
from aksio.composition import Services, set_services
from aksio.config import Settings
from aksio.courses import repository as courses
from aksio.documents import paths as doc_paths
from aksio.errors import Conflict, InvalidInput, NotFound
from aksio.learning import constraints, paths
from aksio.learning.plans import difficulty, inputs, repository, runner, service, tasks
from aksio.learning.plans.models import Availability, PlanCreate, PlanListQuery, PlanTaskPayload
from aksio.learning.progress import aggregates
from aksio.ports.llm import DifficultyEstimate, LanguageModelError
from aksio.ports.tasks import Task, TaskDelivery
from tests.factories.courses import CourseCreateFactory, SectionCreateFactory
from tests.factories.generation import (
    ScriptedLanguageModel,
    difficulty_by_title,
    seed_processed_document,
)
from tests.factories.learning import PlanCreateFactory, plan_violations

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
TODAY = NOW.date()
UID = "student-1"


@dataclass
class Env:
    services: Services
    clock: FixedClock
    delivered: list[TaskDelivery]
    model: ScriptedLanguageModel

    @property
    def store(self) -> SqliteDocumentStore:
        return self.services.documents  # type: ignore[return-value]

    def course(self, sections: int = 4, words: int = 12_000) -> tuple[str, list[str]]:
        course = courses.create_course(self.store, UID, CourseCreateFactory.build(), NOW)
        ids = [
            courses.create_section(
                self.store, UID, course.id, SectionCreateFactory.build(title=f"Part {i}"), NOW
            ).id
            for i in range(sections)
        ]
        if words:
            self.store.set(
                doc_paths.document(UID, course.id, "doc1"),
                {"status": "ready", "word_count": words, "page_count": words // 300},
            )
        return course.id, ids

    def request(self, course_id: str, **overrides: Any) -> PlanCreate:
        fields = {"exam_date": TODAY + timedelta(days=42), **overrides}
        body = PlanCreateFactory.build(course_id=course_id, **fields)
        return PlanCreate.model_validate(body.model_dump())

    def run_tasks(self) -> int:
        """Run what was queued through the registered handler, as the worker would."""
        queue = self.services.tasks
        assert isinstance(queue, InProcessTaskQueue) and queue.drain(10)
        ran = 0
        while self.delivered:
            delivery = self.delivered.pop(0)
            assert delivery.task.kind == service.PLAN_TASK
            tasks.generate_study_plan(delivery.task.payload, delivery)
            ran += 1
        return ran

    def plan(self, plan_id: str) -> dict[str, Any]:
        snap = self.store.get(paths.study_plan(UID, plan_id))
        assert snap is not None
        return snap.data

    def sessions(self, plan_id: str) -> list[Any]:
        return repository.plan_sessions(self.store, UID, plan_id)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    settings = Settings(
        environment="test", sqlite_path=tmp_path / "a.sqlite3", blob_dir=tmp_path / "blobs"
    )
    delivered: list[TaskDelivery] = []
    clock = FixedClock(NOW)
    queue = InProcessTaskQueue(delivered.append)  # records; tests run the handler
    model = ScriptedLanguageModel()
    services = Services(
        settings,
        documents=SqliteDocumentStore(settings.sqlite_path),
        clock=clock,
        tasks=queue,
        language_model=model,
    )
    set_services(services)
    yield Env(services, clock, delivered, model)
    set_services(None)
    queue.close()
    services.documents.close()


def violations(env: Env, plan_id: str) -> list[constraints.Violation]:
    return plan_violations(env.store, UID, plan_id)


# ------------------------------------------------------------------ create
def test_a_plan_is_queued_then_built_ready_with_valid_sessions(env: Env) -> None:
    course_id, section_ids = env.course()
    plan = service.request_plan(env.services, UID, env.request(course_id))
    assert plan.status == "queued" and plan.start_date == TODAY
    assert env.plan(plan.id)["status"] == "queued"
    assert env.run_tasks() == 1
    data = env.plan(plan.id)
    assert data["status"] == "ready" and data["error"] is None
    stored = env.sessions(plan.id)
    assert data["session_count"] == len(stored) > 0
    assert [s.id for s in stored] == sorted(s.id for s in stored)  # by date, then plan order
    assert {s.id for s in stored} == {
        repository.session_id(plan.id, 0, i) for i in range(len(stored))
    }
    learned = [s.data["section_id"] for s in stored if s.data["kind"] == "learn"]
    assert list(dict.fromkeys(learned)) == section_ids  # every section, in course order
    assert all(s.data["status"] == "planned" and s.data["course_id"] == course_id for s in stored)
    assert violations(env, plan.id) == []


def test_the_task_delivered_twice_makes_one_plan(env: Env) -> None:
    course_id, _ = env.course()
    plan = service.request_plan(env.services, UID, env.request(course_id))
    env.run_tasks()
    first = {s.id: s.data for s in env.sessions(plan.id)}
    before = env.plan(plan.id)
    env.clock.advance(minutes=5)
    payload = PlanTaskPayload(uid=UID, plan_id=plan.id).model_dump()
    again = TaskDelivery(Task(service.PLAN_TASK, payload), attempt=1, task_name="again")
    tasks.generate_study_plan(payload, again)
    assert env.plan(plan.id) == before  # a ready plan is left alone
    assert {s.id: s.data for s in env.sessions(plan.id)} == first


def test_a_rerun_after_a_crash_overwrites_and_drops_stale_sessions(env: Env) -> None:
    course_id, _ = env.course()
    plan = service.request_plan(env.services, UID, env.request(course_id))
    env.run_tasks()
    first = sorted(s.id for s in env.sessions(plan.id))
    # as if a run wrote its sessions, plus one a previous attempt left, then died
    stale = repository.session_id(plan.id, 0, 9999)
    env.store.set(
        paths.study_session(UID, stale),
        {**env.sessions(plan.id)[0].data, "date": (TODAY + timedelta(days=5)).isoformat()},
    )
    repository.update_plan(env.store, UID, plan.id, {"status": "running"}, NOW)
    runner.run(env.services, UID, plan.id)
    assert env.plan(plan.id)["status"] == "ready"
    assert sorted(s.id for s in env.sessions(plan.id)) == first


def test_start_date_defaults_to_today_in_the_profile_timezone(env: Env) -> None:
    from aksio.accounts.paths import user

    course_id, _ = env.course()
    env.clock.at = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    env.store.set(user(UID), {"timezone": "Europe/Oslo"})  # already 3 March there
    plan = service.request_plan(env.services, UID, env.request(course_id))
    assert plan.start_date == date(2026, 3, 3)


def test_checks_before_queueing(env: Env) -> None:
    course_id, _ = env.course()
    empty, _ = env.course(sections=0)
    with pytest.raises(NotFound):
        service.request_plan(env.services, "someone-else", env.request(course_id))
    with pytest.raises(Conflict, match="add sections or upload documents"):
        service.request_plan(env.services, UID, env.request(empty))
    with pytest.raises(InvalidInput) as caught:
        service.request_plan(env.services, UID, env.request(course_id, exam_date=TODAY))
    assert caught.value.details[0]["field"] == "exam_date"
    with pytest.raises(InvalidInput) as caught:
        body = env.request(
            course_id, availability=Availability(saturday=10)
        )  # shorter than any session
        service.request_plan(env.services, UID, body)
    assert caught.value.details[0]["field"] == "availability"
    far = date(9999, 12, 1)
    with pytest.raises(InvalidInput) as caught:
        body = env.request(course_id, start_date=far, exam_date=far + timedelta(days=20))
        service.request_plan(env.services, UID, body)
    assert caught.value.details[0]["field"] == "start_date"
    assert env.run_tasks() == 0
    assert env.store.query(repository.list_query(UID, None)) == []


def test_enqueue_failure_fails_the_plan(env: Env) -> None:
    from aksio.errors import Unavailable

    course_id, _ = env.course()
    env.services.tasks.close()  # type: ignore[attr-defined]
    with pytest.raises(Unavailable):
        service.request_plan(env.services, UID, env.request(course_id))
    (snap,) = env.store.query(repository.list_query(UID, None))
    assert snap.data["status"] == "failed" and snap.data["error"] == service.UNAVAILABLE


# ------------------------------------------------------------------ failures
def test_a_deleted_course_fails_the_plan_readably(env: Env) -> None:
    course_id, _ = env.course()
    plan = service.request_plan(env.services, UID, env.request(course_id))
    courses.mark_deleting(env.store, UID, course_id, NOW)
    env.run_tasks()
    data = env.plan(plan.id)
    assert data["status"] == "failed" and data["error"] == runner.COURSE_GONE
    assert env.sessions(plan.id) == []


def test_a_course_emptied_meanwhile_fails_with_the_planner_reason(env: Env) -> None:
    course_id, section_ids = env.course(sections=1)
    plan = service.request_plan(env.services, UID, env.request(course_id))
    courses.delete_section(env.store, UID, course_id, section_ids[0])
    env.run_tasks()
    data = env.plan(plan.id)
    assert data["status"] == "failed"
    assert data["error"] == "Could not build the plan: The course has no sections to plan."


def test_bad_stored_data_raises_for_a_retry_and_giving_up_fails_the_plan(env: Env) -> None:
    course_id, section_ids = env.course()
    env.store.set(
        assessment_paths.stats(UID),
        {"weakness": {course_id: {section_ids[0]: {"answered": "lots", "wrong": 1}}}},
    )
    plan = service.request_plan(env.services, UID, env.request(course_id))
    queue = env.services.tasks
    assert isinstance(queue, InProcessTaskQueue) and queue.drain(10)
    (delivery,) = env.delivered
    with pytest.raises(ValueError):
        tasks.generate_study_plan(delivery.task.payload, delivery)
    assert env.plan(plan.id)["status"] == "running"  # retried later
    runner.gave_up(env.services, UID, plan.id, ValueError("invalid literal"))
    data = env.plan(plan.id)
    assert data["status"] == "failed"
    assert data["error"].startswith("Could not build the plan: an unexpected error")


# ------------------------------------------------------------------ replan
def _finish(env: Env, plan_id: str, day: date, status: str, actual: int | None = None) -> int:
    """Mark the plan's sessions of ``day`` as the sessions area would; their minutes."""
    minutes = 0
    for s in env.sessions(plan_id):
        if s.data["date"] == day.isoformat():
            env.store.update(
                paths.study_session(UID, s.id), {"status": status, "actual_minutes": actual}
            )
            minutes += s.data["minutes"]
    return minutes


def test_replan_keeps_what_was_done_and_reschedules_the_rest(env: Env) -> None:
    course_id, section_ids = env.course()
    body = env.request(course_id, availability=Availability(monday=60, tuesday=60, wednesday=60))
    plan = service.request_plan(env.services, UID, body)
    env.run_tasks()
    before = {s.id: s.data for s in env.sessions(plan.id)}
    first_learn = next(s for s in before.values() if s["kind"] == "learn")
    assert first_learn["date"] == TODAY.isoformat() and first_learn["section_id"] == section_ids[0]
    done = _finish(env, plan.id, TODAY, "completed", actual=first_learn["minutes"])
    skipped = _finish(env, plan.id, TODAY + timedelta(days=1), "skipped")
    assert done and skipped
    env.clock.advance(days=2)
    later = TODAY + timedelta(days=2)
    replanned = service.replan(env.services, UID, plan.id)
    assert replanned.status == "queued"
    with pytest.raises(Conflict):  # one pending generation at a time
        service.replan(env.services, UID, plan.id)
    env.run_tasks()
    data = env.plan(plan.id)
    assert data["status"] == "ready" and data["revision"] == 1
    after = {s.id: s.data for s in env.sessions(plan.id)}
    # what the student did stays; the new schedule starts on the replan day
    for sid, s in before.items():
        if s["date"] < later.isoformat():
            assert after[sid]["status"] in {"completed", "skipped"}
    new = {sid: s for sid, s in after.items() if sid.startswith(f"{plan.id}-001-")}
    assert new and min(s["date"] for s in new.values()) >= later.isoformat()
    assert not [sid for sid in after if sid.startswith(f"{plan.id}-000-") and sid not in before]
    assert (
        len(after)
        == data["session_count"]
        == len(new) + len([s for s in before.values() if s["date"] < later.isoformat()])
    )

    # the completed learning counts: section 0 needs that much less
    def learn_minutes(sessions: Iterable[dict[str, Any]]) -> int:
        return sum(
            s["minutes"]
            for s in sessions
            if s["kind"] == "learn" and s["section_id"] == section_ids[0]
        )

    studied = first_learn["minutes"] * sum(
        1
        for s in before.values()
        if s["date"] == TODAY.isoformat()
        and s["kind"] == "learn"
        and s["section_id"] == section_ids[0]
    )
    left = learn_minutes(before.values()) - studied
    assert learn_minutes(new.values()) == (max(left, 15) if left > 0 else 0)
    assert violations(env, plan.id) == []


def test_replan_on_a_day_already_studied_starts_the_next_day(env: Env) -> None:
    course_id, _ = env.course()
    plan = service.request_plan(env.services, UID, env.request(course_id))
    env.run_tasks()
    _finish(env, plan.id, TODAY, "completed", actual=30)
    service.replan(env.services, UID, plan.id)
    env.run_tasks()
    new = [s for s in env.sessions(plan.id) if s.id.startswith(f"{plan.id}-001-")]
    assert new and all(s.data["date"] > TODAY.isoformat() for s in new)
    assert violations(env, plan.id) == []


def test_replan_after_the_exam_is_refused(env: Env) -> None:
    course_id, _ = env.course()
    plan = service.request_plan(env.services, UID, env.request(course_id))
    env.run_tasks()
    env.clock.advance(days=60)
    with pytest.raises(InvalidInput, match="exam date has passed"):
        service.replan(env.services, UID, plan.id)


def test_maybe_replan_waits_for_the_margin(env: Env) -> None:
    course_id, _ = env.course(sections=6, words=40_000)
    body = env.request(
        course_id, availability=Availability(monday=60, tuesday=60, wednesday=60, thursday=60)
    )
    plan = service.request_plan(env.services, UID, body)
    env.run_tasks()
    margin = service.replan_margin(env.services)
    assert margin == 120
    behind = 0
    day = TODAY
    while behind <= margin:
        assert service.maybe_replan(env.services, UID, plan.id, day) is False
        assert env.plan(plan.id)["status"] == "ready"
        behind += _finish(env, plan.id, day, "skipped")
        day += timedelta(days=1)
    assert service.maybe_replan(env.services, UID, plan.id, day) is True
    assert env.plan(plan.id)["status"] == "queued"
    assert service.maybe_replan(env.services, UID, plan.id, day) is False  # already queued
    env.run_tasks()
    assert env.plan(plan.id)["status"] == "ready"
    # the replan absorbed what was missed: no new replan for it
    assert service.maybe_replan(env.services, UID, plan.id, day) is False


def test_maybe_replan_never_raises(env: Env) -> None:
    assert service.maybe_replan(env.services, UID, "no-such-plan", TODAY) is False
    assert service.maybe_replan(env.services, UID, "not/an id", TODAY) is False


# ------------------------------------------------------------------ storage
def test_delete_removes_the_plan_and_its_sessions_only(env: Env) -> None:
    course_id, _ = env.course()
    one = service.request_plan(env.services, UID, env.request(course_id))
    two = service.request_plan(env.services, UID, env.request(course_id))
    env.run_tasks()
    kept = len(env.sessions(two.id))
    for plan_id in (one.id, two.id):  # a completed session of each, as the sessions area counts
        counted = aggregates.session_completed(
            course_id=course_id, plan_id=plan_id, day=env.clock.now().date(), minutes=30
        )
        env.store.set(paths.stats(UID), counted, merge=True)
    repository.delete_plan(env.store, UID, one.id)
    assert env.store.get(paths.study_plan(UID, one.id)) is None
    assert env.sessions(one.id) == [] and len(env.sessions(two.id)) == kept
    learning = env.store.get(paths.stats(UID))
    assert learning is not None and set(learning.data["plans"]) == {two.id}
    assert learning.data["courses"][course_id]["minutes"] == 60  # the studying stays
    with pytest.raises(NotFound):
        repository.delete_plan(env.store, UID, one.id)


def test_list_is_newest_first_paged_and_filtered(env: Env) -> None:
    course_a, _ = env.course()
    course_b, _ = env.course()
    made = []
    for course_id in (course_a, course_b, course_a):
        made.append(service.request_plan(env.services, UID, env.request(course_id)).id)
        env.clock.advance(seconds=1)
    page = repository.list_plans(env.store, UID, PlanListQuery(limit=2))
    assert [p.id for p in page.items] == made[::-1][:2] and page.next_cursor
    rest = repository.list_plans(env.store, UID, PlanListQuery(limit=2, cursor=page.next_cursor))
    assert [p.id for p in rest.items] == [made[0]] and rest.next_cursor is None
    only_a = repository.list_plans(env.store, UID, PlanListQuery(course_id=course_a))
    assert [p.id for p in only_a.items] == [made[2], made[0]]
    assert all(p.sessions == [] for p in only_a.items)


# ------------------------------------------------------------------ difficulty
TOPICS = {
    "Photosynthesis": "Photosynthesis in plants turns light, water and carbon dioxide "
    "into sugar. Photosynthesis happens in the chloroplasts of the leaf.",
    "Thermodynamics": "Thermodynamics relates heat, work and energy. The laws of "
    "thermodynamics say energy is conserved and entropy never falls.",
    "Genetics": "Genetics studies how traits pass from parents to children. Genetics "
    "explains inheritance through genes carried on chromosomes.",
}


def _topic_course(env: Env, titles: list[str], chunks_per_topic: int = 4) -> tuple[str, list[str]]:
    """A course whose sections are topics and whose processed document (indexed
    in the retriever) has ``chunks_per_topic`` passages about each."""
    course = courses.create_course(env.store, UID, CourseCreateFactory.build(), NOW)
    ids = [
        courses.create_section(
            env.store, UID, course.id, SectionCreateFactory.build(title=t, description=None), NOW
        ).id
        for t in titles
    ]
    texts = [f"{TOPICS[t]} Example {i}." for t in titles for i in range(chunks_per_topic)]
    seed_processed_document(
        env.store, UID, course.id, texts, retriever=env.services.retriever, now=NOW
    )
    return course.id, ids


def _learn_minutes(env: Env, plan_id: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for s in env.sessions(plan_id):
        if s.data["kind"] == "learn":
            out[s.data["section_id"]] = out.get(s.data["section_id"], 0) + s.data["minutes"]
    return out


def test_a_harder_section_gets_more_learn_minutes(env: Env) -> None:
    env.model.difficulty = difficulty_by_title({"Photosynthesis": 0.1, "Thermodynamics": 0.9})
    course_id, (easy, hard) = _topic_course(env, ["Photosynthesis", "Thermodynamics"])
    plan = service.request_plan(env.services, UID, env.request(course_id))
    env.run_tasks()

    data = env.plan(plan.id)
    assert data["status"] == "ready"
    minutes = _learn_minutes(env, plan.id)
    assert minutes[hard] > minutes[easy]  # same size (equal shares), harder material
    assert [(d["section_id"], d["difficulty"]) for d in data["section_difficulty"]] == [
        (easy, 0.1),
        (hard, 0.9),
    ]
    assert all(d["reason"] for d in data["section_difficulty"])
    assert difficulty.WARNING not in data["warnings"]
    assert violations(env, plan.id) == []  # checked with the stored difficulty
    # one call for all sections, each with its own passages, bounded
    [request] = env.model.difficulty_requests
    assert [s.section_id for s in request.sections] == [easy, hard]
    for sample, topic in zip(request.sections, ["Photosynthesis", "Thermodynamics"], strict=True):
        assert 1 <= len(sample.passages) <= difficulty.PER_SECTION
        assert all(topic in p for p in sample.passages)


def test_a_failing_model_still_gives_a_ready_plan_with_a_warning(env: Env) -> None:
    env.model.error = LanguageModelError("The model is down.", retryable=True)
    course_id, section_ids = _topic_course(env, ["Photosynthesis", "Genetics"])
    plan = service.request_plan(env.services, UID, env.request(course_id))
    env.run_tasks()

    data = env.plan(plan.id)
    assert data["status"] == "ready" and data["error"] is None
    assert difficulty.WARNING in data["warnings"]
    assert data["section_difficulty"] == []
    assert len(env.model.difficulty_requests) == 1
    minutes = _learn_minutes(env, plan.id)
    assert minutes[section_ids[0]] == minutes[section_ids[1]]  # size alone
    assert violations(env, plan.id) == []
    assert difficulty.WARNING in repository.get_plan(env.store, UID, plan.id).warnings


def test_out_of_range_and_unknown_estimates_are_clamped_or_dropped(env: Env) -> None:
    course_id, (a, b) = _topic_course(env, ["Photosynthesis", "Genetics"])

    def sloppy(request: Any) -> list[DifficultyEstimate]:
        return [
            DifficultyEstimate.model_construct(section_id=a, difficulty=1.4, reason="Very hard."),
            DifficultyEstimate.model_construct(section_id=a, difficulty=0.0, reason="Again."),
            DifficultyEstimate.model_construct(section_id="nope", difficulty=0.2, reason="?"),
            DifficultyEstimate.model_construct(section_id=b, difficulty=float("nan"), reason="?"),
        ]

    env.model.difficulty = sloppy
    plan = service.request_plan(env.services, UID, env.request(course_id))
    env.run_tasks()
    data = env.plan(plan.id)
    assert data["status"] == "ready"
    assert [(d["section_id"], d["difficulty"]) for d in data["section_difficulty"]] == [(a, 1.0)]
    assert difficulty.WARNING not in data["warnings"]
    assert violations(env, plan.id) == []


def test_a_course_without_documents_asks_nothing_and_warns_nothing(env: Env) -> None:
    course_id, _ = env.course()  # sizes known, but no chunks to judge
    plan = service.request_plan(env.services, UID, env.request(course_id))
    env.run_tasks()
    data = env.plan(plan.id)
    assert data["status"] == "ready" and data["section_difficulty"] == []
    assert difficulty.WARNING not in data["warnings"]
    assert env.model.difficulty_requests == []


def test_replan_reuses_the_stored_estimates(env: Env) -> None:
    env.model.difficulty = difficulty_by_title({"Photosynthesis": 0.2, "Genetics": 0.8})
    course_id, _ = _topic_course(env, ["Photosynthesis", "Genetics"])
    plan = service.request_plan(env.services, UID, env.request(course_id))
    env.run_tasks()
    first = env.plan(plan.id)["section_difficulty"]
    # a later opinion would differ: the replan must not ask again
    env.model.difficulty = difficulty_by_title({"Photosynthesis": 0.9, "Genetics": 0.1})
    env.clock.advance(days=1)
    service.replan(env.services, UID, plan.id)
    env.run_tasks()
    data = env.plan(plan.id)
    assert data["status"] == "ready" and data["section_difficulty"] == first
    assert len(env.model.difficulty_requests) == 1
    assert violations(env, plan.id) == []


def test_sampling_reads_a_bounded_number_of_chunks(env: Env) -> None:
    titles = list(TOPICS)
    course = courses.create_course(env.store, UID, CourseCreateFactory.build(), NOW)
    for i in range(45):
        courses.create_section(
            env.store, UID, course.id, SectionCreateFactory.build(title=titles[i % 3]), NOW
        )
    seed_processed_document(
        env.store,
        UID,
        course.id,
        [f"{TOPICS[t]} Example {i}." for t in titles for i in range(10)],
        retriever=env.services.retriever,
        now=NOW,
    )
    sections = inputs.read_sections(env.store, UID, course.id)
    counting = CountingDocumentStore(env.store)
    services = Services(
        env.services.settings,
        documents=counting,
        retriever=env.services.retriever,
        language_model=env.model,
    )
    samples = difficulty.samples(services, UID, course.id, sections)
    assert counting.reads <= difficulty.MAX_READS
    assert len(samples) == 45 and all(len(s.passages) == 1 for s in samples)  # 60 // 45
    assert difficulty.per_section(2) == difficulty.PER_SECTION
    assert difficulty.per_section(200) == 1
