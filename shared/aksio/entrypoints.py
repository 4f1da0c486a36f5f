"""The HTTP functions: which routers each one serves.

``functions/<name>/main.py`` calls one of these; the dev gateway mounts them
all. Each imports only its own area's modules, so a function's cold start
pays only for what it serves.
"""

from __future__ import annotations

from collections.abc import Callable

from aksio.http.app import HttpFunction
from aksio.http.docs import openapi_router
from aksio.http.health import health_router
from aksio.http.router import Route, Router


def api_routes() -> list[Route]:
    """Every public route, for the OpenAPI document."""
    from aksio.accounts.routes import router as accounts_router
    from aksio.courses.routes import router as courses_router
    from aksio.documents.routes import router as documents_router

    routers = [health_router(), accounts_router, courses_router, documents_router]
    routers += _assessments_routers() + _learning_routers()
    return [r for router in routers for r in router.routes]


def _assessments_routers() -> list[Router]:
    from aksio.assessments.flashcards.routes import router as flashcards
    from aksio.assessments.generation.routes import router as generation
    from aksio.assessments.quizzes.routes import router as quizzes

    return [flashcards, quizzes, generation]


def accounts() -> HttpFunction:
    from aksio.accounts.routes import router

    return HttpFunction(
        "accounts",
        (router, health_router("documents", "blobs", "identity"), openapi_router(api_routes)),
    )


def courses() -> HttpFunction:
    from aksio.courses.routes import router as courses
    from aksio.documents.routes import router as documents

    health = health_router("documents", "blobs", "tasks", "identity")
    return HttpFunction("courses", (courses, documents, health))


def _learning_routers() -> list[Router]:
    from aksio.learning.plans.routes import router as plans
    from aksio.learning.progress.routes import router as progress
    from aksio.learning.sessions.routes import router as sessions

    return [plans, sessions, progress]


def learning() -> HttpFunction:
    health = health_router("documents", "tasks", "identity")
    return HttpFunction("learning", (*_learning_routers(), health))


def assessments() -> HttpFunction:
    health = health_router("documents", "tasks", "identity")
    return HttpFunction("assessments", (*_assessments_routers(), health))


HTTP_FUNCTIONS: dict[str, tuple[str, Callable[[], HttpFunction]]] = {
    # name: (public path prefix, factory)
    "accounts": ("/api/v1/accounts", accounts),
    "courses": ("/api/v1/courses", courses),
    "assessments": ("/api/v1/assessments", assessments),
    "learning": ("/api/v1/learning", learning),
}
