"""A document may belong to one section of its course: set at upload (form
field or upload-URL body), changed or cleared by PATCH, cleared when the
section is deleted. Over HTTP through the real courses function."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from aksio.documents import paths as doc_paths
from aksio.tasks.stuck import STUCK_ERROR, stuck_after
from tests.factories import files
from tests.factories.courses import SectionCreateFactory
from tests.factories.users import TestUser
from tests.fixtures.app import Api
from tests.fixtures.students import fields_of
from tests.integration.test_documents_api import call, new_course, processed, upload

pytestmark = pytest.mark.emulator
C = "/api/v1/courses"


@pytest.fixture
def user(courses_api: Api) -> TestUser:
    return courses_api.user()


def new_section(api: Api, user: TestUser, course_id: str) -> str:
    body = SectionCreateFactory.build().model_dump(mode="json", exclude_none=True)
    r = call(api, user, "POST", f"{C}/{course_id}/sections/", json=body)
    assert r.status_code == 201, r.json
    return str(r.json["id"])


def get_doc(api: Api, user: TestUser, course_id: str, document_id: str) -> dict[str, Any]:
    r = call(api, user, "GET", f"{C}/{course_id}/documents/{document_id}/")
    assert r.status_code == 200, r.json
    return dict(r.json)


def patch(api: Api, user: TestUser, course_id: str, document_id: str, body: Any) -> Any:
    return call(api, user, "PATCH", f"{C}/{course_id}/documents/{document_id}/", json=body)


def listed(api: Api, user: TestUser, course_id: str) -> list[dict[str, Any]]:
    r = call(api, user, "GET", f"{C}/{course_id}/documents/")
    assert r.status_code == 200, r.json
    return list(r.json["items"])


def upload_url(api: Api, user: TestUser, course_id: str, **fields: Any) -> Any:
    body = {"filename": "chapter.md", "size": 100, **fields}
    return call(api, user, "POST", f"{C}/{course_id}/documents/upload-url/", json=body)


def assert_not_found(response: Any) -> None:
    assert response.status_code == 404, response.json
    assert response.json["error"]["code"] == "not_found"


# ------------------------------------------------------------------ linking at upload
def test_an_upload_with_a_section_stays_linked_through_processing(
    courses_api: Api, user: TestUser
) -> None:
    course = new_course(courses_api, user)
    section = new_section(courses_api, user, course)
    r = upload(courses_api, user, course, "ch3.md", files.markdown(), section_id=section)
    assert r.status_code == 201, r.json
    assert r.json["section_id"] == section
    doc = processed(courses_api, user, course, r.json["id"])
    assert doc["status"] == "ready" and doc["section_id"] == section
    assert [d["section_id"] for d in listed(courses_api, user, course)] == [section]
    plain = upload(courses_api, user, course, "all.md", files.markdown())
    assert plain.status_code == 201 and plain.json["section_id"] is None


def test_an_upload_url_with_a_section_links_the_record(courses_api: Api, user: TestUser) -> None:
    course = new_course(courses_api, user)
    section = new_section(courses_api, user, course)
    r = upload_url(courses_api, user, course, section_id=section)
    assert r.status_code == 201, r.json
    assert r.json["document"]["section_id"] == section
    assert get_doc(courses_api, user, course, r.json["document"]["id"])["section_id"] == section
    plain = upload_url(courses_api, user, course, section_id=None)
    assert plain.status_code == 201 and plain.json["document"]["section_id"] is None


# ------------------------------------------------------------------ PATCH
def test_patch_links_retitles_and_unlinks(courses_api: Api, user: TestUser) -> None:
    course = new_course(courses_api, user)
    first, second = new_section(courses_api, user, course), new_section(courses_api, user, course)
    r = upload(courses_api, user, course, "notes.md", files.markdown(), title="Notes")
    doc_id = r.json["id"]
    before = processed(courses_api, user, course, doc_id)
    assert before["section_id"] is None

    linked = patch(courses_api, user, course, doc_id, {"section_id": first})
    assert linked.status_code == 200, linked.json
    assert (linked.json["section_id"], linked.json["title"]) == (first, "Notes")
    assert linked.json["status"] == "ready" and linked.json["word_count"] == before["word_count"]
    assert get_doc(courses_api, user, course, doc_id)["section_id"] == first

    moved = patch(courses_api, user, course, doc_id, {"section_id": second, "title": " Ch. 3 "})
    assert (moved.json["section_id"], moved.json["title"]) == (second, "Ch. 3")
    retitled = patch(courses_api, user, course, doc_id, {"title": "Chapter 3 slides"})
    assert (retitled.json["section_id"], retitled.json["title"]) == (second, "Chapter 3 slides")
    # search shows the document's current title, not the one its chunks were made under
    words = " ".join(files.paragraph(1).split()[:8])
    found = call(courses_api, user, "GET", f"{C}/{course}/search/", query_string={"q": words})
    hits = found.json["items"]
    assert hits and {h["title"] for h in hits} == {"Chapter 3 slides"}

    unlinked = patch(courses_api, user, course, doc_id, {"section_id": None})
    assert unlinked.status_code == 200
    assert (unlinked.json["section_id"], unlinked.json["title"]) == (None, "Chapter 3 slides")
    assert get_doc(courses_api, user, course, doc_id)["section_id"] is None
    unchanged = patch(courses_api, user, course, doc_id, {})
    assert unchanged.status_code == 200 and unchanged.json["title"] == "Chapter 3 slides"


# ------------------------------------------------------------------ 404 and 400
def test_sections_and_documents_that_are_not_the_callers_are_404(
    courses_api: Api, user: TestUser
) -> None:
    course, elsewhere = new_course(courses_api, user), new_course(courses_api, user)
    foreign_section = new_section(courses_api, user, elsewhere)  # the caller's, other course
    other = courses_api.user()
    their_course = new_course(courses_api, other)
    their_section = new_section(courses_api, other, their_course)
    their_doc = upload(courses_api, other, their_course, "t.md", files.markdown()).json["id"]
    mine = upload(courses_api, user, course, "m.md", files.markdown()).json["id"]
    missing = "01hzzzzzzzzzzzzzzzzzzzzzzz"  # well-formed, never created

    for section in (foreign_section, their_section, missing):
        assert_not_found(
            upload(courses_api, user, course, "x.md", files.markdown(), section_id=section)
        )
        assert_not_found(upload_url(courses_api, user, course, section_id=section))
        assert_not_found(patch(courses_api, user, course, mine, {"section_id": section}))
    assert [d["id"] for d in listed(courses_api, user, course)] == [mine]  # nothing stored
    assert get_doc(courses_api, user, course, mine)["section_id"] is None

    assert_not_found(patch(courses_api, user, their_course, their_doc, {"title": "Mine now"}))
    assert_not_found(patch(courses_api, user, course, their_doc, {"title": "Mine now"}))
    assert_not_found(patch(courses_api, user, course, missing, {"title": "x"}))
    assert get_doc(courses_api, other, their_course, their_doc)["title"] != "Mine now"


def test_malformed_ids_and_unknown_fields_are_400(courses_api: Api, user: TestUser) -> None:
    course = new_course(courses_api, user)
    doc = upload(courses_api, user, course, "m.md", files.markdown()).json
    doc_id = doc["id"]
    bad = upload(courses_api, user, course, "x.md", files.markdown(), section_id="no such/id")
    assert fields_of(bad) == ["section_id"]
    assert fields_of(upload_url(courses_api, user, course, section_id="a b")) == ["section_id"]
    assert fields_of(upload_url(courses_api, user, course, section_id=7)) == ["section_id"]
    assert [d["id"] for d in listed(courses_api, user, course)] == [doc_id]  # nothing stored

    assert fields_of(patch(courses_api, user, course, doc_id, {"section_id": "a b"})) == [
        "section_id"
    ]
    assert fields_of(patch(courses_api, user, course, doc_id, {"status": "ready"})) == ["status"]
    assert fields_of(patch(courses_api, user, course, doc_id, {"title": None})) == ["title"]
    assert fields_of(patch(courses_api, user, course, doc_id, {"title": "  "})) == ["title"]
    assert get_doc(courses_api, user, course, doc_id)["title"] == doc["title"]


# ------------------------------------------------------------------ section deletion
def test_deleting_a_section_unlinks_its_documents(courses_api: Api, user: TestUser) -> None:
    course = new_course(courses_api, user)
    gone, kept = new_section(courses_api, user, course), new_section(courses_api, user, course)
    on_gone = [
        upload(courses_api, user, course, f"g{i}.md", files.markdown(), section_id=gone).json["id"]
        for i in range(2)
    ]
    on_kept = upload(courses_api, user, course, "k.md", files.markdown(), section_id=kept)
    r = call(courses_api, user, "DELETE", f"{C}/{course}/sections/{gone}/")
    assert r.status_code == 204
    for doc_id in on_gone:
        assert get_doc(courses_api, user, course, doc_id)["section_id"] is None
    assert get_doc(courses_api, user, course, on_kept.json["id"])["section_id"] == kept
    assert_not_found(patch(courses_api, user, course, on_gone[0], {"section_id": gone}))


def test_a_document_left_processing_by_a_dead_trigger_shows_failed(
    courses_api: Api, user: TestUser
) -> None:
    course = new_course(courses_api, user)
    s = courses_api.services
    ids = [upload_url(courses_api, user, course).json["document"]["id"] for _ in range(2)]
    after = stuck_after(s.settings)
    ages = (after - timedelta(minutes=1), after + timedelta(minutes=1))
    for document_id, age in zip(ids, ages, strict=True):
        s.documents.update(
            doc_paths.document(user.uid, course, document_id),
            {"status": "processing", "updated_at": s.clock.now() - age},
        )
    recent, dead = (get_doc(courses_api, user, course, d) for d in ids)
    assert (recent["status"], recent["error"]) == ("processing", None)
    assert (dead["status"], dead["error"]) == ("failed", STUCK_ERROR)
    assert {d["id"]: d["status"] for d in listed(courses_api, user, course)} == {
        ids[0]: "processing",
        ids[1]: "failed",
    }
