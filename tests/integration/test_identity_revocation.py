"""Revocation against the Auth emulator (firebase-tools 15.34.2), pinned down.

What the emulator does (read in firebase-tools' lib/emulator/auth and shown here):

- ``revoke_refresh_tokens(uid)``: firebase-admin sends ``accounts:update``
  with ``validSince = int(time.time())`` (whole seconds, the caller's clock);
  the emulator stores that value as is.
- ``verify_id_token(check_revoked=True)`` (firebase-admin, local comparison):
  revoked iff ``iat * 1000 < validSince * 1000``, i.e. ``iat < validSince``
  in whole seconds. A token issued in the same second as the revocation
  (``iat == validSince``) stays valid; one from the second before is revoked.
- Refreshing with a refresh token issued *before* the revocation SUCCEEDS in
  the emulator: its refresh tokens are a base64 JSON record (uid, provider,
  project) with no issue time, and ``grantToken`` only checks that the user
  exists and is not disabled. The new ID token has ``iat = now >= validSince``
  and passes the revocation check. Production Firebase answers
  ``TOKEN_EXPIRED`` instead, so on the emulator a revocation ends ID tokens
  but not sessions that can still refresh.
- The emulator's own endpoints that take an ID token (``accounts:lookup``,
  ``accounts:update``) apply the same rule (``iat >= validSince``) and
  answer ``TOKEN_EXPIRED`` for older tokens.
- A password reset (and any password or email change) sets ``validSince``
  to the emulator's current second, revoking earlier ID tokens the same way;
  refresh tokens keep working there too.
- ``auth_time`` in emulator tokens is the account's latest sign-in
  (``lastLoginAt``), not the session's: refreshing an old session after any
  new sign-in carries the new time (production keeps the session's).
- Accounts created with a password get ``validSince`` = their creation
  second, so a token minted with an earlier ``iat`` is already "revoked":
  the user factory's ``valid_since`` backdates it when a test needs that.
"""

from __future__ import annotations

import time

import pytest
import requests

from aksio.adapters.firebase_auth_rest import FirebaseAuthRest
from aksio.adapters.firebase_identity import FirebaseIdentity
from aksio.ports.identity import InvalidToken
from tests.factories.users import TestUser, UserFactory, decode_claims
from tests.fixtures.auth_emulator import AuthEmulator

pytestmark = pytest.mark.emulator


@pytest.fixture
def identity(auth_emulator: AuthEmulator) -> FirebaseIdentity:
    return auth_emulator.identity()


@pytest.fixture
def rest(auth_emulator: AuthEmulator) -> FirebaseAuthRest:
    return auth_emulator.password_auth()


@pytest.fixture
def old_user(emulator_users: UserFactory) -> TestUser:
    """An account whose tokens from the last ten minutes are all valid."""
    return emulator_users.create(valid_since=int(time.time()) - 600)


def _valid_since(users: UserFactory, uid: str) -> int:
    record = users.lookup(uid)
    assert record is not None
    return int(record["validSince"])


def _revoked(identity: FirebaseIdentity, token: str) -> bool:
    try:
        identity.verify_id_token(token, check_revoked=True)
    except InvalidToken as exc:
        assert exc.reason == "revoked"
        return True
    return False


def test_revoke_sets_valid_since_to_now_in_whole_seconds(
    identity: FirebaseIdentity, emulator_users: UserFactory, old_user: TestUser
) -> None:
    before = int(time.time())
    identity.revoke_refresh_tokens(old_user.uid)
    after = int(time.time())
    assert before <= _valid_since(emulator_users, old_user.uid) <= after


def test_tokens_issued_before_the_revocation_second_are_revoked(
    identity: FirebaseIdentity, emulator_users: UserFactory, old_user: TestUser
) -> None:
    earlier = old_user.token(iat=int(time.time()) - 60)
    assert not _revoked(identity, earlier)

    identity.revoke_refresh_tokens(old_user.uid)
    since = _valid_since(emulator_users, old_user.uid)

    assert _revoked(identity, earlier)
    assert _revoked(identity, old_user.token_issued_at(since - 1))
    # Same second: Firebase compares whole seconds with `<`, so this survives.
    assert not _revoked(identity, old_user.token_issued_at(since))
    assert not _revoked(identity, old_user.token_issued_at(since + 1))
    # Without the check nothing is looked up, so nothing is revoked.
    assert identity.verify_id_token(earlier, check_revoked=False).uid == old_user.uid


def test_a_signed_in_token_follows_the_same_rule(
    identity: FirebaseIdentity, rest: FirebaseAuthRest, emulator_users: UserFactory
) -> None:
    """The real sequence: sign in, revoke. Whether the revocation lands in the
    sign-in's second is up to the clock; the outcome is fixed by the rule."""
    user = emulator_users.create()
    tokens = rest.sign_in(user.email, user.password)
    identity.revoke_refresh_tokens(user.uid)
    iat = int(decode_claims(tokens.id_token)["iat"])
    assert _revoked(identity, tokens.id_token) == (iat < _valid_since(emulator_users, user.uid))


def test_emulator_still_refreshes_with_a_refresh_token_issued_before_revocation(
    identity: FirebaseIdentity,
    rest: FirebaseAuthRest,
    emulator_users: UserFactory,
    old_user: TestUser,
) -> None:
    """Production answers TOKEN_EXPIRED here; the emulator does not. If this
    test fails after a firebase-tools upgrade, the emulator learnt to revoke
    refresh tokens: update the module docstring and the report."""
    emulator_users.set_valid_since(old_user.uid, int(time.time()) - 600)
    tokens = rest.sign_in(old_user.email, old_user.password)
    emulator_users.set_valid_since(old_user.uid, int(time.time()) + 5)  # revoked "from the future"
    assert _revoked(identity, tokens.id_token)

    refreshed = rest.refresh(tokens.refresh_token)

    assert refreshed.uid == old_user.uid
    new_iat = int(decode_claims(refreshed.id_token)["iat"])
    assert new_iat < _valid_since(emulator_users, old_user.uid)
    assert _revoked(identity, refreshed.id_token)  # only because validSince is ahead of now


def test_emulator_refresh_after_a_real_revocation_yields_a_valid_token(
    identity: FirebaseIdentity, rest: FirebaseAuthRest, emulator_users: UserFactory
) -> None:
    user = emulator_users.create(valid_since=int(time.time()) - 600)
    tokens = rest.sign_in(user.email, user.password)
    identity.revoke_refresh_tokens(user.uid)

    refreshed = rest.refresh(tokens.refresh_token)  # production: InvalidToken("token_expired")

    assert identity.verify_id_token(refreshed.id_token, check_revoked=True).uid == user.uid


def test_emulator_endpoints_reject_an_id_token_older_than_valid_since(
    auth_emulator: AuthEmulator, emulator_users: UserFactory, old_user: TestUser
) -> None:
    token = old_user.token(iat=int(time.time()) - 60)
    url = f"http://{auth_emulator.host}/identitytoolkit.googleapis.com/v1/accounts:lookup"

    def lookup() -> requests.Response:
        return requests.post(url, params={"key": "k"}, json={"idToken": token}, timeout=5)

    assert lookup().status_code == 200
    emulator_users.set_valid_since(old_user.uid, int(time.time()))
    answer = lookup()
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == "TOKEN_EXPIRED"


def test_password_reset_revokes_earlier_id_tokens_but_not_refresh_tokens(
    identity: FirebaseIdentity,
    rest: FirebaseAuthRest,
    auth_emulator: AuthEmulator,
    emulator_users: UserFactory,
    old_user: TestUser,
) -> None:
    earlier = old_user.token(iat=int(time.time()) - 60)
    refresh_token = rest.sign_in(old_user.email, old_user.password).refresh_token
    rest.send_password_reset(old_user.email)
    rest.confirm_password_reset(auth_emulator.password_reset_code(old_user.email), "new-pass-1")

    assert _revoked(identity, earlier)
    assert rest.refresh(refresh_token).uid == old_user.uid  # production: TOKEN_EXPIRED


def test_emulator_auth_time_is_the_users_latest_sign_in_not_the_sessions(
    identity: FirebaseIdentity,
    rest: FirebaseAuthRest,
    emulator_users: UserFactory,
    old_user: TestUser,
) -> None:
    """Production keeps a session's sign-in time in ``auth_time`` across
    refreshes. The emulator stamps every token with the account's
    ``lastLoginAt``: after any new sign-in, refreshing an *older* session
    yields the new sign-in's time. So ``auth_time >= tokens_valid_after``
    cannot tell a revoked session from a new one once the user signs in again."""
    session_a = rest.sign_in(old_user.email, old_user.password)
    # Pretend session A signed in ten minutes ago (admin-only field).
    ten_minutes_ago = int(time.time()) - 600
    emulator_users.update(old_user.uid, lastLoginAt=str(ten_minutes_ago * 1000))
    assert identity.verify_id_token(rest.refresh(session_a.refresh_token).id_token).auth_time == (
        ten_minutes_ago
    )

    identity.revoke_refresh_tokens(old_user.uid)  # logout
    assert identity.get_user(old_user.uid).tokens_valid_after > ten_minutes_ago
    session_b = rest.sign_in(old_user.email, old_user.password)  # signs in again
    b_auth_time = identity.verify_id_token(session_b.id_token).auth_time

    refreshed_a = identity.verify_id_token(rest.refresh(session_a.refresh_token).id_token)

    assert refreshed_a.auth_time == b_auth_time  # not ten_minutes_ago
    assert refreshed_a.auth_time >= identity.get_user(old_user.uid).tokens_valid_after
