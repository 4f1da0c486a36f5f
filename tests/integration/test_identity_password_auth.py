"""FirebaseAuthRest (PasswordAuth) against the real Auth emulator: sign-up,
sign-in, refresh and password reset, and how Firebase's error answers map
onto the port's exceptions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aksio.adapters.firebase_auth_rest import FirebaseAuthRest
from aksio.adapters.firebase_identity import FirebaseIdentity
from aksio.ports.identity import (
    EmailExists,
    InvalidCredentials,
    InvalidEmail,
    InvalidOobCode,
    InvalidToken,
    WeakPassword,
)
from tests.factories.users import UserFactory, decode_claims, unique_email
from tests.fixtures.auth_emulator import AuthEmulator

pytestmark = pytest.mark.emulator


@pytest.fixture
def rest(auth_emulator: AuthEmulator) -> FirebaseAuthRest:
    return auth_emulator.password_auth()


@pytest.fixture
def identity(auth_emulator: AuthEmulator) -> FirebaseIdentity:
    return auth_emulator.identity()


@pytest.fixture(params=[False, True], ids=["emulator-default", "email-privacy"])
def email_privacy(request: pytest.FixtureRequest, auth_emulator: AuthEmulator) -> Iterator[bool]:
    """Both answers Firebase gives: EMAIL_NOT_FOUND / INVALID_PASSWORD (the
    emulator's default, older projects) and INVALID_LOGIN_CREDENTIALS (email
    enumeration protection, the default of projects created since 2023)."""
    enabled: bool = request.param
    auth_emulator.client.set_email_privacy(enabled)
    try:
        yield enabled
    finally:
        auth_emulator.client.set_email_privacy(False)


# -- sign-up ---------------------------------------------------------------


def test_sign_up_returns_tokens_for_a_new_account(
    rest: FirebaseAuthRest, identity: FirebaseIdentity
) -> None:
    email = unique_email("signup")
    tokens = rest.sign_up(email, "s3cret-pass", "Ada Lovelace")

    assert tokens.uid and tokens.refresh_token and tokens.expires_in == 3600
    principal = identity.verify_id_token(tokens.id_token)
    assert principal.uid == tokens.uid
    assert principal.email == email
    assert decode_claims(tokens.id_token)["name"] == "Ada Lovelace"
    user = identity.get_user(tokens.uid)
    assert (user.email, user.display_name, user.disabled) == (email, "Ada Lovelace", False)


def test_sign_up_without_display_name(rest: FirebaseAuthRest, identity: FirebaseIdentity) -> None:
    tokens = rest.sign_up(unique_email(), "s3cret-pass", None)
    assert identity.get_user(tokens.uid).display_name is None


def test_sign_up_with_a_taken_email_is_email_exists(
    rest: FirebaseAuthRest, emulator_users: UserFactory
) -> None:
    existing = emulator_users.create()
    with pytest.raises(EmailExists):
        rest.sign_up(existing.email, "another-pass", None)
    # Firebase compares emails case-insensitively.
    with pytest.raises(EmailExists):
        rest.sign_up(existing.email.upper(), "another-pass", None)


def test_sign_up_with_a_short_password_is_weak_password_with_firebase_wording(
    rest: FirebaseAuthRest,
) -> None:
    with pytest.raises(WeakPassword) as caught:
        rest.sign_up(unique_email(), "12345", None)
    assert str(caught.value) == "Password should be at least 6 characters"


def test_sign_up_with_an_invalid_email_is_invalid_email(rest: FirebaseAuthRest) -> None:
    with pytest.raises(InvalidEmail):
        rest.sign_up("not-an-email", "s3cret-pass", None)


# -- sign-in ---------------------------------------------------------------


def test_sign_in_with_the_right_password(
    rest: FirebaseAuthRest, identity: FirebaseIdentity, emulator_users: UserFactory
) -> None:
    user = emulator_users.create()
    tokens = rest.sign_in(user.email, user.password)
    assert tokens.uid == user.uid
    assert identity.verify_id_token(tokens.id_token).uid == user.uid


def test_wrong_password_and_unknown_email_are_indistinguishable(
    rest: FirebaseAuthRest, emulator_users: UserFactory, email_privacy: bool
) -> None:
    user = emulator_users.create()
    errors = []
    for email, password in [
        (user.email, "wrong-password"),
        (unique_email("nobody"), "wrong-password"),
        ("not-an-email", "whatever"),
    ]:
        with pytest.raises(InvalidCredentials) as caught:
            rest.sign_in(email, password)
        errors.append(caught.value)
    # Same type, same (empty) message: nothing tells the cases apart.
    assert {(type(e), str(e)) for e in errors} == {(InvalidCredentials, "")}


def test_a_disabled_account_looks_like_wrong_credentials(
    rest: FirebaseAuthRest, emulator_users: UserFactory
) -> None:
    # The emulator checks USER_DISABLED before the password: answering it as
    # such would confirm the account exists to someone without its password.
    user = emulator_users.create(disabled=True)
    with pytest.raises(InvalidCredentials):
        rest.sign_in(user.email, "wrong-password")
    with pytest.raises(InvalidCredentials):
        rest.sign_in(user.email, user.password)


# -- refresh ---------------------------------------------------------------


def test_refresh_issues_a_new_id_token(
    rest: FirebaseAuthRest, identity: FirebaseIdentity, emulator_users: UserFactory
) -> None:
    user = emulator_users.create()
    first = rest.sign_in(user.email, user.password)
    second = rest.refresh(first.refresh_token)
    assert second.uid == user.uid and second.expires_in == 3600
    assert second.refresh_token
    assert identity.verify_id_token(second.id_token).uid == user.uid


@pytest.mark.parametrize("token", ["", "garbage", "eyJub3QiOiJhIHJlZnJlc2ggdG9rZW4ifQ=="])
def test_refresh_with_a_bogus_token_is_invalid_token(rest: FirebaseAuthRest, token: str) -> None:
    with pytest.raises(InvalidToken):
        rest.refresh(token)


def test_refresh_for_a_disabled_or_deleted_user_is_invalid_token(
    rest: FirebaseAuthRest, emulator_users: UserFactory
) -> None:
    user = emulator_users.create()
    tokens = rest.sign_in(user.email, user.password)
    emulator_users.disable(user.uid)
    with pytest.raises(InvalidToken) as disabled:
        rest.refresh(tokens.refresh_token)
    assert disabled.value.reason == "user_disabled"
    emulator_users.delete(user.uid)
    with pytest.raises(InvalidToken) as deleted:
        rest.refresh(tokens.refresh_token)
    # Production answers USER_NOT_FOUND; the emulator INVALID_REFRESH_TOKEN.
    assert deleted.value.reason in {"invalid_refresh_token", "user_not_found"}


# -- password reset ----------------------------------------------------------


def test_password_reset_with_the_emailed_code(
    rest: FirebaseAuthRest, auth_emulator: AuthEmulator, emulator_users: UserFactory
) -> None:
    user = emulator_users.create()
    rest.send_password_reset(user.email)
    code = auth_emulator.password_reset_code(user.email)

    assert rest.confirm_password_reset(code, "brand-new-pass") == user.email

    with pytest.raises(InvalidCredentials):
        rest.sign_in(user.email, user.password)
    assert rest.sign_in(user.email, "brand-new-pass").uid == user.uid
    # A code works once.
    with pytest.raises(InvalidOobCode):
        rest.confirm_password_reset(code, "yet-another-pass")
    assert auth_emulator.oob_codes(user.email) == []


def test_password_reset_for_an_unknown_email_is_silent_and_sends_nothing(
    rest: FirebaseAuthRest, auth_emulator: AuthEmulator, email_privacy: bool
) -> None:
    email = unique_email("nobody")
    rest.send_password_reset(email)  # no exception: nothing reveals the account is missing
    rest.send_password_reset("not-an-email")
    assert auth_emulator.oob_codes(email) == []


def test_password_reset_rejects_a_weak_password_and_keeps_the_code(
    rest: FirebaseAuthRest, auth_emulator: AuthEmulator, emulator_users: UserFactory
) -> None:
    user = emulator_users.create()
    rest.send_password_reset(user.email)
    code = auth_emulator.password_reset_code(user.email)
    with pytest.raises(WeakPassword):
        rest.confirm_password_reset(code, "123")
    with pytest.raises(WeakPassword):
        rest.confirm_password_reset(code, "")
    # Still usable: the weak attempt did not consume it.
    assert rest.confirm_password_reset(code, "long-enough") == user.email


@pytest.mark.parametrize("code", ["", "no-such-code"])
def test_password_reset_with_an_unknown_code(rest: FirebaseAuthRest, code: str) -> None:
    with pytest.raises(InvalidOobCode):
        rest.confirm_password_reset(code, "long-enough")
