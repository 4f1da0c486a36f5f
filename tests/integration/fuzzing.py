"""What the API fuzz tests share: the OpenAPI document they fuzz, a
deterministic schemathesis schema that sends every request to an in-process
WSGI app, and the documented-error check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from schemathesis import Case, CheckContext
from schemathesis import Response as StResponse
from schemathesis.checks import CHECKS

from aksio.entrypoints import api_routes
from aksio.http.openapi import openapi_document
from aksio.http.responses import STATUS_OF_CODE

# The same document /api/openapi.json serves, built here so that collecting a
# test file needs neither the app nor the emulator.
DOCUMENT = openapi_document(api_routes())


class InProcessApp:
    """The WSGI app every request goes to, plugged in by each test. A schema is
    built at import, before fixtures exist, and must carry an app so that the
    requests checks send on their own (content-type and auth probes) stay
    in-process too."""

    target: Any = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        assert self.target is not None, "a test must set the app's target first"
        return self.target(environ, start_response)


def deterministic_schema(seed: int) -> tuple[Any, InProcessApp]:
    """Repeatable cases: a fixed seed (without one schemathesis draws a new one
    per run, whatever derandomize says), and nothing fed back from responses
    (ids, error messages) or from whatever modules happen to be imported."""
    no_feedback = {"extra-data-sources": {"responses": False}}
    config = schemathesis.Config.from_dict(
        {
            "seed": seed,
            "generation": {"deterministic": True, "database": "none"},
            "analysis": {"constants": {"enabled": False}},
            "phases": {
                "examples": no_feedback,
                "coverage": no_feedback,
                "fuzzing": {**no_feedback, "error-feedback": {"enabled": False}},
            },
        }
    )
    app = InProcessApp()
    schema = schemathesis.openapi.from_dict(DOCUMENT, config=config)
    schema.app = app
    return schema, app


def builtin_check(name: str) -> Callable[..., Any]:
    (found,) = [c for c in CHECKS.get_all() if getattr(c, "__name__", "") == name]
    return found


def documented_error(ctx: CheckContext, response: StResponse, case: Case[Any]) -> bool | None:
    """An error answer is exactly ``{"error": {"code", "message", "details"}}``
    with a known code, answered with the status that code maps to."""
    if response.status_code < 400:
        return None
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"error"}, f"not an error body: {body!r}"
    error = body["error"]
    assert isinstance(error, dict), f"error is not an object: {error!r}"
    assert set(error) == {"code", "message", "details"}, f"error has keys {sorted(error)}"
    assert isinstance(error["message"], str) and error["message"], "no error message"
    code = error["code"]
    assert code in STATUS_OF_CODE, f"undocumented error code {code!r}"
    assert STATUS_OF_CODE[code] == response.status_code, (
        f"{code!r} answered {response.status_code}, the table says {STATUS_OF_CODE[code]}"
    )
    return None
