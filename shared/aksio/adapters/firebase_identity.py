"""IdentityProvider on Firebase Auth through the Admin SDK (``firebase-admin``).

Production: Application Default Credentials (the function's service account),
ID tokens checked against Google's public keys.

Emulator (``emulator_host`` set): the Admin SDK only knows about the emulator
through the process-wide ``FIREBASE_AUTH_EMULATOR_HOST`` variable, which it
reads when its auth client is built *and* on every token verification. In
that mode it accepts unsigned tokens (``alg: none``) and skips every time
check (``exp``, ``iat``), so this adapter checks the times itself to behave
like production.

``InvalidToken.reason`` is one of: ``malformed``, ``expired``,
``issued_in_future``, ``wrong_project`` (audience or issuer), ``not_an_id_token``
(custom or legacy token), ``bad_signature`` (key id, algorithm or signature),
``revoked``, ``user_disabled``, ``user_not_found``, ``invalid`` (anything else).
The original exception is chained for logs; the reason is safe to show.

``firebase_admin`` is imported lazily: importing ``aksio.ports`` or this
module must not cost a cold start the SDK.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from aksio.ports.identity import (
    IdentityUnavailable,
    InvalidToken,
    Principal,
    UserNotFound,
    UserRecord,
)

if TYPE_CHECKING:
    from firebase_admin import App

EMULATOR_ENV = "FIREBASE_AUTH_EMULATOR_HOST"
# Seconds of clock difference tolerated between Google's token servers and
# this instance (the Admin SDK defaults to 0, which rejects fresh tokens as
# "used too early" when our clock lags).
DEFAULT_CLOCK_SKEW_S = 5
HTTP_TIMEOUT_S = 10.0


class FirebaseIdentity:
    """One named firebase-admin App per project, created on first use."""

    def __init__(
        self,
        project_id: str,
        emulator_host: str | None = None,
        *,
        clock_skew_s: int = DEFAULT_CLOCK_SKEW_S,
        http_timeout_s: float = HTTP_TIMEOUT_S,
    ) -> None:
        if not project_id:
            raise ValueError("project_id is required")
        if emulator_host and "//" in emulator_host:
            raise ValueError(f"emulator_host must be host:port, not a URL: {emulator_host!r}")
        if not 0 <= clock_skew_s <= 60:
            raise ValueError("clock_skew_s must be within 0..60 (the Admin SDK's limit)")
        env_host = os.environ.get(EMULATOR_ENV)
        if emulator_host is None and env_host:
            # The SDK would silently accept unsigned tokens: refuse rather than
            # let a stray variable turn off signature checks in production.
            raise ValueError(
                f"{EMULATOR_ENV}={env_host} is set but no emulator_host was given; "
                "pass it explicitly (tests, local dev) or unset the variable (production)"
            )
        if emulator_host and env_host and env_host != emulator_host:
            raise ValueError(
                f"{EMULATOR_ENV}={env_host} conflicts with emulator_host={emulator_host}: "
                "firebase-admin supports one Auth emulator per process"
            )
        self.project_id = project_id
        self.emulator_host = emulator_host
        self._clock_skew_s = clock_skew_s
        self._http_timeout_s = http_timeout_s
        self._app_name = f"aksio-identity-{project_id}"
        self._client_obj: Any = None
        self._lock = threading.Lock()

    # -- setup -------------------------------------------------------------

    def _client(self) -> Any:
        """The SDK's auth client (``firebase_admin.auth.Client``), built once.

        Building it loads the credentials (ADC) in production, so failures here
        are configuration or metadata-server problems: IdentityUnavailable."""
        if self._client_obj is not None:
            return self._client_obj
        with self._lock:
            if self._client_obj is None:
                from firebase_admin import auth

                try:
                    self._client_obj = auth.Client(self._init_app())
                except Exception as exc:  # DefaultCredentialsError, TransportError...
                    raise IdentityUnavailable(f"Firebase Auth not usable: {exc}") from exc
        return self._client_obj

    def _init_app(self) -> App:
        import firebase_admin

        if self.emulator_host:
            # The only switch the SDK offers; set before its auth client exists.
            os.environ[EMULATOR_ENV] = self.emulator_host
        try:
            return firebase_admin.get_app(self._app_name)
        except ValueError:
            pass
        # No credential argument: Application Default Credentials, loaded by the
        # auth client in production and never in emulator mode (it uses a fake
        # one). projectId is explicit so nothing has to be looked up.
        try:
            return firebase_admin.initialize_app(
                options={"projectId": self.project_id, "httpTimeout": self._http_timeout_s},
                name=self._app_name,
            )
        except ValueError:  # another instance created it meanwhile
            return firebase_admin.get_app(self._app_name)

    @property
    def _emulated(self) -> bool:
        return bool(os.environ.get(EMULATOR_ENV))

    # -- tokens ------------------------------------------------------------

    def verify_id_token(self, token: str, *, check_revoked: bool = True) -> Principal:
        from firebase_admin import auth, exceptions
        from google.auth.exceptions import GoogleAuthError

        if not isinstance(token, str) or not token.strip():
            raise InvalidToken("malformed")
        client = self._client()
        try:
            claims: dict[str, Any] = client.verify_id_token(
                token,
                check_revoked=False,  # checked below, after our own time checks
                clock_skew_seconds=self._clock_skew_s,
            )
            if self._emulated:
                self._check_times(claims)
            if check_revoked:
                self._check_revoked_or_disabled(claims)
        except InvalidToken:
            raise
        except auth.ExpiredIdTokenError as exc:
            raise InvalidToken("expired") from exc
        except auth.RevokedIdTokenError as exc:
            raise InvalidToken("revoked") from exc
        except auth.UserDisabledError as exc:
            raise InvalidToken("user_disabled") from exc
        except auth.UserNotFoundError as exc:
            raise InvalidToken("user_not_found") from exc
        except auth.InvalidIdTokenError as exc:
            raise InvalidToken(_reason_from_message(str(exc))) from exc
        except auth.CertificateFetchError as exc:
            raise IdentityUnavailable("could not fetch Google's token signing keys") from exc
        except exceptions.FirebaseError as exc:
            raise IdentityUnavailable(f"Firebase Auth: {exc}") from exc
        except ValueError as exc:  # the SDK's argument checks, e.g. an undecodable token
            raise InvalidToken("malformed") from exc
        except GoogleAuthError as exc:  # credentials could not be refreshed
            raise IdentityUnavailable(f"Firebase Auth: {exc}") from exc

        return Principal(
            uid=str(claims["uid"]),
            email=claims.get("email"),
            email_verified=bool(claims.get("email_verified", False)),
            issued_at=int(claims.get("iat", 0)),
            auth_time=int(claims.get("auth_time", 0)),
        )

    def _check_times(self, claims: dict[str, Any]) -> None:
        """What google-auth checks for signed tokens, which the SDK skips when emulated."""
        now = time.time()
        exp, iat = claims.get("exp"), claims.get("iat")
        if not isinstance(exp, int | float) or not isinstance(iat, int | float):
            raise InvalidToken("malformed")
        if now > exp + self._clock_skew_s:
            raise InvalidToken("expired")
        if iat > now + self._clock_skew_s:
            raise InvalidToken("issued_in_future")
        auth_time = claims.get("auth_time")
        if isinstance(auth_time, int | float) and auth_time > now + self._clock_skew_s:
            raise InvalidToken("issued_in_future")

    def _check_revoked_or_disabled(self, claims: dict[str, Any]) -> None:
        """The SDK's own check (same comparison: whole seconds of ``iat`` against
        ``validSince``), kept here so time checks run first and errors map cleanly."""
        user = self._client().get_user(str(claims["uid"]))
        if user.disabled:
            raise InvalidToken("user_disabled")
        valid_after_ms = user.tokens_valid_after_timestamp or 0
        if int(claims["iat"]) * 1000 < valid_after_ms:
            raise InvalidToken("revoked")

    # -- users -------------------------------------------------------------

    def get_user(self, uid: str) -> UserRecord:
        if not _plausible_uid(uid):
            raise UserNotFound(uid)
        with _admin_errors(uid):
            user = self._client().get_user(uid)
        return UserRecord(
            uid=user.uid,
            email=user.email,
            display_name=user.display_name,
            disabled=bool(user.disabled),
            tokens_valid_after=(user.tokens_valid_after_timestamp or 0) // 1000,
        )

    def update_user(self, uid: str, *, display_name: str | None = None) -> None:
        """``display_name=None`` leaves it unchanged; ``""`` removes it."""
        from firebase_admin import auth

        if display_name is None:
            return
        if not _plausible_uid(uid):
            raise UserNotFound(uid)
        value: Any = display_name if display_name else auth.DELETE_ATTRIBUTE
        with _admin_errors(uid):
            self._client().update_user(uid, display_name=value)

    def revoke_refresh_tokens(self, uid: str) -> None:
        """Sets ``validSince`` to now (whole seconds). ID tokens issued in this
        same second stay valid: Firebase compares ``iat`` < ``validSince``."""
        if not _plausible_uid(uid):
            raise UserNotFound(uid)
        with _admin_errors(uid):
            self._client().revoke_refresh_tokens(uid)

    def delete_user(self, uid: str) -> None:
        """Raises UserNotFound when there is no such user (callers retrying a
        deletion may treat that as done)."""
        if not _plausible_uid(uid):
            raise UserNotFound(uid)
        with _admin_errors(uid):
            self._client().delete_user(uid)

    def ping(self) -> None:
        """Readiness: one cheap authenticated lookup; "not found" proves the
        service answered and our credentials work."""
        from firebase_admin import auth, exceptions
        from google.auth.exceptions import GoogleAuthError

        client = self._client()
        try:
            client.get_user("aksio-readiness-probe")
        except auth.UserNotFoundError:
            return
        except (exceptions.FirebaseError, GoogleAuthError) as exc:
            raise IdentityUnavailable(f"Firebase Auth: {exc}") from exc


@contextmanager
def _admin_errors(uid: str) -> Iterator[None]:
    """Maps Admin SDK errors of user operations onto the port's exceptions."""
    from firebase_admin import auth, exceptions
    from google.auth.exceptions import GoogleAuthError

    try:
        yield
    except auth.UserNotFoundError as exc:
        raise UserNotFound(uid) from exc
    except (exceptions.FirebaseError, GoogleAuthError) as exc:
        raise IdentityUnavailable(f"Firebase Auth: {exc}") from exc


def _plausible_uid(uid: object) -> bool:
    # The SDK raises ValueError for these; no such user can exist.
    return isinstance(uid, str) and 0 < len(uid) <= 128


def _reason_from_message(message: str) -> str:
    """The SDK raises one exception type with different messages; its
    wording is stable across releases and is all it offers to tell them apart."""
    text = message.lower()
    if "custom token" in text:
        return "not_an_id_token"
    if '"aud"' in text or '"iss"' in text or "wrong audience" in text:
        return "wrong_project"
    if '"kid"' in text or "algorithm" in text or "signature" in text or "certificate" in text:
        return "bad_signature"
    if "too early" in text:
        return "issued_in_future"
    if "expired" in text:
        return "expired"
    malformed_hints = ('"sub"', "segment", "padding", "base64", "required claim", "json")
    if any(hint in text for hint in malformed_hints):
        return "malformed"
    return "invalid"
