"""CORS for the browser frontend: allowed origins come from configuration."""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type, X-Request-Id"
MAX_AGE_S = "3600"


def _allowed(origin: str | None, origins: list[str]) -> bool:
    return origin is not None and ("*" in origins or origin in origins)


def apply_cors(request: Request, response: Response, origins: list[str]) -> None:
    origin = request.headers.get("Origin")
    if _allowed(origin, origins):
        response.headers["Access-Control-Allow-Origin"] = origin or ""
        response.headers["Access-Control-Expose-Headers"] = "X-Request-Id, Retry-After"
    response.headers.add("Vary", "Origin")


def preflight(request: Request, origins: list[str]) -> Response:
    response = Response(status=204)
    if _allowed(request.headers.get("Origin"), origins):
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = MAX_AGE_S
    return response
