"""Generation over HTTP through the real assessments function: a document
processed by the real ingestion (local blob store -> Storage event ->
chunks), then cards and quizzes drafted by the embedded language model in
the in-process task queue (which delivers through the task worker)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import pytest

import aksio.assessments.generation.tasks  # noqa: F401  (registers the task handlers)
from aksio.adapters.inprocess_tasks import InProcessTaskQueue
from aksio.assessments.flashcards.models import FlashcardListQuery
from aksio.assessments.flashcards.repository import list_cards
from aksio.assessments.generation import jobs
from aksio.assessments.sources import excerpt
from aksio.composition import Services, set_services
from aksio.courses.repository import create_course, create_section
from aksio.devtools.seed import DEMO_DOCUMENT
from aksio.documents import paths as doc_paths
from aksio.documents import repository as doc_repository
from aksio.documents import service as documents
from aksio.ids import new_id
from aksio.ports.documents import collection
from aksio.ports.llm import LanguageModelError
from aksio.tasks.stuck import STUCK_ERROR, stuck_after
from tests.factories.courses import CourseCreateFactory, SectionCreateFactory
from tests.factories.generation import ScriptedLanguageModel
from tests.factories.users import TestUser
from tests.fixtures.app import Api, make_services
from tests.fixtures.auth_emulator import AuthEmulator

pytestmark = pytest.mark.emulator
A = "/api/v1/assessments"


class Generation:
    """The API plus the few steps around it a test needs."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.services = api.services
        self.store = api.services.documents

    def call(self, user: TestUser, method: str, path: str, **kwargs: Any) -> Any:
        return self.api.client.open(path, method=method, headers=self.api.bearer(user), **kwargs)

    def course(self, user: TestUser) -> str:
        now = self.services.clock.now()
        return create_course(self.store, user.uid, CourseCreateFactory.build(), now).id

    def document(self, user: TestUser, course_id: str, section_id: str | None = None) -> str:
        """A real textbook excerpt through the real ingestion path."""
        doc = documents.upload(
            self.services,
            user.uid,
            course_id,
            filename=DEMO_DOCUMENT.name,
            data=DEMO_DOCUMENT.read_bytes(),
            title="Darwin: domestic pigeons",
            section_id=section_id,
        )
        assert self.services.storage_events.drain(60), "processing did not finish"
        snap = self.store.get(doc_paths.document(user.uid, course_id, doc.id))
        assert snap is not None and snap.data["status"] == "ready", snap
        return doc.id

    def wait(self) -> None:
        assert cast(InProcessTaskQueue, self.services.tasks).drain(60), "tasks did not finish"

    def chunks(self, user: TestUser, course_id: str, document_id: str) -> dict[str, str]:
        """Each chunk's citation excerpt -> its page."""
        query = collection(doc_paths.chunks(user.uid, course_id)).where(
            "document_id", "==", document_id
        )
        return {excerpt(s.data["text"]): s.data["page"] for s in self.store.query(query)}

    def cards(self, user: TestUser, course_id: str) -> list[Any]:
        page = FlashcardListQuery(course_id=course_id, limit=100)
        return list(list_cards(self.store, user.uid, page).items)


OpenApi = Callable[..., Generation]


@pytest.fixture
def open_api(
    tmp_path: Path, auth_emulator: AuthEmulator, assessments_function: Any
) -> Iterator[OpenApi]:
    """Build the services (settings and port overrides as keywords) and the client."""
    made: list[Services] = []

    def open_(**options: Any) -> Generation:
        model = options.pop("language_model", None)
        root = tmp_path / f"services{len(made)}"
        root.mkdir()
        base = make_services(root, auth_emulator, **options)
        ports: dict[str, Any] = {"language_model": model} if model is not None else {}
        services = Services(
            base.settings,
            documents=base.documents,
            identity=base.identity,
            password_auth=base.password_auth,
            **ports,
        )
        made.append(services)
        set_services(services)
        api = Api(
            client=assessments_function.test_client(),
            services=services,
            users=auth_emulator.user_factory(),
            auth=auth_emulator,
        )
        return Generation(api)

    yield open_
    set_services(None)
    for services in made:
        services.close()


@pytest.fixture
def gen(open_api: OpenApi) -> Generation:
    return open_api()


@pytest.fixture
def user(gen: Generation) -> TestUser:
    return gen.api.user()


# ------------------------------------------------------------------ flashcards
def test_cards_from_a_document_cite_its_passages_and_are_not_made_twice(
    gen: Generation, user: TestUser
) -> None:
    course = gen.course(user)
    doc = gen.document(user, course)
    body = {"course_id": course, "document_id": doc, "count": 6}
    r = gen.call(user, "POST", f"{A}/flashcards/generate/", json=body)
    assert r.status_code == 202, r.json
    assert r.json["status"] == "queued" and r.json["created_count"] == 0
    assert (r.json["kind"], r.json["requested_count"]) == ("flashcards", 6)
    gen.wait()

    job = gen.call(user, "GET", f"{A}/flashcards/generate/{r.json['id']}/")
    assert job.status_code == 200
    assert job.json["status"] == "ready", job.json
    created = job.json["created_count"]
    assert 0 < created <= 6
    cards = gen.cards(user, course)
    assert len(cards) == created
    chunks = gen.chunks(user, course, doc)
    for card in cards:
        assert card.source is not None and card.source.document_id == doc
        assert card.source.passage in chunks, "every card cites a real passage"
        assert card.source.page == chunks[card.source.passage]
        assert "generated" in card.tags and card.front.strip() and card.back.strip()

    again = gen.call(user, "POST", f"{A}/flashcards/generate/", json=body)
    assert again.status_code == 202
    gen.wait()
    second = gen.call(user, "GET", f"{A}/flashcards/generate/{again.json['id']}/").json
    assert second["status"] == "ready", second
    assert second["created_count"] == 0 and second["skipped_duplicates"] >= created
    assert second["warnings"], "the student is told why nothing was added"
    assert len(gen.cards(user, course)) == created

    listed = gen.call(user, "GET", f"{A}/flashcards/generate/", query_string={"course_id": course})
    assert listed.status_code == 200
    assert [j["id"] for j in listed.json["items"]] == [again.json["id"], r.json["id"]]


def test_cards_from_a_section_and_from_the_whole_course(gen: Generation, user: TestUser) -> None:
    course = gen.course(user)
    gen.document(user, course)
    section = create_section(
        gen.store,
        user.uid,
        course,
        SectionCreateFactory.build(title="Pouter pigeons", description="The crop and the breeds"),
        gen.services.clock.now(),
    )
    by_section = {"course_id": course, "section_id": section.id, "count": 3}
    whole = {"course_id": course, "count": 3}
    ids = [
        gen.call(user, "POST", f"{A}/flashcards/generate/", json=b).json["id"]
        for b in (by_section, whole)
    ]
    gen.wait()
    for job_id in ids:
        job = gen.call(user, "GET", f"{A}/flashcards/generate/{job_id}/").json
        assert job["status"] == "ready" and job["created_count"] > 0, job
    assert any(c.section_id == section.id for c in gen.cards(user, course))


def test_items_belong_to_the_section_of_the_document_they_cite(
    gen: Generation, user: TestUser
) -> None:
    course = gen.course(user)
    now = gen.services.clock.now()
    # a section whose title matches nothing: its passages can only come from its link
    section = create_section(
        gen.store, user.uid, course, SectionCreateFactory.build(title="Zq", description=None), now
    ).id
    doc = gen.document(user, course, section_id=section)
    bodies = [
        {"course_id": course, "section_id": section, "count": 3},
        {"course_id": course, "count": 6},
    ]
    jobs = [gen.call(user, "POST", f"{A}/flashcards/generate/", json=b) for b in bodies]
    quiz = gen.call(user, "POST", f"{A}/quizzes/generate/", json={"course_id": course, "count": 3})
    assert [r.status_code for r in (*jobs, quiz)] == [202, 202, 202]
    gen.wait()
    done = [gen.call(user, "GET", f"{A}/flashcards/generate/{r.json['id']}/").json for r in jobs]
    assert [j["status"] for j in done] == ["ready", "ready"], done
    # the course-wide job also draws on other passages than the section's three
    assert done[0]["created_count"] > 0 and done[1]["created_count"] > 0, done
    cards = gen.cards(user, course)
    assert cards and all(c.section_id == section for c in cards)
    assert all(c.source is not None and c.source.document_id == doc for c in cards)
    made = gen.call(user, "GET", f"{A}/quizzes/{quiz.json['id']}/").json
    assert made["status"] == "ready" and made["section_id"] is None, made
    assert made["questions"] and all(q["section_id"] == section for q in made["questions"])


def test_a_job_whose_task_died_shows_failed(gen: Generation, user: TestUser) -> None:
    course = gen.course(user)
    after = stuck_after(gen.services.settings)
    now = gen.services.clock.now()
    recent, dead = (
        jobs.create_job(
            gen.store,
            user.uid,
            course_id=course,
            document_id=None,
            section_id=None,
            count=3,
            now=now - age,
        )
        for age in (after - timedelta(minutes=1), after + timedelta(minutes=1))
    )
    got = {
        j.id: gen.call(user, "GET", f"{A}/flashcards/generate/{j.id}/").json for j in (recent, dead)
    }
    assert (got[recent.id]["status"], got[recent.id]["error"]) == ("queued", None)
    assert (got[dead.id]["status"], got[dead.id]["error"]) == ("failed", STUCK_ERROR)
    listed = gen.call(user, "GET", f"{A}/flashcards/generate/").json["items"]
    assert {j["id"]: j["status"] for j in listed} == {recent.id: "queued", dead.id: "failed"}


# ------------------------------------------------------------------ quizzes
def test_a_generated_quiz_becomes_ready_with_cited_questions(
    gen: Generation, user: TestUser
) -> None:
    course = gen.course(user)
    doc = gen.document(user, course)
    body = {"course_id": course, "document_id": doc, "count": 4, "title": "Pigeons"}
    r = gen.call(user, "POST", f"{A}/quizzes/generate/", json=body)
    assert r.status_code == 202, r.json
    assert (r.json["status"], r.json["title"], r.json["questions"]) == ("queued", "Pigeons", [])
    gen.wait()
    quiz = gen.call(user, "GET", f"{A}/quizzes/{r.json['id']}/")
    assert quiz.status_code == 200
    assert quiz.json["status"] == "ready", quiz.json
    questions = quiz.json["questions"]
    assert 0 < len(questions) <= 4
    chunks = gen.chunks(user, course, doc)
    for q in questions:
        assert q["source"]["document_id"] == doc and q["source"]["passage"] in chunks
        if q["kind"] in {"single_choice", "multiple_choice"}:
            assert len(q["options"]) >= 2


def test_a_quiz_without_a_title_is_named_after_its_document(
    gen: Generation, user: TestUser
) -> None:
    course = gen.course(user)
    doc = gen.document(user, course)
    r = gen.call(
        user, "POST", f"{A}/quizzes/generate/", json={"course_id": course, "document_id": doc}
    )
    assert r.status_code == 202
    assert r.json["title"] == "Quiz: Darwin: domestic pigeons"
    gen.wait()


# ------------------------------------------------------------------ failures
def test_a_failing_model_ends_the_job_and_the_quiz_failed_with_its_reason(
    open_api: OpenApi,
) -> None:
    reason = "The model declined to write study material for this text."
    gen = open_api(language_model=ScriptedLanguageModel(error=LanguageModelError(reason)))
    user = gen.api.user()
    course = gen.course(user)
    gen.document(user, course)
    job = gen.call(user, "POST", f"{A}/flashcards/generate/", json={"course_id": course}).json
    quiz = gen.call(user, "POST", f"{A}/quizzes/generate/", json={"course_id": course}).json
    gen.wait()
    job = gen.call(user, "GET", f"{A}/flashcards/generate/{job['id']}/").json
    assert (job["status"], job["error"], job["created_count"]) == ("failed", reason, 0)
    quiz = gen.call(user, "GET", f"{A}/quizzes/{quiz['id']}/").json
    assert (quiz["status"], quiz["error"]) == ("failed", reason)


def test_the_daily_limit_answers_429_with_the_reset_time(open_api: OpenApi) -> None:
    gen = open_api(generation_daily_limit=2)
    user = gen.api.user()
    course = gen.course(user)
    gen.document(user, course)
    body = {"course_id": course, "count": 1}
    assert gen.call(user, "POST", f"{A}/flashcards/generate/", json=body).status_code == 202
    assert gen.call(user, "POST", f"{A}/quizzes/generate/", json=body).status_code == 202
    r = gen.call(user, "POST", f"{A}/flashcards/generate/", json=body)
    assert r.status_code == 429
    error = r.json["error"]
    assert error["code"] == "rate_limited"
    retry_after = error["details"]["retry_after"]
    assert 0 < retry_after <= 86_400 and r.headers["Retry-After"] == str(retry_after)
    assert error["details"]["reset_at"].endswith("T00:00:00Z")
    # another user has their own allowance
    other = gen.api.user()
    other_course = gen.course(other)
    gen.document(other, other_course)
    ok = gen.call(other, "POST", f"{A}/quizzes/generate/", json={"course_id": other_course})
    assert ok.status_code == 202
    gen.wait()


def test_nothing_to_generate_from_is_a_409(gen: Generation, user: TestUser) -> None:
    course = gen.course(user)
    r = gen.call(user, "POST", f"{A}/flashcards/generate/", json={"course_id": course})
    assert r.status_code == 409
    assert r.json["error"]["message"].startswith("Upload and process a document first")
    pending, _ = doc_repository.new_document(
        gen.store,
        user.uid,
        course,
        filename="later.md",
        title="Not yet uploaded",
        content_type="text/markdown",
        size=10,
        now=gen.services.clock.now(),
    )
    body = {"course_id": course, "document_id": pending.id}
    for path in ("flashcards", "quizzes"):
        r = gen.call(user, "POST", f"{A}/{path}/generate/", json=body)
        assert r.status_code == 409
        assert "still being processed" in r.json["error"]["message"]
    # refused requests do not count against the daily limit, nor leave jobs behind
    listed = gen.call(user, "GET", f"{A}/flashcards/generate/").json
    assert listed["items"] == []


def test_what_does_not_exist_or_is_someone_elses_is_a_404(gen: Generation, user: TestUser) -> None:
    course = gen.course(user)
    doc = gen.document(user, course)
    stranger = gen.api.user()
    bodies = [
        {"course_id": new_id()},
        {"course_id": course, "document_id": new_id()},
        {"course_id": course, "section_id": new_id()},
    ]
    for body in bodies:
        for path in ("flashcards", "quizzes"):
            r = gen.call(user, "POST", f"{A}/{path}/generate/", json=body)
            assert r.status_code == 404, (path, body, r.json)
    theirs = {"course_id": course, "document_id": doc}
    assert gen.call(stranger, "POST", f"{A}/flashcards/generate/", json=theirs).status_code == 404
    job = gen.call(user, "POST", f"{A}/flashcards/generate/", json=theirs).json
    gen.wait()
    assert gen.call(stranger, "GET", f"{A}/flashcards/generate/{job['id']}/").status_code == 404
    assert gen.call(user, "GET", f"{A}/flashcards/generate/{new_id()}/").status_code == 404
    assert gen.call(user, "GET", f"{A}/flashcards/generate/bad%20id/").status_code == 404
    # OWASP API1 review: the job list's course filter answers like any other id
    # (it listed nothing, 200)
    mine = {"course_id": course}
    assert (
        gen.call(stranger, "GET", f"{A}/flashcards/generate/", query_string=mine).status_code == 404
    )
    unknown = {"course_id": new_id()}
    assert (
        gen.call(user, "GET", f"{A}/flashcards/generate/", query_string=unknown).status_code == 404
    )
    listed = gen.call(user, "GET", f"{A}/flashcards/generate/", query_string=mine)
    assert [j["id"] for j in listed.json["items"]] == [job["id"]]


@pytest.mark.parametrize(
    "change",
    [
        {"count": 0},
        {"count": 51},
        {"count": 2.5},
        {"count": "five"},
        {"count": 7},  # over this deployment's generation_max_count
        {"document_id": "DOC", "section_id": "SEC"},
        {"course_id": None},
        {"colour": "red"},
        {"title": ""},
        {"document_id": "a/b"},
    ],
)
def test_bad_input_is_a_400(open_api: OpenApi, change: dict[str, Any]) -> None:
    gen = open_api(generation_max_count=6)
    user = gen.api.user()
    course = gen.course(user)
    body = {"course_id": course, "count": 2, **change}
    path = "quizzes" if "title" in change else "flashcards"
    r = gen.call(user, "POST", f"{A}/{path}/generate/", json=body)
    assert r.status_code == 400, r.json
    assert r.json["error"]["code"] == "validation_error"


def test_a_request_without_a_token_is_401(gen: Generation) -> None:
    r = gen.api.client.post(f"{A}/flashcards/generate/", json={"course_id": new_id()})
    assert r.status_code == 401
