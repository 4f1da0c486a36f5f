"""FirebaseIdentity's production path (no emulator), offline: RS256 tokens
signed with a key made here, Google's key endpoint replaced by that key, and
Application Default Credentials from a throwaway service-account file.

This is where the SDK really checks signatures, ``kid``, ``alg`` and times,
which the emulator path skips."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from aksio.adapters.firebase_identity import FirebaseIdentity
from aksio.ports.identity import IdentityUnavailable, InvalidToken
from tests.factories.users import mint_id_token

PROJECT = "demo-production-path"
KID = "test-key-1"


def _pem_private(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def identity(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, signing_key: rsa.RSAPrivateKey
) -> Iterator[FirebaseIdentity]:
    import google.oauth2.id_token

    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST", raising=False)
    # ADC from a file: loading it needs no network (tokens would, but
    # verify_id_token(check_revoked=False) never asks for one).
    account = {
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": "k",
        "private_key": _pem_private(signing_key),
        "client_email": f"sa@{PROJECT}.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    credentials = tmp_path / "sa.json"
    credentials.write_text(json.dumps(account))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(credentials))
    public_pem = (
        signing_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    monkeypatch.setattr(
        google.oauth2.id_token, "_fetch_certs", lambda request, url: {KID: public_pem}
    )
    yield FirebaseIdentity(PROJECT)


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": f"https://securetoken.google.com/{PROJECT}",
        "aud": PROJECT,
        "auth_time": now,
        "user_id": "uid-1",
        "sub": "uid-1",
        "iat": now,
        "exp": now + 3600,
        "email": "prod@example.com",
        "email_verified": True,
        "firebase": {"sign_in_provider": "password", "identities": {}},
    }
    claims.update(overrides)
    return claims


def _sign(key: rsa.RSAPrivateKey, kid: str = KID, **overrides: Any) -> str:
    return jwt.encode(
        _claims(**overrides), _pem_private(key), algorithm="RS256", headers={"kid": kid}
    )


def _reason(identity: FirebaseIdentity, token: str) -> str:
    with pytest.raises(InvalidToken) as caught:
        identity.verify_id_token(token, check_revoked=False)
    return caught.value.reason


def test_a_signed_token_verifies(
    identity: FirebaseIdentity, signing_key: rsa.RSAPrivateKey
) -> None:
    principal = identity.verify_id_token(_sign(signing_key), check_revoked=False)
    assert (principal.uid, principal.email, principal.email_verified) == (
        "uid-1",
        "prod@example.com",
        True,
    )


def test_an_emulator_token_is_refused_in_production(identity: FirebaseIdentity) -> None:
    assert _reason(identity, mint_id_token(PROJECT, "uid-1")) == "bad_signature"


def test_signature_kid_and_algorithm_are_checked(
    identity: FirebaseIdentity, signing_key: rsa.RSAPrivateKey
) -> None:
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert _reason(identity, _sign(other_key)) == "bad_signature"
    assert _reason(identity, _sign(signing_key, kid="unknown-kid")) == "bad_signature"
    hs256 = jwt.encode(
        _claims(), "a-shared-secret-long-enough-for-hs256!", algorithm="HS256", headers={"kid": KID}
    )
    assert _reason(identity, hs256) == "bad_signature"


def test_times_are_checked_by_the_sdk(
    identity: FirebaseIdentity, signing_key: rsa.RSAPrivateKey
) -> None:
    now = int(time.time())
    assert _reason(identity, _sign(signing_key, iat=now - 7200, exp=now - 3600)) == "expired"
    assert _reason(identity, _sign(signing_key, iat=now + 600, exp=now + 4200)) == (
        "issued_in_future"
    )
    # Within the tolerated skew a token from a slightly faster clock passes.
    assert identity.verify_id_token(_sign(signing_key, iat=now + 2), check_revoked=False)


def test_audience_and_issuer_are_checked(
    identity: FirebaseIdentity, signing_key: rsa.RSAPrivateKey
) -> None:
    assert _reason(identity, _sign(signing_key, aud="demo-other")) == "wrong_project"
    bad_iss = _sign(signing_key, iss="https://securetoken.google.com/demo-other")
    assert _reason(identity, bad_iss) == "wrong_project"


def test_unreachable_key_endpoint_is_unavailable(
    identity: FirebaseIdentity, signing_key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    import google.auth.exceptions
    import google.oauth2.id_token

    def offline(request: object, url: str) -> dict[str, str]:
        raise google.auth.exceptions.TransportError("no route to host")  # type: ignore[no-untyped-call]

    monkeypatch.setattr(google.oauth2.id_token, "_fetch_certs", offline)
    with pytest.raises(IdentityUnavailable):
        identity.verify_id_token(_sign(signing_key), check_revoked=False)
