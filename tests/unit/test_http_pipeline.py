"""The request pipeline on a small router of its own (no I/O): every client
mistake becomes the documented JSON error with the right status."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from pydantic import BaseModel, Field
from werkzeug.test import Client

from aksio.composition import Services
from aksio.config import Settings
from aksio.http.app import HttpFunction
from aksio.http.context import RequestContext
from aksio.http.router import Router


class Echo(BaseModel):
    name: str = Field(min_length=1)
    count: int = Field(ge=0, le=10)


class Filters(BaseModel):
    limit: int = Field(default=5, ge=1, le=50)


router = Router(prefix="/api/v1/test", tag="test")


@router.post("/echo/", status=201, auth=False)
def echo(ctx: RequestContext, body: Echo) -> Echo:
    return body


@router.get("/items/<item_id>/", auth=False)
def item(ctx: RequestContext, item_id: str, query: Filters) -> Echo:
    return Echo(name=item_id, count=min(query.limit, 10))


@router.get("/boom/", auth=False)
def boom(ctx: RequestContext) -> None:
    raise RuntimeError("a bug")


@router.get("/private/")
def private(ctx: RequestContext) -> None:
    return None


@pytest.fixture
def client() -> Client:
    settings = Settings(max_body_bytes=200, cors_origins=["https://app.example"])
    return Client(HttpFunction("test", (router,), services=Services(settings)).wsgi)


def error_of(response: Any) -> dict[str, Any]:
    body = json.loads(response.get_data())
    assert set(body) == {"error"}
    return dict(body["error"])


def test_valid_body_is_echoed_with_the_route_status(client: Client) -> None:
    r = client.post("/api/v1/test/echo/", json={"name": "a", "count": 2})
    assert r.status_code == 201
    assert r.json == {"name": "a", "count": 2}


def test_trailing_slash_is_optional(client: Client) -> None:
    assert client.post("/api/v1/test/echo", json={"name": "a", "count": 1}).status_code == 201


def test_field_errors_name_the_field(client: Client) -> None:
    r = client.post("/api/v1/test/echo/", json={"name": "", "count": "many"})
    assert r.status_code == 400
    err = error_of(r)
    assert err["code"] == "validation_error"
    assert {d["field"] for d in err["details"]} == {"name", "count"}


def test_missing_fields_are_listed(client: Client) -> None:
    err = error_of(client.post("/api/v1/test/echo/", json={}))
    assert {(d["field"], d["type"]) for d in err["details"]} == {
        ("name", "missing"),
        ("count", "missing"),
    }


@pytest.mark.parametrize("raw", [b"{", b"not json", b"\xff\xfe", b"   "])
def test_malformed_json_is_a_400(client: Client, raw: bytes) -> None:
    r = client.post("/api/v1/test/echo/", data=raw, content_type="application/json")
    assert r.status_code == 400
    assert error_of(r)["code"] == "validation_error"


def test_json_that_is_not_an_object_is_a_400(client: Client) -> None:
    r = client.post("/api/v1/test/echo/", json=[1, 2])
    assert r.status_code == 400


def test_wrong_content_type_is_a_415(client: Client) -> None:
    r = client.post("/api/v1/test/echo/", data="name=a", content_type="text/plain")
    assert r.status_code == 415
    assert error_of(r)["code"] == "unsupported_media_type"


def test_body_over_the_limit_is_a_413(client: Client) -> None:
    r = client.post("/api/v1/test/echo/", json={"name": "x" * 500, "count": 1})
    assert r.status_code == 413
    assert error_of(r)["details"] == {"limit": 200}


def test_chunked_body_over_the_limit_is_a_413(client: Client) -> None:
    body = json.dumps({"name": "x" * 500, "count": 1}).encode()
    r = client.post(
        "/api/v1/test/echo/",
        input_stream=io.BytesIO(body),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},  # what gunicorn sets for chunked
    )
    assert r.status_code == 413


def test_unknown_path_is_a_404(client: Client) -> None:
    r = client.get("/api/v1/test/nothing/")
    assert r.status_code == 404
    assert error_of(r)["code"] == "not_found"


def test_wrong_method_is_a_405_with_allow(client: Client) -> None:
    r = client.delete("/api/v1/test/echo/")
    assert r.status_code == 405
    assert r.headers["Allow"] == "POST"
    assert error_of(r)["code"] == "method_not_allowed"


def test_query_is_validated(client: Client) -> None:
    assert client.get("/api/v1/test/items/abc/?limit=3").json == {"name": "abc", "count": 3}
    r = client.get("/api/v1/test/items/abc/?limit=0")
    assert r.status_code == 400
    assert error_of(r)["details"][0]["location"] == "query"


def test_a_bug_is_a_500_with_the_request_id_and_no_internals(client: Client) -> None:
    r = client.get("/api/v1/test/boom/", headers={"X-Request-Id": "req-123"})
    assert r.status_code == 500
    err = error_of(r)
    assert err["code"] == "internal"
    assert err["details"] == {"request_id": "req-123"}
    assert "a bug" not in r.get_data(as_text=True)


def test_request_id_is_echoed_or_generated(client: Client) -> None:
    given = client.get("/api/v1/test/items/a/", headers={"X-Request-Id": "abc-1"})
    assert given.headers["X-Request-Id"] == "abc-1"
    generated = client.get("/api/v1/test/items/a/", headers={"X-Request-Id": "bad id!"})
    assert generated.headers["X-Request-Id"] not in {"", "bad id!"}


def test_missing_token_is_a_401(client: Client) -> None:
    r = client.get("/api/v1/test/private/")
    assert r.status_code == 401
    assert error_of(r)["code"] == "unauthenticated"


@pytest.mark.parametrize("header", ["Basic abc", "Bearer", "Bearer a b", "token"])
def test_malformed_authorization_is_a_401(client: Client, header: str) -> None:
    r = client.get("/api/v1/test/private/", headers={"Authorization": header})
    assert r.status_code == 401


def test_cors_allows_configured_origins_only(client: Client) -> None:
    ok = client.options(
        "/api/v1/test/echo/",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST"},
    )
    assert ok.status_code == 204
    assert ok.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "POST" in ok.headers["Access-Control-Allow-Methods"]
    other = client.get("/api/v1/test/items/a/", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
