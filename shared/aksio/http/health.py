"""``GET /api/health/``: every HTTP function reports the dependencies it uses."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel

from aksio.composition import Services
from aksio.http.context import RequestContext
from aksio.http.router import Router

log = logging.getLogger("aksio.health")

Check = Callable[[Services], None]
CHECKS: dict[str, Check] = {
    "documents": lambda s: s.documents.ping(),
    "blobs": lambda s: s.blobs.ping(),
    "tasks": lambda s: s.tasks.ping(),
    "identity": lambda s: s.identity.ping(),
}


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    project: str
    dependencies: dict[str, str]


def health_router(*dependencies: str) -> Router:
    router = Router(prefix="/api", tag="health")

    @router.get("/health/", auth=False, errors=(503,))
    def health(ctx: RequestContext) -> Health:
        """Status of each dependency this function uses."""
        results: dict[str, str] = {}
        for name in dependencies:
            try:
                CHECKS[name](ctx.services)
                results[name] = "ok"
            except Exception as exc:  # a health check reports failures, it never raises
                log.warning("health check %s failed: %s", name, exc)
                results[name] = f"error: {type(exc).__name__}: {exc}"[:300]
        ok = all(v == "ok" for v in results.values())
        body = Health(
            status="ok" if ok else "degraded",
            project=ctx.services.settings.project_id,
            dependencies=results,
        )
        if not ok:
            ctx.status = 503
        return body

    return router
