"""OpenAPI 3.1 generated from the routes and their pydantic models."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from aksio.http.responses import CODE_OF_STATUS, ErrorResponse
from aksio.http.router import Route
from aksio.ids import ID_PATTERN

_PARAM = re.compile(r"<(?:[a-z]+:)?([A-Za-z_][A-Za-z0-9_]*)>")
_COMMON_ERRORS = (400, 500)
_AUTH_ERRORS = (401,)
_BODY_ERRORS = (413, 415)


def openapi_document(
    routes: Iterable[Route], *, title: str = "Aksio API", version: str = "1"
) -> dict[str, Any]:
    routes = list(routes)
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ErrorResponse, "serialization")]
    for r in routes:
        if r.body_model:
            models.append((r.body_model, "validation"))
        if r.response_model:
            models.append((r.response_model, "serialization"))
    keys, schema = models_json_schema(
        list(dict.fromkeys(models)), ref_template="#/components/schemas/{model}"
    )
    components = schema.get("$defs", {})

    def ref(model: type[BaseModel], mode: Literal["validation", "serialization"]) -> dict[str, Any]:
        return keys[(model, mode)]

    paths: dict[str, dict[str, Any]] = {}
    for r in routes:
        op: dict[str, Any] = {
            "operationId": r.operation_id,
            "summary": r.summary,
            "tags": list(r.tags),
            "responses": {},
        }
        params = [
            {"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
            for n in r.path_params
        ]
        if r.query_model:
            qschema = r.query_model.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(qschema.pop("$defs", {}))
            required = set(qschema.get("required", []))
            for name, prop in qschema.get("properties", {}).items():
                params.append(
                    {"name": name, "in": "query", "required": name in required, "schema": prop}
                )
        if params:
            op["parameters"] = params
        if r.multipart:
            op["requestBody"] = {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "file": {"type": "string", "format": "binary"},
                                "title": {"type": "string", "maxLength": 200},
                                "section_id": {"type": "string", "pattern": ID_PATTERN},
                            },
                            "required": ["file"],
                        }
                    }
                },
            }
        if r.body_model:
            op["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": ref(r.body_model, "validation")}},
            }
        if r.response_model:
            op["responses"][str(r.status)] = {
                "description": "OK",
                "content": {"application/json": {"schema": ref(r.response_model, "serialization")}},
            }
        else:
            op["responses"][str(r.status)] = {"description": "No content"}
        statuses = set(_COMMON_ERRORS) | set(r.errors)
        if r.auth:
            statuses |= set(_AUTH_ERRORS)
            op["security"] = [{"firebaseIdToken": []}]
        if r.body_model or r.multipart:
            statuses |= set(_BODY_ERRORS)
        for status in sorted(statuses):
            op["responses"][str(status)] = {
                "description": CODE_OF_STATUS[status],
                "content": {"application/json": {"schema": ref(ErrorResponse, "serialization")}},
            }
        path = _PARAM.sub(r"{\1}", r.path)
        paths.setdefault(path, {})[r.method.lower()] = op

    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(components.items())),
            "securitySchemes": {
                "firebaseIdToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "Firebase ID token (JWT)",
                }
            },
        },
    }
