"""Task request authentication: Cloud Tasks' OIDC tokens (signed here with a local
key; Google's certificate endpoint is replaced by a transport serving its public
key) and the in-process queue's shared secret."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth import crypt, jwt
from werkzeug.datastructures import Headers

from aksio.config import Settings
from aksio.tasks.auth import (
    SECRET_HEADER,
    CachingRequest,
    TaskAuthError,
    TaskAuthUnavailable,
    authenticate,
)

WORKER_URL = "https://europe-west1-demo-aksio.cloudfunctions.net/task_worker/"
SA = "tasks-invoker@demo-aksio.iam.gserviceaccount.com"
CERTS_URL = "https://www.googleapis.com/oauth2/v1/certs"


def _key() -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


GOOGLE_KEY = _key()
OTHER_KEY = _key()


@dataclass
class FakeResponse:
    status: int
    headers: dict[str, str]
    data: bytes


@dataclass
class FakeGoogleCerts:
    """Stands in for Google's certificate endpoint (a google.auth transport)."""

    status: int = 200
    calls: list[str] = field(default_factory=list)

    def __call__(self, url: str, method: str = "GET", **kwargs: Any) -> FakeResponse:
        self.calls.append(url)
        body = json.dumps({"key-1": GOOGLE_KEY[1].decode()}).encode()
        return FakeResponse(self.status, {"Cache-Control": "public, max-age=600"}, body)


def token(key: bytes = GOOGLE_KEY[0], **overrides: Any) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": "https://accounts.google.com",
        "aud": WORKER_URL,
        "sub": "1234567890",
        "email": SA,
        "email_verified": True,
        "iat": now,
        "exp": now + 3600,
        **overrides,
    }
    signer = crypt.RSASigner.from_string(key, key_id="key-1")  # type: ignore[no-untyped-call]
    encoded: bytes = jwt.encode(signer, claims)  # type: ignore[no-untyped-call]
    return encoded.decode()


def cloudtasks_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "task_queue": "cloudtasks",
        "tasks_service_account": SA,
        "task_worker_url": WORKER_URL,
        **overrides,
    }
    return Settings(**values)


def check(headers: dict[str, str], settings: Settings, certs: Any = None) -> str:
    transport = certs or FakeGoogleCerts()
    return authenticate(Headers(headers), settings, certs_request=transport)


def test_valid_cloud_tasks_token() -> None:
    certs = FakeGoogleCerts()
    bearer = {"Authorization": f"Bearer {token()}"}
    assert check(bearer, cloudtasks_settings(), certs) == SA
    assert certs.calls == [CERTS_URL]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer not-a-jwt"},
        {"Authorization": f"Bearer {token(aud='https://elsewhere.example/')}"},
        {"Authorization": f"Bearer {token(email='someone@else.iam.gserviceaccount.com')}"},
        {"Authorization": f"Bearer {token(email_verified=False)}"},
        {"Authorization": f"Bearer {token(iss='https://evil.example')}"},
        {"Authorization": f"Bearer {token(iat=1000, exp=2000)}"},
        {"Authorization": f"Bearer {token(key=OTHER_KEY[0])}"},
        {SECRET_HEADER: "local-dev-task-secret"},  # the local secret means nothing here
    ],
    ids=[
        "none", "basic", "empty", "garbage", "audience", "email", "unverified", "issuer",
        "expired", "foreign-key", "secret",
    ],
)  # fmt: skip
def test_bad_cloud_tasks_tokens_are_refused(headers: dict[str, str]) -> None:
    with pytest.raises(TaskAuthError):
        check(headers, cloudtasks_settings())


def test_unreachable_google_keys_are_unavailable_not_unauthorised() -> None:
    with pytest.raises(TaskAuthUnavailable):
        check({"Authorization": f"Bearer {token()}"}, cloudtasks_settings(), FakeGoogleCerts(500))


def test_missing_service_account_setting_fails_closed() -> None:
    with pytest.raises(TaskAuthUnavailable):
        check({"Authorization": f"Bearer {token()}"}, cloudtasks_settings(tasks_service_account=""))


def test_google_keys_are_cached_for_their_max_age() -> None:
    now = [0.0]
    fake = FakeGoogleCerts()
    cached = CachingRequest(fake, clock=lambda: now[0])
    bearer = {"Authorization": f"Bearer {token()}"}
    for _ in range(3):
        check(bearer, cloudtasks_settings(), cached)
    assert len(fake.calls) == 1
    now[0] = 601.0
    check(bearer, cloudtasks_settings(), cached)
    assert len(fake.calls) == 2


def test_failed_key_fetches_are_not_cached() -> None:
    fake = FakeGoogleCerts(status=503)
    cached = CachingRequest(fake)
    assert cached(CERTS_URL).status == 503
    fake.status = 200
    assert cached(CERTS_URL).status == 200
    assert cached(CERTS_URL).status == 200
    assert len(fake.calls) == 2


def test_shared_secret_locally() -> None:
    settings = Settings(task_queue="inprocess", task_shared_secret="s3cret", environment="local")
    assert check({SECRET_HEADER: "s3cret"}, settings) == "inprocess"
    for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: "s3cre"}):
        with pytest.raises(TaskAuthError):
            check(headers, settings)
    with pytest.raises(TaskAuthError):  # an empty secret never matches
        check({SECRET_HEADER: ""}, Settings(task_queue="inprocess", task_shared_secret=""))


def test_shared_secret_is_refused_in_production() -> None:
    settings = Settings(task_queue="inprocess", environment="production", task_shared_secret="s")
    with pytest.raises(TaskAuthUnavailable):
        check({SECRET_HEADER: "s"}, settings)
