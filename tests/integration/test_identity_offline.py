"""The identity adapters without a running service: unreachable hosts,
configuration guards, error answers the emulator never gives (throttling,
5xx, unknown codes), and lazy imports. No emulator needed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from aksio.adapters.firebase_auth_rest import FirebaseAuthError, FirebaseAuthRest
from aksio.adapters.firebase_identity import FirebaseIdentity
from aksio.devtools.process import REPO_ROOT, free_port
from aksio.ports.identity import (
    IdentityUnavailable,
    InvalidCredentials,
    InvalidOobCode,
    InvalidToken,
    TooManyAttempts,
)
from tests.factories.users import mint_id_token


class FakeResponse:
    def __init__(self, status: int, body: Any) -> None:
        self.status_code = status
        self._body = body

    @property
    def ok(self) -> bool:
        return self.status_code < 400

    def json(self) -> Any:
        if isinstance(self._body, str):
            raise ValueError("not JSON")
        return self._body


class FakeSession(requests.Session):
    """Answers every POST with one canned response and records the calls."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__()
        self.answer = FakeResponse(status, body)
        self.calls: list[dict[str, Any]] = []

    def post(self, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        self.calls.append({"url": url, **kwargs})
        return self.answer


def _firebase_error(message: str, status: int = 400) -> FakeSession:
    return FakeSession(status, {"error": {"code": status, "message": message, "errors": []}})


# -- REST adapter --------------------------------------------------------------


def test_rest_unreachable_is_identity_unavailable() -> None:
    rest = FirebaseAuthRest("k", emulator_host=f"127.0.0.1:{free_port()}")
    with pytest.raises(IdentityUnavailable) as caught:
        rest.sign_in("a@example.com", "pw")
    assert "k" not in str(caught.value).split()  # the URL (with the key) is not echoed


def test_rest_production_urls_carry_the_key_and_a_timeout() -> None:
    session = FakeSession(200, {"localId": "u1", "idToken": "t", "refreshToken": "r"})
    rest = FirebaseAuthRest("the-key", session=session)
    tokens = rest.sign_in("a@example.com", "pw")
    assert tokens.uid == "u1" and tokens.expires_in == 3600
    call = session.calls[0]
    assert call["url"] == "https://identitytoolkit.googleapis.com/v1/accounts:signInWithPassword"
    assert call["params"] == {"key": "the-key"}
    assert call["timeout"]


def test_rest_refresh_uses_the_secure_token_form_grant() -> None:
    session = FakeSession(
        200,
        {"id_token": "t", "refresh_token": "r2", "expires_in": "3600", "user_id": "u1"},
    )
    tokens = FirebaseAuthRest("k", session=session).refresh("r1")
    assert (tokens.uid, tokens.refresh_token, tokens.expires_in) == ("u1", "r2", 3600)
    call = session.calls[0]
    assert call["url"] == "https://securetoken.googleapis.com/v1/token"
    assert call["data"] == {"grant_type": "refresh_token", "refresh_token": "r1"}


def test_rest_needs_an_api_key_outside_the_emulator() -> None:
    with pytest.raises(ValueError, match="API key"):
        FirebaseAuthRest("")
    with pytest.raises(ValueError, match="host:port"):
        FirebaseAuthRest("k", emulator_host="http://127.0.0.1:9099")


@pytest.mark.parametrize(
    "message", ["TOO_MANY_ATTEMPTS_TRY_LATER", "TOO_MANY_ATTEMPTS_TRY_LATER : Try again later."]
)
def test_rest_throttling_is_too_many_attempts(message: str) -> None:
    rest = FirebaseAuthRest("k", session=_firebase_error(message))
    with pytest.raises(TooManyAttempts):
        rest.sign_in("a@example.com", "pw")
    # Even a reset request for an unknown address surfaces throttling.
    with pytest.raises(TooManyAttempts):
        rest.send_password_reset("a@example.com")


def test_rest_server_errors_and_unknown_codes_are_unavailable() -> None:
    with pytest.raises(IdentityUnavailable):
        FirebaseAuthRest("k", session=FakeSession(503, "<html>busy</html>")).sign_in("a@x.io", "p")
    with pytest.raises(FirebaseAuthError) as caught:
        FirebaseAuthRest("k", session=_firebase_error("OPERATION_NOT_ALLOWED")).sign_in("a", "p")
    assert caught.value.code == "OPERATION_NOT_ALLOWED"
    assert isinstance(caught.value, IdentityUnavailable)
    bad_key = _firebase_error("API key not valid. Please pass a valid API key.")
    with pytest.raises(IdentityUnavailable):
        FirebaseAuthRest("k", session=bad_key).sign_in("a@x.io", "p")


def test_rest_production_only_codes() -> None:
    # Codes the emulator does not produce but production documents.
    with pytest.raises(InvalidToken) as caught:
        FirebaseAuthRest("k", session=_firebase_error("TOKEN_EXPIRED")).refresh("r")
    assert caught.value.reason == "token_expired"
    with pytest.raises(InvalidOobCode):
        FirebaseAuthRest("k", session=_firebase_error("EXPIRED_OOB_CODE")).confirm_password_reset(
            "code", "long-enough"
        )
    with pytest.raises(InvalidCredentials):
        FirebaseAuthRest("k", session=_firebase_error("INVALID_LOGIN_CREDENTIALS")).sign_in(
            "a@x.io", "p"
        )


def test_rest_sign_in_needing_a_second_factor_is_not_success() -> None:
    session = FakeSession(200, {"localId": "u1", "mfaPendingCredential": "x", "mfaInfo": []})
    with pytest.raises(IdentityUnavailable):
        FirebaseAuthRest("k", session=session).sign_in("a@x.io", "p")


# -- Admin SDK adapter -----------------------------------------------------------


def test_identity_unreachable_emulator_is_identity_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    host = f"127.0.0.1:{free_port()}"
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", host)
    # Its own project id, hence its own firebase-admin App bound to this host.
    identity = FirebaseIdentity("demo-unreachable", emulator_host=host)
    with pytest.raises(IdentityUnavailable):
        identity.ping()
    with pytest.raises(IdentityUnavailable):
        identity.get_user("someone")
    token = mint_id_token("demo-unreachable", "someone")
    with pytest.raises(IdentityUnavailable):
        identity.verify_id_token(token)  # the revocation lookup cannot be made
    assert identity.verify_id_token(token, check_revoked=False).uid == "someone"


def test_identity_refuses_a_stray_emulator_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    # Production code must never accept unsigned tokens because of an env var.
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")
    with pytest.raises(ValueError, match="no emulator_host"):
        FirebaseIdentity("demo-aksio")
    with pytest.raises(ValueError, match="conflicts"):
        FirebaseIdentity("demo-aksio", emulator_host="127.0.0.1:9100")


def test_identity_without_credentials_is_unavailable_not_a_crash(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST", raising=False)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))  # no gcloud ADC file
    monkeypatch.setenv("NO_GCE_CHECK", "True")  # no metadata-server probe
    identity = FirebaseIdentity("demo-no-credentials")
    with pytest.raises(IdentityUnavailable):
        identity.verify_id_token(mint_id_token("demo-no-credentials", "u"))
    with pytest.raises(InvalidToken):
        identity.verify_id_token("")  # rejected before any credentials are needed


def test_identity_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError):
        FirebaseIdentity("")
    with pytest.raises(ValueError):
        FirebaseIdentity("demo-aksio", emulator_host="http://127.0.0.1:9099")


def test_importing_the_ports_and_adapters_does_not_import_sdks() -> None:
    code = (
        "import sys\n"
        "import aksio.ports.identity, aksio.adapters.firebase_identity\n"
        "import aksio.adapters.firebase_auth_rest\n"
        "assert 'firebase_admin' not in sys.modules, 'firebase_admin imported'\n"
        "assert 'google.auth' not in sys.modules, 'google.auth imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT)
