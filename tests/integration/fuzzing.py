"""What the API fuzz tests share: the OpenAPI document they fuzz, a
deterministic schemathesis schema that sends every request to an in-process
WSGI app, the hypothesis settings, the documented-error and random-id checks,
and the call that sends a case and runs every check not relaxed for it."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case, CheckContext
from schemathesis import Response as StResponse
from schemathesis.checks import CHECKS

from aksio.entrypoints import api_routes
from aksio.http.openapi import openapi_document
from aksio.http.responses import STATUS_OF_CODE

# The same document /api/openapi.json serves, built here so that collecting a
# test file needs neither the app nor the emulator.
DOCUMENT = openapi_document(api_routes())
HEALTH = "/api/health/"

# Operation label -> (built-in checks not run on it, why).
Relaxed = dict[str, tuple[tuple[str, ...], str]]


def label(method: str, path: str) -> str:
    """An operation's name in ``RELAXED`` tables and assertions: ``"GET /api/..."``."""
    return f"{method.upper()} {path}"


def operation_labels(schema: Any) -> set[str]:
    return {label(r.ok().method, r.ok().path) for r in schema.get_all_operations()}


def served_by(base: str, path: str) -> bool:
    """Whether the function whose routes start with ``base`` serves ``path``
    (the document describes every function; each serves the health route)."""
    return path.startswith(f"{base}/") or path == HEALTH


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


def split_deletions(schema: Any, base: str) -> tuple[Any, Any]:
    """What the function at ``base`` serves, as two schemas: every operation
    but its deletions, and its deletions (fuzzed apart)."""

    def served(ctx: Any) -> bool:
        return served_by(base, str(ctx.operation.path))

    def is_delete(ctx: Any) -> bool:
        return served(ctx) and ctx.operation.method.upper() == "DELETE"

    # Two `include`s would be a union: one predicate each.
    return (
        schema.include(func=lambda ctx: served(ctx) and not is_delete(ctx)),
        schema.include(func=is_delete),
    )


def hypothesis_settings(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        deadline=None,  # the emulator's latency on a loaded machine is no failure
        derandomize=True,  # the same cases every run: a red build is reproducible
        database=None,  # and no state carried between runs
        suppress_health_check=list(HealthCheck),
    )


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


def case_bits(case: Case[Any]) -> int:
    """A number fixed by what was generated (path, query, body): which ids
    stay random is decided by the case itself, so a run repeats exactly."""
    generated = [case.path_parameters, case.query, case.body]
    raw = json.dumps(generated, sort_keys=True, default=lambda o: type(o).__name__)
    return zlib.crc32(raw.encode())


def random_ids_never_succeed(random_left: bool) -> Callable[..., Any]:
    """A made-up id (one ``steer`` left in place) must never succeed."""

    def check(ctx: CheckContext, response: StResponse, case: Case[Any]) -> bool | None:
        # (probes with another method, e.g. OPTIONS, never reach the handler)
        method = response.request.method or ""
        if random_left and method.upper() == case.operation.method.upper():
            assert response.status_code >= 400, (
                f"made-up ids {case.path_parameters} / {case.query} / {case.body!r:.300} "
                f"answered {response.status_code}"
            )
        return None

    check.__name__ = "random_ids_never_succeed"
    return check


def declared_query(case: Case[Any]) -> set[str]:
    operation = DOCUMENT["paths"][case.operation.path][case.operation.method.lower()]
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}


def send_undeclared_nulls(case: Case[Any]) -> None:
    """An undeclared query parameter generated as null (or []) is never sent
    (the client drops it), so a case meant to test that the app refuses it
    would wrongly fail: send it empty instead (``?name=``), which the app
    must refuse like any unknown parameter."""
    if not case.query:
        return
    declared = declared_query(case)
    for name, value in list(case.query.items()):
        if name not in declared and value in (None, []):
            case.query[name] = ""


def call_and_validate(
    case: Case[Any],
    target: Any,
    token: str,
    *,
    app: InProcessApp,
    relaxed: Relaxed,
    random_left: bool | None = None,
    undeclared_nulls: bool = False,
) -> None:
    """Send ``case`` to ``target`` (through the schema's ``app``) as the bearer
    of ``token``; run every built-in check but those ``relaxed`` for its
    operation, and ``documented_error``. With ``random_left`` (whether
    ``steer`` left a made-up id in place) also ``random_ids_never_succeed``;
    with ``undeclared_nulls``, ``send_undeclared_nulls`` first. A module binds
    its ``app``, ``relaxed`` and ``undeclared_nulls`` once (``partial``)."""
    app.target = target
    if undeclared_nulls:
        send_undeclared_nulls(case)
    excluded = relaxed.get(label(case.operation.method, case.operation.path), ((), ""))[0]
    checks: list[Callable[..., Any]] = [documented_error]
    if random_left is not None:
        checks.append(random_ids_never_succeed(random_left))
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        additional_checks=checks,
        excluded_checks=[builtin_check(name) for name in excluded],
    )


def assert_every_operation_fuzzed(
    base: str, schema: Any, delete_schema: Any, relaxed: Relaxed
) -> None:
    """Every operation the function at ``base`` serves is fuzzed, by one of the
    two schemas only, and ``relaxed`` names no operation that is gone."""
    fuzzed = operation_labels(schema) | operation_labels(delete_schema)
    served = {
        label(method, path)
        for path, item in DOCUMENT["paths"].items()
        if served_by(base, path)
        for method in item
    }
    assert served == fuzzed, f"not fuzzed: {sorted(served - fuzzed)}"
    assert operation_labels(schema).isdisjoint(operation_labels(delete_schema))
    assert set(relaxed) <= fuzzed, "RELAXED names an operation that no longer exists"
