"""Bearer Firebase ID tokens -> Principal; every failure is a 401."""

from __future__ import annotations

import re

from werkzeug.wrappers import Request

from aksio.accounts.profiles import ensure_profile
from aksio.composition import Services
from aksio.errors import Unauthenticated, Unavailable
from aksio.ports.identity import IdentityUnavailable, InvalidToken, Principal

_BEARER = re.compile(r"^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$", re.IGNORECASE)


def authenticate(request: Request, services: Services) -> Principal:
    header = request.headers.get("Authorization")
    if not header:
        raise Unauthenticated("Missing Authorization header: send 'Bearer <Firebase ID token>'.")
    match = _BEARER.match(header)
    if match is None:
        raise Unauthenticated("Malformed Authorization header: expected 'Bearer <token>'.")
    try:
        principal = services.identity.verify_id_token(
            match.group(1), check_revoked=services.settings.check_revoked_tokens
        )
    except InvalidToken as exc:
        raise Unauthenticated(f"Invalid ID token: {exc.reason}.") from None
    except IdentityUnavailable as exc:
        raise Unavailable("The sign-in service is unavailable; try again shortly.") from exc
    ensure_profile(services.documents, principal, services.clock.now())
    return principal
