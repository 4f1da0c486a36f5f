"""The OpenAPI document is generated from the routes and is valid 3.1."""

from __future__ import annotations

from openapi_spec_validator import validate

from aksio.entrypoints import api_routes
from aksio.http.openapi import openapi_document


def test_document_is_valid_openapi_3_1() -> None:
    validate(openapi_document(api_routes()))  # raises on any error


def test_every_route_is_documented_with_its_models() -> None:
    doc = openapi_document(api_routes())
    for route in api_routes():
        path = route.path.replace("<", "{").replace(">", "}")
        op = doc["paths"][path][route.method.lower()]
        assert str(route.status) in op["responses"]
        if route.body_model:
            ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            assert ref.rsplit("/", 1)[-1] in doc["components"]["schemas"]
        if route.auth:
            assert op["security"] == [{"firebaseIdToken": []}]
            assert "401" in op["responses"]


def test_api_md_names_are_in_the_schemas() -> None:
    schemas = openapi_document(api_routes())["components"]["schemas"]
    profile = schemas["Profile"]["properties"]
    for name in [
        "uid",
        "email",
        "display_name",
        "university",
        "program",
        "timezone",
        "locale",
        "study_goals",
        "daily_goal_minutes",
        "desired_retention",
        "plan",
        "created_at",
    ]:
        assert name in profile
    assert set(schemas["Tokens"]["properties"]) == {
        "user",
        "id_token",
        "refresh_token",
        "expires_in",
    }
    assert set(schemas["Streak"]["properties"]) == {
        "current",
        "longest",
        "today_done",
        "last_active_date",
    }
    assert set(schemas["ErrorResponse"]["properties"]) == {"error"}


def test_documents_can_be_linked_to_a_section() -> None:
    doc = openapi_document(api_routes())
    schemas = doc["components"]["schemas"]
    assert "section_id" in schemas["Document"]["properties"]
    assert "section_id" in schemas["UploadUrlRequest"]["properties"]
    item = doc["paths"]["/api/v1/courses/{course_id}/documents/{document_id}/"]
    patch = item["patch"]
    ref = patch["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    update = schemas[ref.rsplit("/", 1)[-1]]
    assert set(update["properties"]) == {"title", "section_id"}
    assert update["additionalProperties"] is False
    assert {"200", "400", "404"} <= set(patch["responses"])
    upload = doc["paths"]["/api/v1/courses/{course_id}/documents/"]["post"]
    form = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert "pattern" in form["properties"]["section_id"]
