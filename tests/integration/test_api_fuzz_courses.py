"""Property-based fuzzing of the courses API from its own OpenAPI document.

The courses function (courses, sections, documents, search) fuzzed the way
``test_api_fuzz`` fuzzes accounts: schemathesis generates valid and invalid
requests for every operation it serves and sends them in-process to the real
functions-framework app, signed in as a fresh Auth emulator user. Every
response must pass schemathesis' built-in checks (no 5xx, documented status
and content type, body matching the response schema, invalid input rejected,
valid input accepted, auth enforced) and the documented error shape and code
table (``documented_error``).

Generated ids would only ever reach "not found", so before fuzzing an
operation the user gets a course with a section and a small processed
Markdown document, and most cases have their path parameters steered to
those ids (``steer``); the rest keep their random ids, which must never
succeed. Deletions are fuzzed apart, each on a throwaway object made for
that example, so they never take away what the other operations need.

Relaxations live in ``RELAXED`` with their reason; product mismatches are
pinned by strict xfail tests at the end.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
from schemathesis import Case

from tests.factories import files
from tests.fixtures.app import Api
from tests.integration import fuzzing
from tests.integration.fuzzing import DOCUMENT

pytestmark = pytest.mark.emulator

B = "/api/v1/courses"
MAX_EXAMPLES = 12  # per operation, on top of the coverage phase's cases
DELETE_EXAMPLES = 6


_SCHEMA, APP = fuzzing.deterministic_schema(20251126)
SCHEMA, DELETE_SCHEMA = fuzzing.split_deletions(_SCHEMA, B)


# Operation label -> (built-in checks not run on it, why). Rules a JSON
# schema cannot express are rightly a 400 (a made-up cursor: opaque and
# server-issued; a date relative to today; a position or an id list checked
# against the sections that exist); product mismatches are pinned below.
_POSITIVE = "positive_data_acceptance"
_CURSOR = "a made-up cursor is rightly a 400"
_EXAM = "an exam_date more than 10 years from today is rightly a 400"
RELAXED: fuzzing.Relaxed = {
    f"GET {B}/": ((_POSITIVE,), _CURSOR),
    f"GET {B}/{{course_id}}/sections/": ((_POSITIVE,), _CURSOR),
    f"GET {B}/{{course_id}}/documents/": ((_POSITIVE,), _CURSOR),
    f"POST {B}/": ((_POSITIVE,), _EXAM),
    f"PUT {B}/{{course_id}}/": ((_POSITIVE,), _EXAM),
    f"PATCH {B}/{{course_id}}/": ((_POSITIVE,), _EXAM),
    f"POST {B}/{{course_id}}/sections/": (
        (_POSITIVE,),
        "a position past the number of sections is rightly a 400",
    ),
    f"POST {B}/{{course_id}}/sections/reorder/": (
        (_POSITIVE,),
        "section_ids must name every section of the course exactly once, rightly a 400",
    ),
    f"POST {B}/{{course_id}}/documents/": (
        (_POSITIVE,),
        "the file type comes from the part's filename, which no schema constrains; "
        "schemathesis names the part after its field and the sample's format ('file', "
        "'file.png'): rightly a 400",
    ),
    f"POST {B}/{{course_id}}/documents/upload-url/": (
        (_POSITIVE,),
        "a size over the configured upload limit is rightly a 413 (the limit is "
        "configuration, so the schema cannot state it)",
    ),
}
call_and_validate = partial(fuzzing.call_and_validate, app=APP, relaxed=RELAXED)


# ------------------------------------------------------------ the fixtures
@dataclass
class Owned:
    """What the signed-in user owns before an operation is fuzzed."""

    api: Api
    token: str
    course: str
    section: str
    document: str

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"}
        return self.api.client.open(path, method=method, headers=headers, **kwargs)

    def new_course(self) -> str:
        r = self.call("POST", f"{B}/", json={"title": "Thermodynamics"})
        assert r.status_code == 201, r.json
        return str(r.json["id"])

    def new_section(self, course: str) -> str:
        r = self.call("POST", f"{B}/{course}/sections/", json={"title": "Entropy"})
        assert r.status_code == 201, r.json
        return str(r.json["id"])

    def new_document(self, course: str) -> str:
        body = {"file": (io.BytesIO(files.markdown()), "notes.md"), "title": "Notes"}
        r = self.call(
            "POST", f"{B}/{course}/documents/", data=body, content_type="multipart/form-data"
        )
        assert r.status_code == 201, r.json
        assert self.api.services.storage_events.drain(60), "storage events did not finish"
        return str(r.json["id"])


@pytest.fixture
def owned(courses_api: Api) -> Iterator[Owned]:
    """A fresh user per operation, with a course, a section and a ready document."""
    o = Owned(courses_api, courses_api.user().token(), "", "", "")
    o.course = o.new_course()
    o.section = o.new_section(o.course)
    o.document = o.new_document(o.course)
    r = o.call("GET", f"{B}/{o.course}/documents/{o.document}/")
    assert r.json["status"] == "ready", r.json
    yield o
    # Fuzzed uploads (schemathesis' PDF sample is named file.pdf and accepted)
    # are processed in the background: let that end before the services close.
    assert courses_api.services.storage_events.drain(60), "storage events did not finish"


# ------------------------------------------------------------ steering ids
def steer(case: Case[Any], ids: dict[str, str]) -> bool:
    """Point 3 in 4 path parameters at the user's real ids; return whether
    any generated id was left in place."""
    params = case.path_parameters
    if not params:
        return False
    bits = fuzzing.case_bits(case)
    random_left = False
    for i, name in enumerate(sorted(params)):
        if name in ids and (bits >> (2 * i)) % 4:
            params[name] = ids[name]
        else:
            random_left = True
    return random_left


@SCHEMA.parametrize()
@fuzzing.hypothesis_settings(MAX_EXAMPLES)
def test_courses_api_fuzz(case: Case[Any], owned: Owned, courses_function: Any) -> None:
    ids = {"course_id": owned.course, "section_id": owned.section, "document_id": owned.document}
    random_left = steer(case, ids)
    call_and_validate(case, courses_function, owned.token, random_left=random_left)


@DELETE_SCHEMA.parametrize()
@fuzzing.hypothesis_settings(DELETE_EXAMPLES)
def test_courses_api_deletions_fuzz(case: Case[Any], owned: Owned, courses_function: Any) -> None:
    # A throwaway course, section or document per example.
    path = case.operation.path
    course = owned.new_course() if path == f"{B}/{{course_id}}/" else owned.course
    ids = {"course_id": course}
    if "section_id" in path:
        ids["section_id"] = owned.new_section(course)
    if "document_id" in path:
        ids["document_id"] = owned.new_document(course)
    random_left = steer(case, ids)
    call_and_validate(case, courses_function, owned.token, random_left=random_left)


def test_every_courses_operation_is_fuzzed(courses_api: Api) -> None:
    fuzzing.assert_every_operation_fuzzed(B, SCHEMA, DELETE_SCHEMA, RELAXED)
    # the health route is the courses function's own, with its dependencies
    r = courses_api.client.get("/api/health/")
    assert r.status_code == 200, r.json
    assert set((r.json or {})["dependencies"]) == {"documents", "blobs", "tasks", "identity"}


# ------------------------------------------------ what the fuzzer found
# An id with a newline never reached the app (functions-framework's catch-all
# rule does not match it) and Flask answered HTML; the functions now install
# JSON handlers for what functions-framework's router refuses.
@pytest.mark.parametrize("path", [f"{B}/%0A/", f"{B}/a%0Ab/search/?q=cell"])
def test_newline_in_an_id_is_a_json_404(courses_api: Api, path: str) -> None:
    user = courses_api.user()
    r = courses_api.client.get(path, headers=courses_api.bearer(user))
    assert r.status_code == 404
    assert r.content_type == "application/json", f"{r.content_type}: {r.get_data()[:60]!r}"
    assert (r.json or {})["error"]["code"] == "not_found"


def test_upload_url_filenames_match_the_document(courses_api: Api) -> None:
    """The document names the supported extensions, and the API agrees with it."""
    import jsonschema  # type: ignore[import-untyped]  # via openapi-spec-validator

    schema = {"$ref": "#/components/schemas/UploadUrlRequest", **DOCUMENT}
    validator = jsonschema.Draft202012Validator(schema)
    user = courses_api.user()
    headers = courses_api.bearer(user)
    course = courses_api.client.post(f"{B}/", json={"title": "Optics"}, headers=headers)
    assert course.status_code == 201, course.json
    path = f"{B}/{(course.json or {})['id']}/documents/upload-url/"
    for filename in ("notes", "notes.exe", "Notes.PDF", "slides.pptx"):
        body = {"filename": filename, "size": 1}
        r = courses_api.client.post(path, json=body, headers=headers)
        assert (r.status_code == 201) == validator.is_valid(body), f"{filename}: {r.status_code}"
