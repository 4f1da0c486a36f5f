"""Who may call task_worker.

Production (``task_queue == "cloudtasks"``): Cloud Tasks sends
``Authorization: Bearer <OIDC token>`` signed by Google for the queue's service
account, with the worker URL as audience. We verify signature, issuer, expiry and
audience, then that the token is that service account's, so nobody else with a
Google identity can invoke handlers.

Local (``"inprocess"``): the in-process queue sends ``X-Aksio-Task-Secret``; it is
compared in constant time and refused outright when ``environment`` is production,
where a default secret would be a public key to the worker.
"""

from __future__ import annotations

import hmac
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aksio.config import Settings

if TYPE_CHECKING:
    from werkzeug.datastructures import Headers

SECRET_HEADER = "X-Aksio-Task-Secret"
CLOCK_SKEW_S = 10  # tolerated difference between Google's clock and ours
_DEFAULT_CERTS_TTL_S = 3600.0

HttpTransport = Callable[..., Any]
"""A ``google.auth.transport.Request``-like callable: ``(url, method=..., ...) -> response``."""


class TaskAuthError(Exception):
    """The caller is not the task queue (401)."""


class TaskAuthUnavailable(Exception):
    """The caller could not be checked: misconfiguration or Google's keys unreachable (503,
    so Cloud Tasks retries instead of losing the task)."""


def authenticate(
    headers: Headers, settings: Settings, *, certs_request: HttpTransport | None = None
) -> str:
    """Check the caller; returns who it is (service account email or ``"inprocess"``)."""
    if settings.task_queue == "cloudtasks":
        if not settings.tasks_service_account:
            raise TaskAuthUnavailable("AKSIO_TASKS_SERVICE_ACCOUNT is not set")
        claims = verify_oidc(
            _bearer(headers),
            audience=settings.task_worker_url,
            service_account_email=settings.tasks_service_account,
            request=certs_request,
        )
        return str(claims["email"])
    if settings.environment == "production":
        raise TaskAuthUnavailable("shared-secret task auth is refused in production")
    expected = settings.task_shared_secret.encode()
    given = headers.get(SECRET_HEADER, "").encode()
    if not expected or not hmac.compare_digest(given, expected):
        raise TaskAuthError("missing or wrong task secret")
    return "inprocess"


def verify_oidc(
    token: str,
    *,
    audience: str,
    service_account_email: str,
    request: HttpTransport | None = None,
) -> Mapping[str, Any]:
    from google.auth import exceptions
    from google.oauth2 import id_token

    try:
        claims: Mapping[str, Any] = id_token.verify_oauth2_token(  # type: ignore[no-untyped-call]
            token,
            request or _certs_request(),
            audience=audience,
            clock_skew_in_seconds=CLOCK_SKEW_S,
        )
    except exceptions.TransportError as exc:
        raise TaskAuthUnavailable(f"could not fetch Google's signing keys: {exc}") from exc
    except (ValueError, exceptions.GoogleAuthError) as exc:
        raise TaskAuthError(f"invalid OIDC token: {exc}") from exc
    if claims.get("email") != service_account_email or claims.get("email_verified") is not True:
        raise TaskAuthError("OIDC token is not the task queue's service account")
    return claims


def _bearer(headers: Headers) -> str:
    scheme, _, token = headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TaskAuthError("missing bearer token")
    return token.strip()


# ---------------------------------------------------------------- key caching
# google.oauth2.id_token fetches Google's certificates on every call; an instance
# handling many tasks would fetch them per task. This transport wrapper keeps a
# 200 answer for as long as its Cache-Control max-age allows.


@dataclass(frozen=True)
class _CachedResponse:
    status: int
    headers: Mapping[str, str]
    data: bytes


class CachingRequest:
    def __init__(self, inner: HttpTransport, clock: Callable[[], float] = time.monotonic) -> None:
        self._inner = inner
        self._clock = clock
        self._cache: dict[str, tuple[float, _CachedResponse]] = {}
        self._lock = threading.Lock()

    def __call__(self, url: str, method: str = "GET", **kwargs: Any) -> Any:
        if method != "GET":
            return self._inner(url, method=method, **kwargs)
        with self._lock:
            hit = self._cache.get(url)
            if hit is not None and hit[0] > self._clock():
                return hit[1]
        response = self._inner(url, method=method, **kwargs)
        if response.status == 200:
            cached = _CachedResponse(response.status, dict(response.headers), response.data)
            with self._lock:
                self._cache[url] = (self._clock() + _max_age(cached.headers), cached)
            return cached
        return response


def _max_age(headers: Mapping[str, str]) -> float:
    for key, value in headers.items():
        if key.lower() == "cache-control" and (m := re.search(r"max-age=(\d+)", value)):
            return float(m.group(1))
    return _DEFAULT_CERTS_TTL_S


_certs: CachingRequest | None = None


def _certs_request() -> CachingRequest:
    global _certs  # noqa: PLW0603 (one cache per instance, made on first use)
    if _certs is None:
        import google.auth.transport.requests

        _certs = CachingRequest(google.auth.transport.requests.Request())
    return _certs
