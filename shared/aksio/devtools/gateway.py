"""The dev gateway: every function mounted under its public path on one port,
as the production load balancer routes them, plus Swagger UI at /api/docs/.

Each function is loaded by functions-framework itself (``create_app``), so
locally a request goes through the same Flask wrapper as in production.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

from aksio.adapters.local_uploads import UPLOAD_PATH
from aksio.devtools.process import REPO_ROOT

FUNCTIONS_DIR = REPO_ROOT / "functions"
SWAGGER_DIST = REPO_ROOT / "node_modules" / "swagger-ui-dist"
SWAGGER_OWN = Path(__file__).parent / "swagger"

# Public path prefix -> function; the longest prefix wins.
ROUTES: dict[str, str] = {
    "/api/v1/accounts": "accounts",
    "/api/v1/courses": "courses",
    "/api/v1/learning": "learning",
    "/api/v1/assessments": "assessments",
    "/api/v1/chat": "chat",
    "/api/v1/billing": "billing",
    "/api/health": "accounts",
    "/api/openapi.json": "accounts",
    "/tasks": "task_worker",
    "/webhooks/stripe": "stripe_webhook",
}

WsgiApp = Any


def load_functions(names: Iterable[str]) -> dict[str, WsgiApp]:
    import functions_framework

    apps = {}
    for name in sorted(set(names)):
        source = FUNCTIONS_DIR / name / "main.py"
        if source.exists():
            apps[name] = functions_framework.create_app(  # type: ignore[no-untyped-call]
                target=name, source=str(source)
            )
    return apps


class Gateway:
    def __init__(self, apps: dict[str, WsgiApp]) -> None:
        self.apps = apps
        self.prefixes = sorted(ROUTES, key=len, reverse=True)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path: str = environ.get("PATH_INFO", "/")
        if path in {"/api/docs", "/"}:
            return Response(status=302, headers={"Location": "/api/docs/"})(environ, start_response)
        if path.startswith("/api/docs/"):
            return self._swagger(path.removeprefix("/api/docs/"))(environ, start_response)
        if path.startswith(UPLOAD_PATH):
            request = Request(environ)
            return local_upload(request, path.removeprefix(UPLOAD_PATH))(environ, start_response)
        for prefix in self.prefixes:
            if path == prefix or path.startswith(prefix + "/"):
                app = self.apps.get(ROUTES[prefix])
                if app is not None:
                    return app(environ, start_response)
        return self._not_found(environ, start_response)

    def _swagger(self, name: str) -> Response:
        name = name or "index.html"
        for base in (SWAGGER_OWN, SWAGGER_DIST):
            candidate = (base / name).resolve()
            if candidate.is_file() and candidate.is_relative_to(base.resolve()):
                mimetype = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
                return Response(candidate.read_bytes(), mimetype=mimetype)
        return Response("not found", status=404, mimetype="text/plain")

    @staticmethod
    def _not_found(environ: dict[str, Any], start_response: Any) -> Any:
        from aksio.http.responses import error_response

        path = Request(environ).path
        return error_response("not_found", f"No route for {path}.")(environ, start_response)


def local_upload(request: Request, token: str) -> Response:
    """The local stand-in for a Cloud Storage resumable upload session: one
    PUT of exactly the announced bytes, then the object finalises."""
    from aksio.adapters.local_uploads import InvalidUpload
    from aksio.composition import get_services
    from aksio.http.responses import error_response, json_response

    cors = {
        "Access-Control-Allow-Origin": request.headers.get("Origin", "*"),
        "Access-Control-Allow-Methods": "PUT, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type",
    }
    if request.method == "OPTIONS":
        return Response(status=204, headers=cors)
    if request.method != "PUT":
        return error_response("method_not_allowed", "PUT the file's bytes here.", headers=cors)
    blobs = get_services().blobs
    uploads = getattr(blobs, "uploads", None)
    if uploads is None:
        return error_response("not_found", "Local uploads are not enabled.", headers=cors)
    try:
        grant = uploads.grant(token)
    except InvalidUpload as exc:
        return error_response("not_found", f"Upload URL refused: {exc}.", headers=cors)
    data = request.stream.read(grant.size + 1)
    if len(data) != grant.size:
        return error_response(
            "validation_error",
            f"Expected exactly {grant.size} bytes, got {len(data)}.",
            headers=cors,
        )
    info = blobs.put(grant.name, data, content_type=grant.content_type)
    return json_response(
        {"name": info.name, "size": info.size, "generation": str(info.generation)}, headers=cors
    )


def build_gateway() -> Gateway:
    return Gateway(load_functions(ROUTES.values()))
