"""HTTP handlers of the generation area of ``/api/v1/assessments``."""

from __future__ import annotations

from aksio.http.router import Router

router = Router(prefix="/api/v1/assessments", tag="generation")
