"""The request pipeline every HTTP function shares.

request id -> CORS -> route match (404/405) -> auth (401) -> body limits and
parsing (413/415/400) -> validation (400) -> handler -> JSON. Every failure a
client can cause becomes the documented JSON error; anything else is logged
with its stack and answered as a 500 carrying the request id.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response

from aksio import logs
from aksio.composition import Services, get_services
from aksio.errors import AppError, PayloadTooLarge, UnsupportedMediaType
from aksio.http.auth import authenticate
from aksio.http.context import RequestContext
from aksio.http.cors import apply_cors, preflight
from aksio.http.responses import app_error_response, error_response, json_response
from aksio.http.router import Route, Router, url_map
from aksio.http.validation import validation_details
from aksio.ids import new_id

log = logging.getLogger("aksio.http")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_BODY_METHODS = {"POST", "PUT", "PATCH"}


@dataclass
class HttpFunction:
    """One deployable HTTP function: its routers compiled once per instance."""

    name: str
    routers: tuple[Router, ...]
    services: Services | None = None

    def __post_init__(self) -> None:
        self.routes: list[Route] = [r for router in self.routers for r in router.routes]
        self._map: Map = url_map(self.routes)

    def __call__(self, request: Request) -> Response:
        return handle(request, self)

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        """The function as a plain WSGI app (tests, tools)."""
        return handle(Request(environ), self)(environ, start_response)


def handle(request: Request, fn: HttpFunction) -> Response:
    started = time.perf_counter()
    request_id = _request_id(request)
    token = logs.request_id_var.set(request_id)
    services = fn.services or get_services()
    ctx = RequestContext(request=request, services=services, request_id=request_id)
    try:
        response = _dispatch(request, fn, ctx)
    except AppError as exc:
        response = app_error_response(exc)
    except Exception:
        log.exception("unhandled error", extra={"path": request.path})
        response = error_response(
            "internal", "Something went wrong on our side.", {"request_id": request_id}
        )
    response.headers["X-Request-Id"] = request_id
    apply_cors(request, response, services.settings.cors_origins)
    log.info(
        "%s %s %s",
        request.method,
        request.path,
        response.status_code,
        extra={
            "httpRequest": {
                "requestMethod": request.method,
                "requestUrl": request.path,
                "status": response.status_code,
                "latency": f"{time.perf_counter() - started:.6f}s",
                "remoteIp": ctx.client_ip,
            },
            "uid": ctx.principal.uid if ctx.principal else None,
        },
    )
    logs.request_id_var.reset(token)
    return response


def _request_id(request: Request) -> str:
    given = request.headers.get("X-Request-Id", "")
    if _REQUEST_ID.match(given):
        return given
    trace = request.headers.get("X-Cloud-Trace-Context", "").split("/")[0]
    return trace if _REQUEST_ID.match(trace) else new_id()


def _dispatch(request: Request, fn: HttpFunction, ctx: RequestContext) -> Response:
    if request.method == "OPTIONS":
        return preflight(request, ctx.services.settings.cors_origins)
    adapter = fn._map.bind_to_environ(request.environ)
    try:
        route, path_args = adapter.match(request.path, method=request.method)
    except NotFound:
        return error_response("not_found", f"No route for {request.path}.")
    except MethodNotAllowed as exc:
        allowed = ", ".join(sorted(exc.valid_methods or []))
        return error_response(
            "method_not_allowed",
            f"{request.method} is not allowed here.",
            {"allowed": exc.valid_methods},
            headers={"Allow": allowed},
        )
    assert isinstance(route, Route)
    if route.auth:
        ctx.principal = authenticate(request, ctx.services)
    kwargs: dict[str, Any] = dict(path_args)
    if route.query_model is not None:
        kwargs["query"] = _validate(route.query_model, _query_dict(request), location="query")
    if route.body_model is not None:
        kwargs["body"] = _validate_json(route.body_model, _json_body(request, route, ctx))
    result = route.handler(ctx, **kwargs)
    if isinstance(result, Response):
        return result
    if result is None:
        return Response(status=204)
    return json_response(result, ctx.status or route.status)


def _query_dict(request: Request) -> dict[str, Any]:
    # Repeated keys become lists so list-typed query fields validate.
    out: dict[str, Any] = {}
    for key in request.args:
        values = request.args.getlist(key)
        out[key] = values if len(values) > 1 else values[0]
    return out


def _json_body(request: Request, route: Route, ctx: RequestContext) -> bytes:
    limit = route.max_body_bytes or ctx.services.settings.max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise too_large(limit)
    mimetype = request.mimetype
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise unsupported_media(mimetype)
    # Read one byte past the limit ourselves: a chunked body has no
    # Content-Length, and werkzeug's own limit would silently truncate it.
    raw = _read_at_most(request, limit + 1)
    if len(raw) > limit:
        raise too_large(limit)
    if not raw.strip():
        raise _MalformedJson("The request body is empty; send a JSON object.")
    return raw


def _read_at_most(request: Request, n: int) -> bytes:
    # A stream read may return less than asked (sockets): loop until EOF or n.
    chunks, size = [], 0
    while size < n:
        chunk = request.stream.read(n - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _validate_json(model: type[BaseModel], raw: bytes) -> BaseModel:
    """Strict: JSON types must match the document (no "5" for 5, no true for
    1), so what the OpenAPI document rejects is rejected, never coerced."""
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        broken = [e for e in exc.errors(include_url=False) if e["type"] == "json_invalid"]
        if broken:
            raise _MalformedJson(
                f"The request body is not valid JSON: {broken[0]['msg']}."
            ) from None
        raise _Invalid(validation_details(exc, "body")) from None


def _validate(model: type[BaseModel], data: Any, location: str) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _Invalid(validation_details(exc, location)) from None


class _Invalid(AppError):
    code = "validation_error"

    def __init__(self, details: list[dict[str, Any]]) -> None:
        fields = ", ".join(sorted({d["field"] for d in details})) or "the request"
        super().__init__(f"Invalid input: check {fields}.", details=details)


class _MalformedJson(AppError):
    code = "validation_error"


def unsupported_media(mimetype: str, wanted: str = "application/json") -> UnsupportedMediaType:
    return UnsupportedMediaType(f"Send the body as {wanted} (got {mimetype or 'no Content-Type'}).")


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The request body is over the limit of {limit} bytes.", details={"limit": limit}
    )


def install_framework_error_handlers() -> None:
    """Requests functions-framework's own router refuses (its catch-all path
    rule does not match a newline, for one) get the documented JSON error,
    not Flask's HTML page. Call from a function's main module: the handler
    registry exists while functions-framework loads that module."""
    import functions_framework

    register = getattr(functions_framework, "errorhandler", None)
    if register is None:  # imported outside functions-framework (tools, benches)
        return
    register(404)(lambda _exc: error_response("not_found", "No such route."))
    register(405)(
        lambda _exc: error_response("method_not_allowed", "This method is not allowed here.")
    )


def all_routes(functions: Iterable[HttpFunction]) -> list[Route]:
    return [r for fn in functions for r in fn.routes]
