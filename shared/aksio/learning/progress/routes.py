"""HTTP handlers of the progress area of ``/api/v1/learning``."""

from __future__ import annotations

from aksio.http.router import Router

router = Router(prefix="/api/v1/learning", tag="progress")
