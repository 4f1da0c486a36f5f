"""Courses and sections over HTTP: the ``courses`` function loaded by
functions-framework, embedded stores in a temporary folder, the real Auth
emulator. The blob store here reports no Storage events: these tests put
files only to see course deletion remove them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from flask.testing import FlaskClient

from aksio.adapters.inprocess_tasks import InProcessTaskQueue
from aksio.adapters.local_blobs import LocalBlobStore
from aksio.adapters.sqlite_store import SqliteDocumentStore
from aksio.composition import Services, set_services
from aksio.config import Settings
from aksio.courses import paths
from tests.factories.accounts import body
from tests.factories.courses import CourseCreateFactory, CourseUpdateFactory, SectionCreateFactory
from tests.factories.users import TestUser, UserFactory
from tests.fixtures.app import load_function
from tests.fixtures.auth_emulator import AuthEmulator

pytestmark = pytest.mark.emulator
B = "/api/v1/courses"


@pytest.fixture(scope="session")
def courses_app() -> Any:
    """``functions/courses/main.py`` as functions-framework loads it in production."""
    return load_function("courses")


@dataclass
class CoursesApi:
    client: FlaskClient
    services: Services
    users: UserFactory

    def user(self) -> TestUser:
        return self.users.create()

    def call(self, user: TestUser | None, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {user.token()}"} if user else {}
        return self.client.open(f"{B}{path}", method=method, headers=headers, **kwargs)

    def course(self, user: TestUser, **overrides: Any) -> dict[str, Any]:
        r = self.call(user, "POST", "/", json=body(CourseCreateFactory, **overrides))
        assert r.status_code == 201, r.json
        return dict(r.json)

    @property
    def queue(self) -> InProcessTaskQueue:
        return cast(InProcessTaskQueue, self.services.tasks)


def build_services(root: Path, auth: AuthEmulator) -> Services:
    settings = Settings(
        environment="test",
        project_id=auth.project_id,
        sqlite_path=root / "aksio.sqlite3",
        blob_dir=root / "blobs",
        auth_emulator_host=auth.host,
        task_queue="inprocess",
    )
    return Services(
        settings,
        documents=SqliteDocumentStore(settings.sqlite_path),
        # no storage events: these tests put blobs only to see them deleted
        blobs=LocalBlobStore(settings.blob_dir, settings.bucket),
        identity=auth.identity(),
    )


@pytest.fixture
def api(tmp_path: Path, auth_emulator: AuthEmulator, courses_app: Any) -> Iterator[CoursesApi]:
    services = build_services(tmp_path, auth_emulator)
    set_services(services)  # the app and the task handler both use the instance services
    yield CoursesApi(courses_app.test_client(), services, auth_emulator.user_factory())
    set_services(None)
    if "tasks" in services._built:
        services.tasks.close()  # type: ignore[attr-defined]
    services.documents.close()


@pytest.fixture
def user(api: CoursesApi) -> TestUser:
    return api.user()


def fields_of(error_response: Any) -> set[str]:
    assert set(error_response.json) == {"error"}
    return {d["field"] for d in error_response.json["error"]["details"] or []}


# ------------------------------------------------------------------ courses
def test_create_and_read_a_course(api: CoursesApi, user: TestUser) -> None:
    sent = body(CourseCreateFactory, color="#AABBCC", description=None)
    r = api.call(user, "POST", "/", json=sent)
    assert r.status_code == 201
    course = r.json
    assert set(course) == {
        "id",
        "title",
        "code",
        "description",
        "term",
        "exam_date",
        "color",
        "archived",
        "created_at",
        "updated_at",
    }
    assert course["color"] == "#aabbcc"
    assert course["description"] is None
    assert {k: course[k] for k in ("title", "code", "term", "exam_date")} == {
        k: sent[k] for k in ("title", "code", "term", "exam_date")
    }
    assert course["created_at"].endswith("Z") or course["created_at"].endswith("+00:00")
    got = api.call(user, "GET", f"/{course['id']}/")
    assert got.status_code == 200 and got.json == course
    assert api.call(user, "GET", f"/{course['id']}").status_code == 200  # slash optional


def test_minimal_course_gets_defaults(api: CoursesApi, user: TestUser) -> None:
    r = api.call(user, "POST", "/", json={"title": "  Ethics  ", "code": ""})
    assert r.status_code == 201
    c = r.json
    assert (c["title"], c["code"], c["term"], c["exam_date"], c["archived"]) == (
        "Ethics",
        None,
        None,
        None,
        False,
    )
    assert c["color"].startswith("#") and len(c["color"]) == 7


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": 5}, "title"),
        ({"title": "A", "color": "red"}, "color"),
        ({"title": "A", "color": "#abc"}, "color"),
        ({"title": "A", "exam_date": "next week"}, "exam_date"),
        ({"title": "A", "exam_date": "2026-02-30"}, "exam_date"),
        ({"title": "A", "exam_date": "1990-01-01"}, "exam_date"),
        ({"title": "A", "archived": "true"}, "archived"),
        ({"title": "A", "code": "C" * 33}, "code"),
        ({"title": "A", "id": "mine"}, "id"),
        ({"title": "A", "created_at": "2020-01-01T00:00:00Z"}, "created_at"),
        ({"title": "A", "status": "deleting"}, "status"),
    ],
)
def test_bad_course_bodies_are_400(
    api: CoursesApi, user: TestUser, sent: dict[str, Any], field: str
) -> None:
    r = api.call(user, "POST", "/", json=sent)
    assert r.status_code == 400, r.json
    assert r.json["error"]["code"] == "validation_error"
    assert field in fields_of(r)
    assert api.call(user, "GET", "/").json["items"] == []


def test_body_problems(api: CoursesApi, user: TestUser) -> None:
    assert api.call(user, "POST", "/", data="{", content_type="application/json").status_code == 400
    assert api.call(user, "POST", "/", data="title=x", content_type="text/plain").status_code == 415
    assert api.call(user, "POST", "/", json=["title"]).status_code == 400


def test_put_replaces_and_patch_changes_given_fields(api: CoursesApi, user: TestUser) -> None:
    course = api.course(user, description="Old", term="Spring 2026")
    cid = course["id"]
    put = api.call(user, "PUT", f"/{cid}/", json={"title": "Replaced", "code": "NEW1"})
    assert put.status_code == 200
    assert (put.json["title"], put.json["code"], put.json["description"], put.json["term"]) == (
        "Replaced",
        "NEW1",
        None,  # left out of a PUT: cleared
        None,
    )
    assert put.json["created_at"] == course["created_at"]

    change = body(CourseUpdateFactory)
    patched = api.call(user, "PATCH", f"/{cid}/", json=change)
    assert patched.status_code == 200
    assert {k: patched.json[k] for k in change} == change
    partial = api.call(user, "PATCH", f"/{cid}/", json={"code": None, "color": None})
    assert partial.json["code"] is None
    assert partial.json["title"] == change["title"]  # untouched
    assert partial.json["color"] != "#112233"  # null restores the palette colour
    assert api.call(user, "GET", f"/{cid}/").json == partial.json


@pytest.mark.parametrize(
    ("method", "sent", "field"),
    [
        ("PATCH", {"title": None}, "title"),
        ("PATCH", {"archived": None}, "archived"),
        ("PATCH", {"color": "#GGGGGG"}, "color"),
        ("PATCH", {"plan": "pro"}, "plan"),
        ("PUT", {"code": "X"}, "title"),
    ],
)
def test_bad_updates_are_400_and_change_nothing(
    api: CoursesApi, user: TestUser, method: str, sent: dict[str, Any], field: str
) -> None:
    course = api.course(user)
    r = api.call(user, method, f"/{course['id']}/", json=sent)
    assert r.status_code == 400
    assert field in fields_of(r)
    assert api.call(user, "GET", f"/{course['id']}/").json == course


def test_exam_date_window(api: CoursesApi, user: TestUser) -> None:
    course = api.course(user)
    far = (date.today() + timedelta(days=365 * 11)).isoformat()
    r = api.call(user, "PATCH", f"/{course['id']}/", json={"exam_date": far})
    assert r.status_code == 400 and fields_of(r) == {"exam_date"}
    past = (date.today() - timedelta(days=400)).isoformat()
    assert api.call(user, "PATCH", f"/{course['id']}/", json={"exam_date": past}).status_code == 200


def test_list_is_paginated_newest_first_and_filtered(api: CoursesApi, user: TestUser) -> None:
    made = [api.course(user, title=f"Course {i}", archived=i % 3 == 0) for i in range(7)]
    api.course(api.user())  # someone else's
    seen: list[str] = []
    cursor: str | None = None
    while True:
        q = f"?limit=3&cursor={cursor}" if cursor else "?limit=3"
        page = api.call(user, "GET", f"/{q}").json
        assert len(page["items"]) <= 3
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [c["id"] for c in reversed(made)]
    archived = api.call(user, "GET", "/?archived=true").json["items"]
    assert [c["id"] for c in archived] == [made[6]["id"], made[3]["id"], made[0]["id"]]
    active = api.call(user, "GET", "/?archived=false").json["items"]
    assert {c["id"] for c in active} == {c["id"] for c in made} - {c["id"] for c in archived}


@pytest.mark.parametrize(
    "query", ["?limit=0", "?limit=101", "?limit=x", "?archived=maybe", "?cursor=%%%", "?sort=x"]
)
def test_bad_list_parameters_are_400(api: CoursesApi, user: TestUser, query: str) -> None:
    r = api.call(user, "GET", f"/{query}")
    assert r.status_code == 400
    assert r.json["error"]["code"] == "validation_error"


def test_another_users_cursor_is_refused(api: CoursesApi, user: TestUser) -> None:
    other = api.user()
    for _ in range(3):
        api.course(other)
    cursor = api.call(other, "GET", "/?limit=1").json["next_cursor"]
    assert api.call(user, "GET", f"/?cursor={cursor}").status_code == 400


def test_someone_elses_course_is_404_everywhere(api: CoursesApi, user: TestUser) -> None:
    theirs = api.course(api.user())
    cid = theirs["id"]
    for method, path, sent in [
        ("GET", f"/{cid}/", None),
        ("PUT", f"/{cid}/", {"title": "Mine"}),
        ("PATCH", f"/{cid}/", {"title": "Mine"}),
        ("DELETE", f"/{cid}/", None),
        ("GET", f"/{cid}/sections/", None),
        ("POST", f"/{cid}/sections/", {"title": "Mine"}),
        ("POST", f"/{cid}/sections/reorder/", {"section_ids": []}),
    ]:
        r = api.call(user, method, path, json=sent)
        assert (method, path, r.status_code) == (method, path, 404)
        assert r.json["error"]["code"] == "not_found"
    assert api.call(None, "GET", f"/{cid}/").status_code == 401


@pytest.mark.parametrize("bad", ["nope", "a.b", "x" * 200, "%2e%2e"])
def test_unknown_or_malformed_ids_are_404(api: CoursesApi, user: TestUser, bad: str) -> None:
    assert api.call(user, "GET", f"/{bad}/").status_code == 404
    assert api.call(user, "PATCH", f"/{bad}/", json={"title": "x"}).status_code == 404
    assert api.call(user, "GET", f"/{bad}/sections/").status_code == 404


def test_requests_without_a_token_are_401(api: CoursesApi) -> None:
    r = api.call(None, "GET", "/")
    assert r.status_code == 401 and r.json["error"]["code"] == "unauthenticated"
    assert api.call(None, "POST", "/", json={"title": "x"}).status_code == 401


def test_wrong_method_is_405(api: CoursesApi, user: TestUser) -> None:
    r = api.call(user, "DELETE", "/")
    assert r.status_code == 405 and r.json["error"]["code"] == "method_not_allowed"


def test_course_limit_is_409(
    api: CoursesApi, user: TestUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aksio.courses import domain

    monkeypatch.setattr(domain, "MAX_COURSES_PER_USER", 2)
    api.course(user)
    api.course(user)
    r = api.call(user, "POST", "/", json={"title": "Third"})
    assert r.status_code == 409
    assert r.json["error"]["code"] == "conflict" and "limit of 2" in r.json["error"]["message"]


def test_health(api: CoursesApi) -> None:
    r = api.client.get("/api/health/")
    assert r.status_code == 200
    assert {"documents", "blobs", "tasks"} <= set(r.json["dependencies"])
    assert set(r.json["dependencies"].values()) == {"ok"}


# ------------------------------------------------------------------ sections
def section_titles(api: CoursesApi, user: TestUser, cid: str) -> list[str]:
    r = api.call(user, "GET", f"/{cid}/sections/")
    assert r.status_code == 200 and r.json["next_cursor"] is None
    assert [s["order"] for s in r.json["items"]] == list(range(len(r.json["items"])))
    return [s["title"] for s in r.json["items"]]


def test_sections_lifecycle(api: CoursesApi, user: TestUser) -> None:
    cid = api.course(user)["id"]
    made = []
    for title in ["Cells", "Membranes", "Enzymes"]:
        r = api.call(
            user, "POST", f"/{cid}/sections/", json=body(SectionCreateFactory, title=title)
        )
        assert r.status_code == 201
        made.append(r.json)
    assert set(made[0]) == {"id", "course_id", "title", "description", "order"}
    assert made[2]["course_id"] == cid and made[2]["order"] == 2

    first = api.call(user, "POST", f"/{cid}/sections/", json={"title": "Intro", "position": 0})
    assert first.status_code == 201 and first.json["order"] == 0
    assert section_titles(api, user, cid) == ["Intro", "Cells", "Membranes", "Enzymes"]

    sid = made[1]["id"]
    got = api.call(user, "GET", f"/{cid}/sections/{sid}/")
    assert got.status_code == 200 and got.json["order"] == 2
    patched = api.call(user, "PATCH", f"/{cid}/sections/{sid}/", json={"description": "Ch. 3"})
    assert (patched.json["title"], patched.json["description"]) == ("Membranes", "Ch. 3")
    put = api.call(user, "PUT", f"/{cid}/sections/{sid}/", json={"title": "Transport"})
    assert (put.json["title"], put.json["description"], put.json["order"]) == ("Transport", None, 2)

    ids = [s["id"] for s in api.call(user, "GET", f"/{cid}/sections/").json["items"]]
    r = api.call(user, "POST", f"/{cid}/sections/reorder/", json={"section_ids": ids[::-1]})
    assert r.status_code == 200
    assert [s["title"] for s in r.json["items"]] == ["Enzymes", "Transport", "Cells", "Intro"]
    assert section_titles(api, user, cid) == ["Enzymes", "Transport", "Cells", "Intro"]

    assert api.call(user, "DELETE", f"/{cid}/sections/{sid}/").status_code == 204
    assert section_titles(api, user, cid) == ["Enzymes", "Cells", "Intro"]
    assert api.call(user, "DELETE", f"/{cid}/sections/{sid}/").status_code == 404
    assert api.call(user, "GET", f"/{cid}/sections/{sid}/").status_code == 404


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "A", "position": -1}, "position"),
        ({"title": "A", "position": "1"}, "position"),
        ({"title": "A", "order": 3}, "order"),
        ({"title": "A", "course_id": "other"}, "course_id"),
        ({"title": "A", "position": 5}, "position"),  # past the end (2 sections)
    ],
)
def test_bad_section_bodies(
    api: CoursesApi, user: TestUser, sent: dict[str, Any], field: str
) -> None:
    cid = api.course(user)["id"]
    for title in ("A", "B"):
        api.call(user, "POST", f"/{cid}/sections/", json={"title": title})
    r = api.call(user, "POST", f"/{cid}/sections/", json=sent)
    assert r.status_code == 400, r.json
    assert field in fields_of(r)
    assert section_titles(api, user, cid) == ["A", "B"]


def test_reorder_must_be_exactly_the_current_sections(api: CoursesApi, user: TestUser) -> None:
    cid = api.course(user)["id"]
    ids = [
        api.call(user, "POST", f"/{cid}/sections/", json={"title": t}).json["id"]
        for t in ("A", "B", "C")
    ]
    foreign_cid = api.course(user)["id"]
    foreign = api.call(user, "POST", f"/{foreign_cid}/sections/", json={"title": "X"}).json["id"]
    for bad in [ids[:2], [*ids, ids[0]], [*ids[:2], foreign], [], [*ids, "nope"], ["../x"]]:
        r = api.call(user, "POST", f"/{cid}/sections/reorder/", json={"section_ids": bad})
        assert r.status_code == 400, bad
        assert fields_of(r) <= {"section_ids", "section_ids.0"}
    assert section_titles(api, user, cid) == ["A", "B", "C"]


def test_section_limit_is_409(
    api: CoursesApi, user: TestUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aksio.courses import domain

    monkeypatch.setattr(domain, "MAX_SECTIONS_PER_COURSE", 2)
    cid = api.course(user)["id"]
    for title in ("A", "B"):
        assert api.call(user, "POST", f"/{cid}/sections/", json={"title": title}).status_code == 201
    r = api.call(user, "POST", f"/{cid}/sections/", json={"title": "C"})
    assert r.status_code == 409 and "at most 2 sections" in r.json["error"]["message"]


def test_another_users_section_is_404(api: CoursesApi, user: TestUser) -> None:
    other = api.user()
    cid = api.course(other)["id"]
    sid = api.call(other, "POST", f"/{cid}/sections/", json={"title": "Theirs"}).json["id"]
    mine = api.course(user)["id"]
    for method, path, sent in [
        ("GET", f"/{cid}/sections/{sid}/", None),
        ("PATCH", f"/{cid}/sections/{sid}/", {"title": "Mine"}),
        ("DELETE", f"/{cid}/sections/{sid}/", None),
        ("GET", f"/{mine}/sections/{sid}/", None),  # their section id under my course
        ("DELETE", f"/{mine}/sections/{sid}/", None),
    ]:
        assert api.call(user, method, path, json=sent).status_code == 404, (method, path)
    assert section_titles(api, other, cid) == ["Theirs"]


# ------------------------------------------------------------------ deletion (HTTP side)
def test_delete_answers_202_and_hides_the_course_at_once(api: CoursesApi, user: TestUser) -> None:
    course = api.course(user)
    cid = course["id"]
    r = api.call(user, "DELETE", f"/{cid}/")
    assert r.status_code == 202
    assert r.json == {"id": cid, "status": "deleting"}
    # gone for reads and lists before the task has even run
    assert api.call(user, "GET", f"/{cid}/").status_code == 404
    assert api.call(user, "PATCH", f"/{cid}/", json={"archived": True}).status_code == 404
    assert api.call(user, "GET", f"/{cid}/sections/").status_code == 404
    assert cid not in {c["id"] for c in api.call(user, "GET", "/").json["items"]}
    # a repeated DELETE before the purge finishes is accepted again (idempotent)
    assert api.call(user, "DELETE", f"/{cid}/").status_code in (202, 404)
    assert api.queue.drain(10)
    assert api.services.documents.get(paths.course(user.uid, cid)) is None
    assert api.call(user, "DELETE", f"/{cid}/").status_code == 404
