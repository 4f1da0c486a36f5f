"""PasswordAuth over Firebase Auth's REST API (Identity Toolkit v1 and the
Secure Token service), for API clients that do not embed the Firebase SDK.

With ``emulator_host`` the same paths are served by the Auth emulator at
``http://<host>/identitytoolkit.googleapis.com/v1`` and
``http://<host>/securetoken.googleapis.com/v1`` (any API key is accepted).

Firebase answers errors as ``{"error": {"code": 400, "message": "CODE : detail"}}``;
only the code before `` : `` is stable, so that is what gets mapped.
"""

from __future__ import annotations

import logging
from typing import Any

import requests

from aksio.ports.identity import (
    EmailExists,
    IdentityError,
    IdentityUnavailable,
    InvalidCredentials,
    InvalidEmail,
    InvalidOobCode,
    InvalidToken,
    TokenSet,
    TooManyAttempts,
    WeakPassword,
)

log = logging.getLogger(__name__)

IDENTITY_TOOLKIT = "https://identitytoolkit.googleapis.com/v1"
SECURE_TOKEN = "https://securetoken.googleapis.com/v1"
# (connect, read) seconds: an auth call must never hold a request for long.
TIMEOUT_S = (3.05, 10.0)

# Errors any call can get: a throttled project, or a project/key not set up
# for password sign-in (a deployment problem, not the user's).
_THROTTLED = {"TOO_MANY_ATTEMPTS_TRY_LATER", "QUOTA_EXCEEDED", "RESET_PASSWORD_EXCEED_LIMIT"}
# Unknown email, wrong password and a disabled account all answer the same, so
# that sign-in cannot be used to learn who has an account (Firebase's own
# "email enumeration protection" folds the first two into INVALID_LOGIN_CREDENTIALS;
# the emulator checks USER_DISABLED before the password).
_BAD_LOGIN = {
    "INVALID_LOGIN_CREDENTIALS",
    "EMAIL_NOT_FOUND",
    "INVALID_PASSWORD",
    "INVALID_EMAIL",
    "MISSING_EMAIL",
    "MISSING_PASSWORD",
    "USER_DISABLED",
    "USER_NOT_FOUND",
}
_BAD_REFRESH = {
    "TOKEN_EXPIRED",
    "INVALID_REFRESH_TOKEN",
    "MISSING_REFRESH_TOKEN",
    "USER_NOT_FOUND",
    "USER_DISABLED",
    "PROJECT_NUMBER_MISMATCH",
    "INVALID_GRANT_TYPE",
}
_BAD_OOB = {"INVALID_OOB_CODE", "EXPIRED_OOB_CODE", "MISSING_OOB_CODE", "USER_DISABLED"}
# A reset request for an address nobody owns must look like any other.
_SILENT_RESET = {"EMAIL_NOT_FOUND", "USER_NOT_FOUND", "INVALID_EMAIL", "MISSING_EMAIL"}


class FirebaseAuthError(IdentityUnavailable):
    """An error answer this adapter has no better mapping for."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(f"Firebase Auth answered {status} {message}")
        self.code = code
        self.message = message
        self.status = status


class FirebaseAuthRest:
    def __init__(
        self,
        api_key: str,
        emulator_host: str | None = None,
        session: requests.Session | None = None,
        *,
        timeout: tuple[float, float] = TIMEOUT_S,
    ) -> None:
        if emulator_host and "//" in emulator_host:
            raise ValueError(f"emulator_host must be host:port, not a URL: {emulator_host!r}")
        if not api_key and not emulator_host:
            raise ValueError("a Firebase Web API key is required outside the emulator")
        self._api_key = api_key or "fake-api-key"
        self._session = session or requests.Session()
        self._timeout = timeout
        if emulator_host:
            self.identity_url = f"http://{emulator_host}/identitytoolkit.googleapis.com/v1"
            self.token_url = f"http://{emulator_host}/securetoken.googleapis.com/v1"
        else:
            self.identity_url = IDENTITY_TOOLKIT
            self.token_url = SECURE_TOKEN

    # -- flows -------------------------------------------------------------

    def sign_up(self, email: str, password: str, display_name: str | None) -> TokenSet:
        body: dict[str, Any] = {"email": email, "password": password, "returnSecureToken": True}
        if display_name:
            body["displayName"] = display_name
        try:
            data = self._identity("accounts:signUp", body)
        except FirebaseAuthError as exc:
            if exc.code == "EMAIL_EXISTS":
                raise EmailExists(email) from exc
            if exc.code in {"WEAK_PASSWORD", "MISSING_PASSWORD"}:
                raise WeakPassword(_detail(exc.message) or "Password is too weak") from exc
            if exc.code in {"INVALID_EMAIL", "MISSING_EMAIL"}:
                raise InvalidEmail(email) from exc
            raise
        tokens = _token_set(data["localId"], data)
        if display_name and data.get("displayName") != display_name:
            # The documented signUp request has no displayName: set it in a
            # second call if the service ignored it.
            tokens = self._set_display_name(tokens, display_name)
        return tokens

    def _set_display_name(self, tokens: TokenSet, display_name: str) -> TokenSet:
        try:
            data = self._identity(
                "accounts:update",
                {
                    "idToken": tokens.id_token,
                    "displayName": display_name,
                    "returnSecureToken": True,
                },
            )
        except IdentityError:
            # The account exists: failing the sign-up now would make the retry
            # answer EMAIL_EXISTS. The name is cosmetic and can be set later.
            log.warning("could not set the display name of new user %s", tokens.uid, exc_info=True)
            return tokens
        # Tokens issued after the update carry the `name` claim; keep the old
        # ones if this call issued none (the emulator only does on password change).
        return _token_set(tokens.uid, data) if data.get("idToken") else tokens

    def sign_in(self, email: str, password: str) -> TokenSet:
        try:
            data = self._identity(
                "accounts:signInWithPassword",
                {"email": email, "password": password, "returnSecureToken": True},
            )
        except FirebaseAuthError as exc:
            if exc.code in _BAD_LOGIN:
                raise InvalidCredentials() from exc
            raise
        if not data.get("idToken"):
            # e.g. mfaPendingCredential: a second factor this API does not offer.
            raise FirebaseAuthError("INCOMPLETE_SIGN_IN", "sign-in needs another step", 200)
        return _token_set(data["localId"], data)

    def refresh(self, refresh_token: str) -> TokenSet:
        if not refresh_token:
            raise InvalidToken("missing_refresh_token")
        try:
            data = self._post(
                f"{self.token_url}/token",
                form={"grant_type": "refresh_token", "refresh_token": refresh_token},
            )
        except FirebaseAuthError as exc:
            if exc.code in _BAD_REFRESH:
                raise InvalidToken(exc.code.lower()) from exc
            raise
        return TokenSet(
            uid=str(data["user_id"]),
            id_token=str(data["id_token"]),
            refresh_token=str(data["refresh_token"]),
            expires_in=int(data["expires_in"]),
        )

    def send_password_reset(self, email: str) -> None:
        """Returns normally whether or not the address has an account."""
        try:
            self._identity(
                "accounts:sendOobCode", {"requestType": "PASSWORD_RESET", "email": email}
            )
        except FirebaseAuthError as exc:
            if exc.code not in _SILENT_RESET:
                raise

    def confirm_password_reset(self, oob_code: str, new_password: str) -> str:
        if not oob_code:
            raise InvalidOobCode()
        if not new_password:
            # Without newPassword the endpoint only *inspects* the code.
            raise WeakPassword("Password is required")
        try:
            data = self._identity(
                "accounts:resetPassword", {"oobCode": oob_code, "newPassword": new_password}
            )
        except FirebaseAuthError as exc:
            if exc.code in _BAD_OOB:
                raise InvalidOobCode() from exc
            if exc.code == "WEAK_PASSWORD":
                raise WeakPassword(_detail(exc.message) or "Password is too weak") from exc
            raise
        if data.get("requestType", "PASSWORD_RESET") != "PASSWORD_RESET":
            raise InvalidOobCode()
        return str(data["email"])

    # -- transport ---------------------------------------------------------

    def _identity(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._post(f"{self.identity_url}/{method}", json=body)

    def _post(
        self,
        url: str,
        *,
        json: dict[str, Any] | None = None,
        form: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        try:
            resp = self._session.post(
                url, params={"key": self._api_key}, json=json, data=form, timeout=self._timeout
            )
        except requests.RequestException as exc:
            # Not the URL in the message: it carries the API key.
            raise IdentityUnavailable(f"Firebase Auth unreachable: {type(exc).__name__}") from exc
        try:
            payload = resp.json()
        except ValueError:
            payload = None
        if resp.ok and isinstance(payload, dict):
            return payload
        raise _error(resp.status_code, payload)


def _error(status: int, payload: object) -> IdentityError:
    message = ""
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        message = str(payload["error"].get("message", ""))
    code = message.split(" : ", 1)[0].strip() if message else f"HTTP_{status}"
    if code in _THROTTLED or status == 429:
        return TooManyAttempts(f"Firebase Auth is throttling: {code}")
    return FirebaseAuthError(code, message or "(no error body)", status)


def _detail(message: str) -> str:
    """``WEAK_PASSWORD : Password should be at least 6 characters`` -> the
    part after the code, which Firebase words for people."""
    _, sep, detail = message.partition(" : ")
    return detail.strip() if sep else ""


def _token_set(uid: str, data: dict[str, Any]) -> TokenSet:
    return TokenSet(
        uid=str(uid),
        id_token=str(data["idToken"]),
        refresh_token=str(data["refreshToken"]),
        expires_in=int(data.get("expiresIn", 3600)),
    )
