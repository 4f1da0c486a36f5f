"""Test users: accounts created in the Auth emulator, and emulator ID tokens
minted locally.

The emulator's tokens are unsigned JWTs (``alg: none``) and firebase-admin
accepts any such token while ``FIREBASE_AUTH_EMULATOR_HOST`` is set, so most
tests skip the sign-in round trip and mint exactly the token they need: with
``iat`` in the past (revocation), already expired, for another project...

Accounts are created through the emulator's admin REST endpoint (what
firebase-admin's ``create_user`` calls, authorised by ``Bearer owner``), with
a unique email each, so tests never depend on each other's users.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import requests

DEFAULT_PASSWORD = "correct-horse-battery-9"
_TIMEOUT_S = 5.0
# firebase-admin accepts emulator tokens without checking times; the adapter
# checks exp and iat itself, so minted tokens must carry them.
TOKEN_LIFETIME_S = 3600


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def mint_id_token(
    project_id: str,
    uid: str,
    *,
    email: str | None = None,
    email_verified: bool = False,
    name: str | None = None,
    iat: int | None = None,
    exp: int | None = None,
    auth_time: int | None = None,
    sign_in_provider: str = "password",
    audience: str | None = None,
    issuer: str | None = None,
    header: dict[str, Any] | None = None,
    omit: Collection[str] = (),
    **extra: Any,
) -> str:
    """An ID token shaped like the emulator's own (``generateJwt`` in
    firebase-tools): header ``{"alg": "none", "typ": "JWT"}``, empty signature.

    ``iat`` defaults to now, ``exp`` to ``iat + 1h``; ``audience``/``issuer``
    default to the project's; ``extra`` adds or overrides claims (``None``
    values drop a claim); ``omit`` drops claims (``exp``, ``iat``...)."""
    now = int(time.time())
    issued = now if iat is None else iat
    claims: dict[str, Any] = {
        "iss": issuer or f"https://securetoken.google.com/{project_id}",
        "aud": audience or project_id,
        "auth_time": issued if auth_time is None else auth_time,
        "user_id": uid,
        "sub": uid,
        "iat": issued,
        "exp": issued + TOKEN_LIFETIME_S if exp is None else exp,
        "email": email,
        "email_verified": email_verified,
        "name": name,
        "firebase": {
            "identities": {"email": [email]} if email else {},
            "sign_in_provider": sign_in_provider,
        },
    }
    claims.update(extra)
    claims = {k: v for k, v in claims.items() if v is not None and k not in omit}
    return f"{_b64(header or {'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


def decode_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, unverified (to inspect what the emulator issued)."""
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


@dataclass(frozen=True)
class TestUser:
    __test__ = False  # not a pytest test class

    uid: str
    email: str
    password: str
    display_name: str | None
    project_id: str

    def token(self, **overrides: Any) -> str:
        """A valid ID token for this user now; see mint_id_token for overrides."""
        overrides.setdefault("email", self.email)
        overrides.setdefault("name", self.display_name)
        return mint_id_token(self.project_id, self.uid, **overrides)

    def expired_token(self, *, seconds_ago: int = 60) -> str:
        """Issued an hour and ``seconds_ago`` ago: expired ``seconds_ago`` ago."""
        exp = int(time.time()) - seconds_ago
        return self.token(iat=exp - TOKEN_LIFETIME_S, exp=exp)

    def token_issued_at(self, iat: int) -> str:
        """Issued at ``iat`` (whole seconds), valid for an hour from then: for
        revocation tests without sleeping."""
        return self.token(iat=iat)


@dataclass
class UserFactory:
    """Creates, disables and deletes accounts in one Auth emulator."""

    host: str  # host:port
    project_id: str
    session: requests.Session = field(default_factory=requests.Session)

    @property
    def _admin_url(self) -> str:
        return f"http://{self.host}/identitytoolkit.googleapis.com/v1/projects/{self.project_id}"

    def _admin(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        # "Bearer owner" is the emulator's admin credential (firebase-admin sends it too).
        resp = self.session.post(
            f"{self._admin_url}/{path}",
            json=body,
            headers={"Authorization": "Bearer owner"},
            timeout=_TIMEOUT_S,
        )
        if not resp.ok:
            raise RuntimeError(f"emulator {path}: {resp.status_code} {resp.text}")
        result: dict[str, Any] = resp.json()
        return result

    def create(
        self,
        *,
        email: str | None = None,
        password: str = DEFAULT_PASSWORD,
        display_name: str | None = "Test User",
        email_verified: bool = False,
        disabled: bool = False,
        uid: str | None = None,
        valid_since: int | None = None,
    ) -> TestUser:
        """``valid_since`` (epoch seconds) replaces the creation second the
        emulator records, so tokens minted with an earlier ``iat`` pass."""
        email = email or unique_email()
        body: dict[str, Any] = {
            "email": email,
            "password": password,
            "emailVerified": email_verified,
            "disabled": disabled,
        }
        if display_name:
            body["displayName"] = display_name
        if uid:
            body["localId"] = uid
        data = self._admin("accounts", body)
        if valid_since is not None:
            self.set_valid_since(str(data["localId"]), valid_since)
        return TestUser(
            uid=str(data["localId"]),
            email=email.lower(),
            password=password,
            display_name=display_name,
            project_id=self.project_id,
        )

    def set_valid_since(self, uid: str, seconds: int) -> None:
        """Backdates (or moves) the account's revocation time, what
        revoke_refresh_tokens sets to now; tokens with ``iat`` below it are revoked.
        Lets a test mint tokens issued in the past for an account created now."""
        self._admin("accounts:update", {"localId": uid, "validSince": str(seconds)})

    def update(self, uid: str, **fields: Any) -> None:
        """Admin ``accounts:update`` with raw emulator fields (``lastLoginAt``...)."""
        self._admin("accounts:update", {"localId": uid, **fields})

    def disable(self, uid: str, disabled: bool = True) -> None:
        self._admin("accounts:update", {"localId": uid, "disableUser": disabled})

    def delete(self, uid: str) -> None:
        self._admin("accounts:delete", {"localId": uid})

    def lookup(self, uid: str) -> dict[str, Any] | None:
        """The emulator's raw account record (validSince, passwordUpdatedAt...)."""
        users = self._admin("accounts:lookup", {"localId": [uid]}).get("users") or []
        return dict(users[0]) if users else None
