"""Identity ports: verifying Firebase ID tokens and managing users (Admin
SDK), and the password flows of Firebase Auth's REST API for clients that do
not use the Firebase SDK.

Adapters: ``aksio.adapters.firebase_identity`` (``firebase-admin``; against the
Auth emulator locally) and ``aksio.adapters.firebase_auth_rest``
(Identity Toolkit and Secure Token REST endpoints; the emulator serves both).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class IdentityError(Exception):
    """Base class."""


class InvalidToken(IdentityError):
    """Missing, malformed, expired, revoked or otherwise unacceptable token."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class EmailExists(IdentityError):
    pass


class InvalidCredentials(IdentityError):
    """Wrong email or password (the same for an unknown email)."""


class InvalidOobCode(IdentityError):
    """A password-reset code that is unknown, used or expired."""


class WeakPassword(IdentityError):
    pass


class UserNotFound(IdentityError):
    pass


class IdentityUnavailable(IdentityError):
    """The identity service could not be reached or answered an error."""


class TooManyAttempts(IdentityUnavailable):
    """The identity service is throttling (Firebase: TOO_MANY_ATTEMPTS_TRY_LATER);
    a subclass so handlers of IdentityUnavailable still cover it."""


class InvalidEmail(IdentityError):
    """The identity service rejected the email address's syntax (sign-up only;
    sign-in answers InvalidCredentials, password reset stays silent)."""


@dataclass(frozen=True)
class Principal:
    """The caller, from a verified ID token."""

    uid: str
    email: str | None
    email_verified: bool = False
    issued_at: int = 0
    auth_time: int = 0
    """When the user signed in (seconds); refreshed tokens keep it."""


@dataclass(frozen=True)
class UserRecord:
    uid: str
    email: str | None
    display_name: str | None
    disabled: bool = False
    tokens_valid_after: int = 0
    """Sessions signed in before this time (seconds) are revoked."""


@dataclass(frozen=True)
class TokenSet:
    uid: str
    id_token: str
    refresh_token: str
    expires_in: int


class IdentityProvider(Protocol):
    """Admin operations (firebase-admin)."""

    def verify_id_token(self, token: str, *, check_revoked: bool = True) -> Principal: ...
    def get_user(self, uid: str) -> UserRecord: ...
    def update_user(self, uid: str, *, display_name: str | None = None) -> None: ...
    def revoke_refresh_tokens(self, uid: str) -> None: ...
    def delete_user(self, uid: str) -> None: ...
    def ping(self) -> None: ...


class PasswordAuth(Protocol):
    """End-user password flows (Firebase Auth REST API)."""

    def sign_up(self, email: str, password: str, display_name: str | None) -> TokenSet: ...
    def sign_in(self, email: str, password: str) -> TokenSet: ...
    def refresh(self, refresh_token: str) -> TokenSet: ...
    def send_password_reset(self, email: str) -> None: ...
    def confirm_password_reset(self, oob_code: str, new_password: str) -> str:
        """Returns the account's email."""
        ...
