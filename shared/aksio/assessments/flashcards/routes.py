"""HTTP handlers of the flashcards area of ``/api/v1/assessments``."""

from __future__ import annotations

from aksio.http.router import Router

router = Router(prefix="/api/v1/assessments", tag="flashcards")
