"""``/api/openapi.json``: the OpenAPI document of every API area."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from werkzeug.wrappers import Response

from aksio.http.context import RequestContext
from aksio.http.openapi import openapi_document
from aksio.http.responses import json_response
from aksio.http.router import Route, Router


def openapi_router(all_routes: Callable[[], Iterable[Route]]) -> Router:
    router = Router(prefix="/api", tag="meta")
    cache: dict[str, object] = {}

    @router.get("/openapi.json", auth=False)
    def openapi(ctx: RequestContext) -> Response:
        """The OpenAPI 3.1 document of the whole API."""
        if "doc" not in cache:  # built once per instance: routes never change at run time
            cache["doc"] = openapi_document(all_routes())
        return json_response(cache["doc"])

    return router
