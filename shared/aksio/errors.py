"""Errors the domain raises; the HTTP layer maps each ``code`` to a status.

Domain modules raise these instead of HTTP exceptions so they stay free of
transport concerns, and every error a client can cause has a documented code.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    code = "internal"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(AppError):
    code = "validation_error"


class Unauthenticated(AppError):
    code = "unauthenticated"


class NotFound(AppError):
    code = "not_found"


class Conflict(AppError):
    code = "conflict"


class PayloadTooLarge(AppError):
    code = "payload_too_large"


class UnsupportedMediaType(AppError):
    code = "unsupported_media_type"


class RateLimited(AppError):
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, details={"retry_after": retry_after})
        self.retry_after = retry_after


class Unavailable(AppError):
    code = "unavailable"
