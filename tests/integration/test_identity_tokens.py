"""FirebaseIdentity against the Auth emulator: verifying ID tokens (minted
locally, shaped like the emulator's own) and managing users.

firebase-admin accepts unsigned tokens and checks no times in emulator mode,
so the expiry and future-``iat`` cases here exercise the adapter's own
checks; audience, issuer, subject, disabled and deleted users go through the
SDK's code paths."""

from __future__ import annotations

import time

import pytest

from aksio.adapters.firebase_identity import FirebaseIdentity
from aksio.ports.identity import InvalidToken, UserNotFound
from tests.factories.users import TOKEN_LIFETIME_S, UserFactory, mint_id_token
from tests.fixtures.auth_emulator import AuthEmulator

pytestmark = pytest.mark.emulator


@pytest.fixture
def identity(auth_emulator: AuthEmulator) -> FirebaseIdentity:
    return auth_emulator.identity()


def _reason(identity: FirebaseIdentity, token: str, *, check_revoked: bool = True) -> str:
    with pytest.raises(InvalidToken) as caught:
        identity.verify_id_token(token, check_revoked=check_revoked)
    return caught.value.reason


# -- valid tokens ------------------------------------------------------------


def test_a_minted_token_verifies_without_a_sign_in(
    identity: FirebaseIdentity, emulator_users: UserFactory
) -> None:
    user = emulator_users.create(email_verified=True)
    principal = identity.verify_id_token(user.token(email_verified=True))
    assert principal.uid == user.uid
    assert principal.email == user.email
    assert principal.email_verified is True
    assert abs(principal.issued_at - time.time()) < 5


def test_a_token_about_to_expire_is_still_valid(
    identity: FirebaseIdentity, emulator_users: UserFactory
) -> None:
    now = int(time.time())
    user = emulator_users.create(valid_since=now - TOKEN_LIFETIME_S)
    token = user.token(iat=now - TOKEN_LIFETIME_S + 30)  # 30 s left
    assert identity.verify_id_token(token).uid == user.uid


def test_check_revoked_false_makes_no_lookup(
    identity: FirebaseIdentity, auth_emulator: AuthEmulator
) -> None:
    # No such account: only the lookup done by check_revoked would notice.
    token = mint_id_token(auth_emulator.project_id, "never-created-uid")
    assert identity.verify_id_token(token, check_revoked=False).uid == "never-created-uid"
    assert _reason(identity, token) == "user_not_found"


# -- rejected tokens -----------------------------------------------------------


def test_an_expired_token(identity: FirebaseIdentity, emulator_users: UserFactory) -> None:
    user = emulator_users.create(valid_since=int(time.time()) - 2 * TOKEN_LIFETIME_S)
    assert _reason(identity, user.expired_token()) == "expired"
    assert _reason(identity, user.expired_token(), check_revoked=False) == "expired"


def test_a_token_issued_in_the_future(
    identity: FirebaseIdentity, emulator_users: UserFactory
) -> None:
    user = emulator_users.create()
    assert _reason(identity, user.token(iat=int(time.time()) + 120)) == "issued_in_future"
    # Within the tolerated clock skew it passes (Google's clock may lead ours).
    assert identity.verify_id_token(user.token(iat=int(time.time()) + 2)).uid == user.uid


@pytest.mark.parametrize(
    "token",
    [
        "",
        "   ",
        "not-a-jwt",
        "a.b",
        "a.b.c.d",
        "!!!.???.",
        "eyJhbGciOiJub25lIn0.bm90IGpzb24.",  # payload is not JSON
        "eyJhbGciOiJub25lIn0.WzEsMl0.",  # payload is a JSON array
    ],
)
def test_a_malformed_token(identity: FirebaseIdentity, token: str) -> None:
    assert _reason(identity, token) == "malformed"


@pytest.mark.parametrize("claim", ["exp", "iat"])
def test_a_token_without_times_is_malformed(
    identity: FirebaseIdentity, emulator_users: UserFactory, claim: str
) -> None:
    user = emulator_users.create()
    assert _reason(identity, user.token(omit=[claim])) == "malformed"


def test_a_token_for_another_project(
    identity: FirebaseIdentity, emulator_users: UserFactory
) -> None:
    user = emulator_users.create()
    other = "demo-someone-else"
    assert _reason(identity, mint_id_token(other, user.uid)) == "wrong_project"
    assert _reason(identity, user.token(audience=other)) == "wrong_project"
    assert _reason(identity, user.token(issuer=f"https://securetoken.google.com/{other}")) == (
        "wrong_project"
    )
    assert _reason(identity, user.token(issuer="https://accounts.google.com")) == "wrong_project"


def test_a_custom_token_is_not_an_id_token(
    identity: FirebaseIdentity, emulator_users: UserFactory
) -> None:
    user = emulator_users.create()
    custom_audience = (
        "https://identitytoolkit.googleapis.com/google.identity.identitytoolkit.v1.IdentityToolkit"
    )
    assert _reason(identity, user.token(audience=custom_audience)) == "not_an_id_token"


@pytest.mark.parametrize("sub", ["", "x" * 129])
def test_a_bad_subject_is_malformed(
    identity: FirebaseIdentity, auth_emulator: AuthEmulator, sub: str
) -> None:
    token = mint_id_token(auth_emulator.project_id, "uid", sub=sub)
    assert _reason(identity, token) == "malformed"


def test_a_token_for_a_deleted_user(
    identity: FirebaseIdentity, emulator_users: UserFactory
) -> None:
    user = emulator_users.create()
    token = user.token()
    assert identity.verify_id_token(token).uid == user.uid
    identity.delete_user(user.uid)
    assert _reason(identity, token) == "user_not_found"


def test_a_token_for_a_disabled_user(
    identity: FirebaseIdentity, emulator_users: UserFactory
) -> None:
    user = emulator_users.create()
    token = user.token()
    emulator_users.disable(user.uid)
    assert _reason(identity, token) == "user_disabled"
    # Without the revocation check the SDK does not look the user up.
    assert identity.verify_id_token(token, check_revoked=False).uid == user.uid
    emulator_users.disable(user.uid, disabled=False)
    assert identity.verify_id_token(token).uid == user.uid


def test_a_token_issued_by_the_emulator_itself(
    identity: FirebaseIdentity, auth_emulator: AuthEmulator, emulator_users: UserFactory
) -> None:
    user = emulator_users.create()
    tokens = auth_emulator.password_auth().sign_in(user.email, user.password)
    assert identity.verify_id_token(tokens.id_token).uid == user.uid


# -- users -------------------------------------------------------------------


def test_get_update_and_delete_a_user(
    identity: FirebaseIdentity, emulator_users: UserFactory
) -> None:
    user = emulator_users.create(display_name="Before")
    record = identity.get_user(user.uid)
    assert (record.uid, record.email, record.display_name, record.disabled) == (
        user.uid,
        user.email,
        "Before",
        False,
    )

    identity.update_user(user.uid, display_name="After")
    assert identity.get_user(user.uid).display_name == "After"
    identity.update_user(user.uid)  # None: unchanged
    assert identity.get_user(user.uid).display_name == "After"
    identity.update_user(user.uid, display_name="")  # empty: removed
    assert identity.get_user(user.uid).display_name is None

    emulator_users.disable(user.uid)
    assert identity.get_user(user.uid).disabled is True

    identity.delete_user(user.uid)
    with pytest.raises(UserNotFound):
        identity.get_user(user.uid)
    with pytest.raises(UserNotFound):
        identity.delete_user(user.uid)


@pytest.mark.parametrize("uid", ["no-such-user", "", "x" * 129])
def test_unknown_users(identity: FirebaseIdentity, uid: str) -> None:
    with pytest.raises(UserNotFound):
        identity.get_user(uid)
    with pytest.raises(UserNotFound):
        identity.update_user(uid, display_name="Name")
    with pytest.raises(UserNotFound):
        identity.revoke_refresh_tokens(uid)
    with pytest.raises(UserNotFound):
        identity.delete_user(uid)


def test_ping(identity: FirebaseIdentity) -> None:
    identity.ping()


def test_instances_share_one_firebase_app(auth_emulator: AuthEmulator) -> None:
    import firebase_admin

    a, b = auth_emulator.identity(), auth_emulator.identity()
    a.ping()
    b.ping()
    assert firebase_admin.get_app(f"aksio-identity-{auth_emulator.project_id}") is not None
