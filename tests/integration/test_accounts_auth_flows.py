"""Register, login, refresh, logout and password reset over HTTP, against the
real Firebase Auth emulator (started by the ``auth_emulator`` fixture)."""

from __future__ import annotations

import time

import pytest

from tests.factories.accounts import RegisterFactory, body
from tests.factories.users import DEFAULT_PASSWORD
from tests.fixtures.app import Api

pytestmark = pytest.mark.emulator
B = "/api/v1/accounts"


def register(api: Api, **overrides: str) -> dict[str, object]:
    r = api.client.post(f"{B}/register/", json=body(RegisterFactory, **overrides))
    assert r.status_code == 201, r.json
    return dict(r.json or {})


def test_register_answers_tokens_and_creates_the_profile(accounts_api: Api) -> None:
    payload = body(RegisterFactory, display_name="Ada Lovelace")
    r = accounts_api.client.post(f"{B}/register/", json=payload)
    assert r.status_code == 201
    tokens = r.json or {}
    assert set(tokens) == {"user", "id_token", "refresh_token", "expires_in"}
    assert tokens["user"]["email"] == payload["email"]
    assert tokens["user"]["display_name"] == "Ada Lovelace"
    assert tokens["expires_in"] > 0
    profile = accounts_api.client.get(
        f"{B}/profile/", headers={"Authorization": f"Bearer {tokens['id_token']}"}
    )
    assert profile.status_code == 200
    assert profile.json["uid"] == tokens["user"]["uid"]
    assert profile.json["display_name"] == "Ada Lovelace"
    assert profile.json["plan"] == "free"


def test_duplicate_email_is_a_409(accounts_api: Api) -> None:
    first = register(accounts_api)
    email = first["user"]["email"]  # type: ignore[index]
    again = accounts_api.client.post(f"{B}/register/", json=body(RegisterFactory, email=email))
    assert again.status_code == 409
    assert again.json["error"]["code"] == "conflict"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"password": "short"}, "password"),
        ({"display_name": ""}, "display_name"),
        ({"display_name": 42}, "display_name"),
        ({"role": "admin"}, "role"),
    ],
)
def test_register_validates_each_field(
    accounts_api: Api, change: dict[str, object], field: str
) -> None:
    payload = {**body(RegisterFactory), **change}
    r = accounts_api.client.post(f"{B}/register/", json=payload)
    assert r.status_code == 400
    assert field in {d["field"] for d in r.json["error"]["details"]}


def test_register_with_missing_fields_names_them(accounts_api: Api) -> None:
    r = accounts_api.client.post(f"{B}/register/", json={})
    assert r.status_code == 400
    assert {d["field"] for d in r.json["error"]["details"]} == {"email", "password", "display_name"}


def test_login_with_the_right_password(accounts_api: Api) -> None:
    user = accounts_api.user()
    r = accounts_api.client.post(
        f"{B}/login/", json={"email": user.email, "password": user.password}
    )
    assert r.status_code == 200
    assert r.json["user"]["uid"] == user.uid
    assert (
        accounts_api.client.get(
            f"{B}/profile/", headers={"Authorization": f"Bearer {r.json['id_token']}"}
        ).status_code
        == 200
    )


def test_wrong_password_and_unknown_email_look_the_same(accounts_api: Api) -> None:
    user = accounts_api.user()
    wrong = accounts_api.client.post(
        f"{B}/login/", json={"email": user.email, "password": "nope-nope"}
    )
    unknown = accounts_api.client.post(
        f"{B}/login/", json={"email": "nobody-here@example.com", "password": DEFAULT_PASSWORD}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json


def test_token_refresh_gives_new_tokens(accounts_api: Api) -> None:
    tokens = register(accounts_api)
    r = accounts_api.client.post(
        f"{B}/token-refresh/", json={"refresh_token": tokens["refresh_token"]}
    )
    assert r.status_code == 200
    assert r.json["user"]["uid"] == tokens["user"]["uid"]  # type: ignore[index]
    assert r.json["id_token"]


def test_garbage_refresh_token_is_a_401(accounts_api: Api) -> None:
    r = accounts_api.client.post(f"{B}/token-refresh/", json={"refresh_token": "garbage"})
    assert r.status_code == 401


def test_logout_revokes_refresh_and_id_tokens(accounts_api: Api) -> None:
    tokens = register(accounts_api)
    headers = {"Authorization": f"Bearer {tokens['id_token']}"}
    assert accounts_api.client.get(f"{B}/profile/", headers=headers).status_code == 200
    # No sleep before logout: the handler itself makes same-second tokens stale.
    assert accounts_api.client.post(f"{B}/logout/", headers=headers).status_code == 204
    old = accounts_api.client.get(f"{B}/profile/", headers=headers)
    assert old.status_code == 401
    refreshed = accounts_api.client.post(
        f"{B}/token-refresh/", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 401
    # Signing in again works at once.
    email = tokens["user"]["email"]  # type: ignore[index]
    again = accounts_api.client.post(
        f"{B}/login/", json={"email": email, "password": DEFAULT_PASSWORD}
    )
    assert again.status_code == 200
    fresh = {"Authorization": f"Bearer {again.json['id_token']}"}
    assert accounts_api.client.get(f"{B}/profile/", headers=fresh).status_code == 200


def test_password_reset_answers_the_same_for_unknown_emails(accounts_api: Api) -> None:
    user = accounts_api.user()
    known = accounts_api.client.post(f"{B}/password-reset/", json={"email": user.email})
    unknown = accounts_api.client.post(f"{B}/password-reset/", json={"email": "ghost@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.json == unknown.json


def test_password_reset_confirm_changes_the_password(accounts_api: Api) -> None:
    user = accounts_api.user()
    accounts_api.client.post(f"{B}/password-reset/", json={"email": user.email})
    code = accounts_api.auth.password_reset_code(user.email)
    new_password = "a-brand-new-password-7"
    r = accounts_api.client.post(
        f"{B}/password-reset-confirm/", json={"oob_code": code, "new_password": new_password}
    )
    assert r.status_code == 200
    assert r.json == {"email": user.email}
    old = accounts_api.client.post(
        f"{B}/login/", json={"email": user.email, "password": user.password}
    )
    new = accounts_api.client.post(
        f"{B}/login/", json={"email": user.email, "password": new_password}
    )
    assert (old.status_code, new.status_code) == (401, 200)
    reused = accounts_api.client.post(
        f"{B}/password-reset-confirm/", json={"oob_code": code, "new_password": new_password}
    )
    assert reused.status_code == 400
    assert reused.json["error"]["details"][0]["field"] == "oob_code"


def test_login_attempts_are_rate_limited(accounts_api: Api) -> None:
    limit = accounts_api.services.settings.auth_rate_limit
    payload = {"email": "victim@example.com", "password": "guess-guess"}
    statuses = [
        accounts_api.client.post(f"{B}/login/", json=payload).status_code for _ in range(limit + 1)
    ]
    assert statuses[:limit] == [401] * limit
    assert statuses[limit] == 429
    last = accounts_api.client.post(f"{B}/login/", json=payload)
    assert last.json["error"]["code"] == "rate_limited"
    assert int(last.headers["Retry-After"]) == last.json["error"]["details"]["retry_after"] > 0


@pytest.mark.parametrize(
    ("make_token", "reason"),
    [
        (lambda u: u.expired_token(), "expired"),
        (lambda u: u.token(audience="another-project"), "audience"),
        (lambda u: "not.a.jwt", "malformed"),
        (lambda u: u.token(iat=int(time.time()) + 3600), "future"),
    ],
)
def test_bad_tokens_are_401(accounts_api: Api, make_token: object, reason: str) -> None:
    user = accounts_api.user()
    token = make_token(user)  # type: ignore[operator]
    r = accounts_api.client.get(f"{B}/profile/", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401, reason
    assert r.json["error"]["code"] == "unauthenticated"


def test_token_of_a_disabled_user_is_a_401(accounts_api: Api) -> None:
    user = accounts_api.user()
    accounts_api.users.disable(user.uid)
    r = accounts_api.client.get(f"{B}/profile/", headers=accounts_api.bearer(user))
    assert r.status_code == 401
