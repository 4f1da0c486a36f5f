"""The courses router's contract: a valid OpenAPI document carrying API.md's
names, and the Firestore indexes its list queries need."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from aksio.courses import repository
from aksio.courses.routes import router
from aksio.http.health import health_router
from aksio.http.openapi import openapi_document
from aksio.ports.documents import DOCUMENT_ID

INDEXES_PATH = Path(__file__).resolve().parents[2] / "firestore.indexes.json"


def test_openapi_is_valid_and_uses_api_md_names() -> None:
    doc = openapi_document([*health_router().routes, *router.routes])
    validate(doc)
    schemas = doc["components"]["schemas"]
    assert set(schemas["Course"]["properties"]) == {
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
    assert set(schemas["Section"]["properties"]) == {
        "id",
        "course_id",
        "title",
        "description",
        "order",
    }
    assert schemas["CourseCreate"]["additionalProperties"] is False
    assert "pattern" in json.dumps(schemas["CourseCreate"]["properties"]["color"])
    delete = doc["paths"]["/api/v1/courses/{course_id}/"]["delete"]
    assert "202" in delete["responses"] and "404" in delete["responses"]
    params = {p["name"] for p in doc["paths"]["/api/v1/courses/"]["get"]["parameters"]}
    assert params == {"limit", "cursor", "archived"}


@pytest.mark.parametrize("archived", [None, True, False])
def test_list_queries_match_the_declared_index(archived: bool | None) -> None:
    query = repository.list_query("u1", archived)
    [index] = repository.QUERY_INDEXES
    assert [f.field for f in query.filters] == [index["fields"][0]["fieldPath"]]
    orders = [(o.field, o.direction) for o in query.normalized_orders() if o.field != DOCUMENT_ID]
    assert (
        orders
        == [("created_at", "desc")]
        == [
            (f["fieldPath"], "desc" if f["order"] == "DESCENDING" else "asc")
            for f in index["fields"][1:]
        ]
    )


def test_section_lists_need_no_composite_index() -> None:
    query = repository.section_query("u1", "c1")
    assert query.filters == () and len(query.orders) == 1


def test_firestore_indexes_declare_the_course_list_index() -> None:
    declared = json.loads(INDEXES_PATH.read_text(encoding="utf-8"))["indexes"]
    for index in repository.QUERY_INDEXES:
        assert index in declared
