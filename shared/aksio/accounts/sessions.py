"""Sign-up, sign-in, token refresh, sign-out and password reset.

These wrap Firebase Auth's REST API so that clients without the Firebase SDK
can use the API; clients with the SDK sign in themselves and just send their
ID token.
"""

from __future__ import annotations

import time
from datetime import datetime

from aksio import ratelimit
from aksio.accounts import paths
from aksio.accounts.models import Tokens, UserOut
from aksio.accounts.profiles import create_profile, ensure_profile
from aksio.composition import Services
from aksio.errors import Conflict, InvalidInput, RateLimited, Unauthenticated, Unavailable
from aksio.ports.identity import (
    EmailExists,
    IdentityUnavailable,
    InvalidCredentials,
    InvalidEmail,
    InvalidOobCode,
    InvalidToken,
    Principal,
    TokenSet,
    TooManyAttempts,
    UserNotFound,
    WeakPassword,
)

UNAVAILABLE = "The sign-in service is unavailable; try again shortly."
THROTTLED = "Too many attempts for this account; try again in a minute."


def _limit(services: Services, *keys: str) -> None:
    s = services.settings
    limit = ratelimit.Limit(s.auth_rate_limit, s.auth_rate_window_s)
    for key in keys:
        ratelimit.hit(services.documents, key, limit, services.clock.now())


def _tokens(
    services: Services, tokens: TokenSet, email: str | None, display_name: str | None = None
) -> Tokens:
    name = display_name
    if name is None:  # not known here: the profile has it
        profile = services.documents.get(paths.user(tokens.uid))
        name = profile.data.get("display_name") if profile else None
    return Tokens(
        user=UserOut(uid=tokens.uid, email=email, display_name=name),
        id_token=tokens.id_token,
        refresh_token=tokens.refresh_token,
        expires_in=tokens.expires_in,
    )


def register(services: Services, email: str, password: str, display_name: str, ip: str) -> Tokens:
    _limit(services, f"register:ip:{ip}")
    try:
        tokens = services.password_auth.sign_up(email, password, display_name)
    except EmailExists:
        raise Conflict("An account with this email already exists.") from None
    except WeakPassword as exc:
        raise InvalidInput(
            "The password is too weak.", details=[{"field": "password", "message": str(exc)}]
        ) from None
    except InvalidEmail:
        raise InvalidInput(
            "The email address is not valid.", details=[{"field": "email", "message": "invalid"}]
        ) from None
    except TooManyAttempts:
        raise RateLimited(THROTTLED, retry_after=60) from None
    except IdentityUnavailable:
        raise Unavailable(UNAVAILABLE) from None
    create_profile(services.documents, tokens.uid, email, display_name, services.clock.now())
    return _tokens(services, tokens, email, display_name)


def login(services: Services, email: str, password: str, ip: str) -> Tokens:
    _limit(services, f"login:ip:{ip}", f"login:email:{email.lower()}")
    try:
        tokens = services.password_auth.sign_in(email, password)
    except InvalidCredentials:
        raise Unauthenticated("Wrong email or password.") from None
    except TooManyAttempts:
        raise RateLimited(THROTTLED, retry_after=60) from None
    except IdentityUnavailable:
        raise Unavailable(UNAVAILABLE) from None
    ensure_profile(services.documents, Principal(tokens.uid, email), services.clock.now())
    return _tokens(services, tokens, email)


def refresh(services: Services, refresh_token: str, ip: str) -> Tokens:
    _limit(services, f"refresh:ip:{ip}")
    refused = Unauthenticated("The refresh token is invalid, expired or revoked.")
    try:
        tokens = services.password_auth.refresh(refresh_token)
        principal = services.identity.verify_id_token(tokens.id_token, check_revoked=False)
        user = services.identity.get_user(principal.uid)
    except (InvalidCredentials, InvalidToken, UserNotFound):
        raise refused from None
    except IdentityUnavailable:
        raise Unavailable(UNAVAILABLE) from None
    # Firebase refuses refresh tokens older than a revocation; the Auth emulator
    # does not. A refreshed ID token keeps the sign-in's auth_time, so comparing
    # it with the revocation time enforces logout the same way everywhere.
    if user.disabled or principal.auth_time < user.tokens_valid_after:
        raise refused
    return _tokens(services, tokens, principal.email)


def logout(services: Services, uid: str, now: datetime) -> None:
    """Revoke every refresh token of the user, which also makes ID tokens
    issued before now fail the revocation check.

    Firebase compares a token's issue time with the revocation time in whole
    seconds, so a token issued earlier in the same second would survive. We
    wait for the next second to start before revoking: every token issued
    before the call is then strictly older than the revocation.
    """
    time.sleep(1.0 - (now.timestamp() % 1.0) + 0.01)
    try:
        services.identity.revoke_refresh_tokens(uid)
    except IdentityUnavailable:
        raise Unavailable(UNAVAILABLE) from None


def request_password_reset(services: Services, email: str, ip: str) -> None:
    """Always the same answer, so the endpoint cannot tell who has an account."""
    _limit(services, f"reset:ip:{ip}", f"reset:email:{email.lower()}")
    try:
        services.password_auth.send_password_reset(email)
    except IdentityUnavailable:
        raise Unavailable(UNAVAILABLE) from None


def confirm_password_reset(services: Services, oob_code: str, new_password: str, ip: str) -> str:
    _limit(services, f"reset-confirm:ip:{ip}")
    try:
        return services.password_auth.confirm_password_reset(oob_code, new_password)
    except InvalidOobCode:
        raise InvalidInput(
            "The reset code is invalid, used or expired.",
            details=[{"field": "oob_code", "message": "invalid, used or expired"}],
        ) from None
    except WeakPassword as exc:
        raise InvalidInput(
            "The password is too weak.", details=[{"field": "new_password", "message": str(exc)}]
        ) from None
    except IdentityUnavailable:
        raise Unavailable(UNAVAILABLE) from None
