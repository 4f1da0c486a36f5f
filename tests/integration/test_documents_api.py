"""Upload -> storage event -> extraction -> chunks -> search, over HTTP
through the real courses function, with the embedded stores and the local
Storage events that deliver the same CloudEvent as Eventarc."""

from __future__ import annotations

import io
from typing import Any

import pytest

from aksio.documents import paths
from aksio.documents.events import finalized_event
from aksio.documents.trigger import on_object_finalized
from aksio.ports.documents import collection
from tests.factories import files
from tests.factories.courses import CourseCreateFactory
from tests.factories.users import TestUser
from tests.fixtures.app import Api

pytestmark = pytest.mark.emulator
C = "/api/v1/courses"


@pytest.fixture
def user(courses_api: Api) -> TestUser:
    return courses_api.user()


def call(api: Api, user: TestUser, method: str, path: str, **kwargs: Any) -> Any:
    return api.client.open(path, method=method, headers=api.bearer(user), **kwargs)


def new_course(api: Api, user: TestUser) -> str:
    payload = CourseCreateFactory.build().model_dump(mode="json", exclude_none=True)
    r = call(api, user, "POST", f"{C}/", json=payload)
    assert r.status_code == 201, r.json
    return str(r.json["id"])


def upload(api: Api, user: TestUser, course_id: str, name: str, data: bytes, **form: str) -> Any:
    body = {"file": (io.BytesIO(data), name), **form}
    return call(
        api,
        user,
        "POST",
        f"{C}/{course_id}/documents/",
        data=body,
        content_type="multipart/form-data",
    )


def processed(api: Api, user: TestUser, course_id: str, document_id: str) -> dict[str, Any]:
    assert api.services.storage_events.drain(60), "storage events did not finish"
    r = call(api, user, "GET", f"{C}/{course_id}/documents/{document_id}/")
    assert r.status_code == 200
    return dict(r.json)


def chunk_count(api: Api, user: TestUser, course_id: str, document_id: str) -> int:
    query = collection(paths.chunks(user.uid, course_id)).where("document_id", "==", document_id)
    return api.services.documents.count(query)


# ------------------------------------------------------------------ happy paths
def test_pdf_upload_is_processed_and_searchable(courses_api: Api, user: TestUser) -> None:
    course = new_course(courses_api, user)
    pdf = files.textbook_pdf(6)
    r = upload(courses_api, user, course, "Biology notes.pdf", pdf, title="Cell biology")
    assert r.status_code == 201
    assert r.json["status"] == "uploaded"
    assert r.json["title"] == "Cell biology"
    doc = processed(courses_api, user, course, r.json["id"])
    assert doc["status"] == "ready", doc
    assert doc["progress"] == 100
    assert doc["page_count"] == 6
    assert doc["word_count"] > 300
    assert doc["language"] == "en"
    assert doc["proposed_sections"], "the PDF's outline should propose sections"
    n = chunk_count(courses_api, user, course, r.json["id"])
    assert n > 0
    # search with the words of a paragraph printed on page 4
    paragraph = files.textbook_pages(6)[3].paragraphs[0]
    words = " ".join(paragraph.split()[:40])[:480]
    found = call(courses_api, user, "GET", f"{C}/{course}/search/", query_string={"q": words})
    assert found.status_code == 200
    items = found.json["items"]
    assert items, "search found nothing"
    top = items[0]
    assert set(top) == {"document_id", "title", "page", "heading", "text", "score"}
    assert top["document_id"] == r.json["id"]
    assert top["title"] == "Cell biology"
    assert top["page"] == 4


@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("notes.md", files.markdown),
        ("notes.txt", files.text),
        ("page.html", files.html),
        ("essay.docx", files.docx),
        ("slides.pptx", files.pptx),
    ],
)
def test_every_supported_format_ends_ready(
    courses_api: Api, user: TestUser, name: str, build: Any
) -> None:
    course = new_course(courses_api, user)
    r = upload(courses_api, user, course, name, build())
    assert r.status_code == 201
    doc = processed(courses_api, user, course, r.json["id"])
    assert doc["status"] == "ready", doc
    assert chunk_count(courses_api, user, course, r.json["id"]) > 0


def test_direct_upload_through_an_upload_url(courses_api: Api, user: TestUser) -> None:
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    from aksio.devtools.gateway import local_upload

    course = new_course(courses_api, user)
    data = files.markdown()
    r = call(
        courses_api,
        user,
        "POST",
        f"{C}/{course}/documents/upload-url/",
        json={"filename": "lecture.md", "size": len(data)},
    )
    assert r.status_code == 201
    assert r.json["document"]["status"] == "uploaded"  # the record exists before the bytes
    url, headers = r.json["upload_url"], r.json["headers"]
    token = url.rsplit("/", 1)[-1]
    put = EnvironBuilder(method="PUT", data=data, headers=headers).get_environ()
    assert local_upload(Request(put), token).status_code == 200
    doc = processed(courses_api, user, course, r.json["document"]["id"])
    assert doc["status"] == "ready"
    wrong = EnvironBuilder(method="PUT", data=data + b"x", headers=headers).get_environ()
    assert local_upload(Request(wrong), token).status_code == 400
    assert local_upload(Request(put), token[:-3] + "abc").status_code == 404


# ------------------------------------------------------------------ idempotency
def test_the_same_event_twice_leaves_one_set_of_chunks(courses_api: Api, user: TestUser) -> None:
    course = new_course(courses_api, user)
    r = upload(courses_api, user, course, "notes.md", files.markdown())
    processed(courses_api, user, course, r.json["id"])
    before = chunk_count(courses_api, user, course, r.json["id"])
    blob = paths.upload_blob(user.uid, course, r.json["id"], "notes.md")
    info = courses_api.services.blobs.info(blob)
    assert info is not None
    event = finalized_event(courses_api.services.settings.bucket, info)
    on_object_finalized(event, courses_api.services)
    on_object_finalized(event, courses_api.services)
    assert chunk_count(courses_api, user, course, r.json["id"]) == before
    assert processed(courses_api, user, course, r.json["id"])["status"] == "ready"


def test_a_newer_generation_replaces_the_older(courses_api: Api, user: TestUser) -> None:
    course = new_course(courses_api, user)
    r = upload(courses_api, user, course, "book.pdf", files.textbook_pdf(8))
    doc_id = r.json["id"]
    processed(courses_api, user, course, doc_id)
    long = chunk_count(courses_api, user, course, doc_id)
    blob = paths.upload_blob(user.uid, course, doc_id, "book.pdf")
    courses_api.services.blobs.put(blob, files.textbook_pdf(2), content_type="application/pdf")
    doc = processed(courses_api, user, course, doc_id)
    assert doc["page_count"] == 2
    assert 0 < chunk_count(courses_api, user, course, doc_id) < long


# ------------------------------------------------------------------ bad files
@pytest.mark.parametrize(
    ("name", "build", "reason"),
    [
        ("empty.pdf", lambda: b"", "empty"),
        ("locked.pdf", files.encrypted_pdf, "password"),
        ("broken.pdf", files.truncated_pdf, ""),
        ("photo.pdf", files.png, ""),
        ("bomb.docx", files.docx_zip_bomb, ""),
        ("notes.docx", lambda: files.textbook_pdf(1), ""),
    ],
)
def test_bad_files_end_failed_with_a_reason(
    courses_api: Api, user: TestUser, name: str, build: Any, reason: str
) -> None:
    course = new_course(courses_api, user)
    r = upload(courses_api, user, course, name, build())
    assert r.status_code == 201
    doc = processed(courses_api, user, course, r.json["id"])
    assert doc["status"] == "failed", doc
    assert doc["error"] and doc["error"].endswith("."), doc
    assert reason.lower() in doc["error"].lower()
    assert chunk_count(courses_api, user, course, r.json["id"]) == 0


def test_file_over_the_size_limit_ends_failed(courses_api: Api, user: TestUser) -> None:
    course = new_course(courses_api, user)
    courses_api.services.settings.max_direct_upload_bytes = 2048
    r = upload(courses_api, user, course, "long.md", b"# Notes\n\n" + b"word " * 1000)
    doc = processed(courses_api, user, course, r.json["id"])
    assert doc["status"] == "failed"
    assert doc["error"] == "The file is larger than 2 KB."


def test_scanned_pdf_is_ready_with_a_warning(courses_api: Api, user: TestUser) -> None:
    course = new_course(courses_api, user)
    r = upload(courses_api, user, course, "scan.pdf", files.scanned_pdf())
    doc = processed(courses_api, user, course, r.json["id"])
    assert doc["status"] == "ready"
    assert any("text" in w.lower() for w in doc["warnings"]), doc


# ------------------------------------------------------------------ API input
def test_unsupported_extension_is_refused_at_upload(courses_api: Api, user: TestUser) -> None:
    course = new_course(courses_api, user)
    r = upload(courses_api, user, course, "program.exe", b"MZ...")
    assert r.status_code == 400
    assert r.json["error"]["details"][0]["field"] == "filename"


def test_upload_body_problems(courses_api: Api, user: TestUser) -> None:
    course = new_course(courses_api, user)
    url = f"{C}/{course}/documents/"
    as_json = call(courses_api, user, "POST", url, json={"file": "x"})
    assert as_json.status_code == 415
    no_file = call(
        courses_api, user, "POST", url, data={"title": "x"}, content_type="multipart/form-data"
    )
    assert no_file.status_code == 400
    courses_api.services.settings.max_upload_bytes = 1000
    big = upload(courses_api, user, course, "big.txt", b"word " * 1000)
    assert big.status_code == 413


def test_upload_url_limits(courses_api: Api, user: TestUser) -> None:
    course = new_course(courses_api, user)
    url = f"{C}/{course}/documents/upload-url/"
    too_big = call(courses_api, user, "POST", url, json={"filename": "a.pdf", "size": 10**12})
    assert too_big.status_code == 413
    for bad in ({"filename": "a.pdf"}, {"filename": "a.pdf", "size": 0}, {"size": 5}):
        assert call(courses_api, user, "POST", url, json=bad).status_code == 400


def test_another_users_course_is_404(courses_api: Api, user: TestUser) -> None:
    other = courses_api.user()
    course = new_course(courses_api, other)
    r = upload(courses_api, other, course, "notes.md", files.markdown())
    doc_id = r.json["id"]
    for method, path in [
        ("GET", f"{C}/{course}/documents/"),
        ("GET", f"{C}/{course}/documents/{doc_id}/"),
        ("DELETE", f"{C}/{course}/documents/{doc_id}/"),
        ("GET", f"{C}/{course}/search/?q=cell"),
    ]:
        assert call(courses_api, user, method, path).status_code == 404, path
    assert upload(courses_api, user, course, "x.md", files.markdown()).status_code == 404


@pytest.mark.parametrize("query", ["", "q=", "q=a&limit=0", "q=a&limit=99", "limit=3"])
def test_bad_search_parameters_are_400(courses_api: Api, user: TestUser, query: str) -> None:
    course = new_course(courses_api, user)
    assert call(courses_api, user, "GET", f"{C}/{course}/search/?{query}").status_code == 400


# ------------------------------------------------------------------ listing and deletion
def test_list_and_delete(courses_api: Api, user: TestUser) -> None:
    course = new_course(courses_api, user)
    ids = [
        upload(courses_api, user, course, f"n{i}.md", files.markdown()).json["id"] for i in range(3)
    ]
    for doc_id in ids:
        processed(courses_api, user, course, doc_id)
    listed = call(courses_api, user, "GET", f"{C}/{course}/documents/?limit=2").json
    assert [d["id"] for d in listed["items"]] == ids[::-1][:2]
    assert listed["next_cursor"]
    gone = ids[0]
    assert call(courses_api, user, "DELETE", f"{C}/{course}/documents/{gone}/").status_code == 204
    assert call(courses_api, user, "GET", f"{C}/{course}/documents/{gone}/").status_code == 404
    assert chunk_count(courses_api, user, course, gone) == 0
    blobs = courses_api.services.blobs.list(paths.document_blobs(user.uid, course, gone))
    assert list(blobs) == []
    hits = call(courses_api, user, "GET", f"{C}/{course}/search/?q=photosynthesis").json["items"]
    assert all(h["document_id"] != gone for h in hits)
