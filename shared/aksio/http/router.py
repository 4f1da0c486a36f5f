"""Routes: method + path -> handler, described by the handler's signature.

A handler is ``def name(ctx: RequestContext, body: SomeModel, query: Q, **path)``:
the annotation of ``body`` is the request model, of ``query`` the query-string
model, and the return annotation the response model. Validation and the
OpenAPI document both read these same definitions, so they cannot drift.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel
from werkzeug.routing import Map, Rule

Handler = Callable[..., Any]
H = TypeVar("H", bound=Handler)


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    """werkzeug rule syntax: ``/api/v1/courses/<course_id>/``"""
    handler: Handler
    status: int = 200
    auth: bool = True
    summary: str = ""
    tags: tuple[str, ...] = ()
    errors: tuple[int, ...] = ()
    body_model: type[BaseModel] | None = None
    query_model: type[BaseModel] | None = None
    response_model: type[BaseModel] | None = None
    path_params: tuple[str, ...] = ()
    max_body_bytes: int | None = None
    """Overrides Settings.max_body_bytes for this route."""
    multipart: bool = False
    """The handler reads a multipart/form-data upload itself (aksio.http.uploads)."""

    @property
    def operation_id(self) -> str:
        return self.handler.__name__


def _models_of(handler: Handler) -> dict[str, Any]:
    hints = typing.get_type_hints(handler)
    params = inspect.signature(handler).parameters
    body = hints.get("body") if "body" in params else None
    query = hints.get("query") if "query" in params else None
    ret = hints.get("return")
    path = tuple(n for n in params if n not in {"ctx", "body", "query"})
    return {
        "body_model": body,
        "query_model": query,
        "response_model": ret if isinstance(ret, type) and issubclass(ret, BaseModel) else None,
        "path_params": path,
    }


@dataclass
class Router:
    """The routes of one API area; a function serves one or more routers."""

    prefix: str
    tag: str
    routes: list[Route] = field(default_factory=list)

    def add(self, method: str, path: str, **options: Any) -> Callable[[H], H]:
        def register(handler: H) -> H:
            summary = options.pop("summary", None) or (handler.__doc__ or "").strip().split("\n")[0]
            self.routes.append(
                Route(
                    method=method,
                    path=self.prefix + path,
                    handler=handler,
                    summary=summary,
                    tags=(self.tag,),
                    **options,
                    **_models_of(handler),
                )
            )
            return handler

        return register

    def get(self, path: str, **options: Any) -> Callable[[H], H]:
        return self.add("GET", path, **options)

    def post(self, path: str, **options: Any) -> Callable[[H], H]:
        return self.add("POST", path, **options)

    def put(self, path: str, **options: Any) -> Callable[[H], H]:
        return self.add("PUT", path, **options)

    def patch(self, path: str, **options: Any) -> Callable[[H], H]:
        return self.add("PATCH", path, **options)

    def delete(self, path: str, **options: Any) -> Callable[[H], H]:
        return self.add("DELETE", path, **options)


def url_map(routes: Iterable[Route]) -> Map:
    """A werkzeug Map; trailing slashes are optional and never redirect."""
    return Map(
        [Rule(r.path, methods=[r.method], endpoint=r, strict_slashes=False) for r in routes],
        strict_slashes=False,
        merge_slashes=False,
    )
