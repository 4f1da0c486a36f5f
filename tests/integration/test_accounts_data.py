"""Profile, activity, streak, feedback, export and deletion over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from aksio.accounts import paths
from aksio.clock import FixedClock
from aksio.composition import Services, set_services
from tests.factories.accounts import ActivityFactory, FeedbackFactory, ProfileUpdateFactory, body
from tests.factories.users import TestUser
from tests.fixtures.app import Api

pytestmark = pytest.mark.emulator
B = "/api/v1/accounts"


@pytest.fixture
def user(accounts_api: Api) -> TestUser:
    return accounts_api.user()


def call(api: Api, user: TestUser, method: str, path: str, **kwargs: Any) -> Any:
    return api.client.open(f"{B}{path}", method=method, headers=api.bearer(user), **kwargs)


# ------------------------------------------------------------------ profile
def test_first_call_creates_a_profile_with_defaults(accounts_api: Api, user: TestUser) -> None:
    r = call(accounts_api, user, "GET", "/profile/")
    assert r.status_code == 200
    assert r.json["uid"] == user.uid
    assert r.json["email"] == user.email
    assert (r.json["timezone"], r.json["desired_retention"], r.json["plan"]) == ("UTC", 0.9, "free")


def test_put_changes_only_the_fields_given(accounts_api: Api, user: TestUser) -> None:
    change = body(ProfileUpdateFactory)
    r = call(accounts_api, user, "PUT", "/profile/", json=change)
    assert r.status_code == 200
    assert {k: r.json[k] for k in change} == change
    partial = call(accounts_api, user, "PATCH", "/profile/", json={"program": None})
    assert partial.json["program"] is None
    assert partial.json["timezone"] == change["timezone"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timezone": "Mars/Base"}, "timezone"),
        ({"desired_retention": 0.99}, "desired_retention"),
        ({"desired_retention": "high"}, "desired_retention"),
        ({"daily_goal_minutes": -5}, "daily_goal_minutes"),
        ({"locale": "english!"}, "locale"),
        ({"study_goals": "not a list"}, "study_goals"),
        ({"plan": "pro"}, "plan"),
        ({"uid": "someone-else"}, "uid"),
    ],
)
def test_bad_profile_values_are_400_and_change_nothing(
    accounts_api: Api, user: TestUser, change: dict[str, Any], field: str
) -> None:
    before = call(accounts_api, user, "GET", "/profile/").json
    r = call(accounts_api, user, "PUT", "/profile/", json={"display_name": "Changed", **change})
    assert r.status_code == 400
    assert field in {d["field"] for d in r.json["error"]["details"]}
    assert call(accounts_api, user, "GET", "/profile/").json == before


def test_profile_body_problems(accounts_api: Api, user: TestUser) -> None:
    malformed = call(
        accounts_api, user, "PUT", "/profile/", data="{", content_type="application/json"
    )
    assert malformed.status_code == 400
    form = call(accounts_api, user, "PUT", "/profile/", data="a=b", content_type="text/plain")
    assert form.status_code == 415
    huge = call(accounts_api, user, "PUT", "/profile/", json={"program": "x" * 2_000_000})
    assert huge.status_code == 413
    assert call(accounts_api, user, "POST", "/profile/").status_code == 405


def test_profile_without_token_is_a_401(accounts_api: Api) -> None:
    assert accounts_api.client.get(f"{B}/profile/").status_code == 401


# ------------------------------------------------------------------ activity
def test_activity_is_listed_newest_first_across_pages(accounts_api: Api, user: TestUser) -> None:
    now = datetime.now(UTC)
    created = []
    for hours_ago in (5, 1, 3, 4, 2):
        at = (now - timedelta(hours=hours_ago)).isoformat()
        r = call(
            accounts_api, user, "POST", "/activity/", json=body(ActivityFactory, occurred_at=at)
        )
        assert r.status_code == 201
        created.append(r.json)
    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = call(accounts_api, user, "GET", "/activity/list/", query_string=query).json
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    expected = sorted(created, key=lambda a: a["occurred_at"], reverse=True)
    assert [a["id"] for a in seen] == [a["id"] for a in expected]


def test_activity_list_does_not_show_other_users(accounts_api: Api, user: TestUser) -> None:
    other = accounts_api.user()
    call(accounts_api, other, "POST", "/activity/", json=body(ActivityFactory))
    assert call(accounts_api, user, "GET", "/activity/list/").json["items"] == []


def test_another_users_cursor_is_refused(accounts_api: Api, user: TestUser) -> None:
    other = accounts_api.user()
    for _ in range(2):
        call(accounts_api, other, "POST", "/activity/", json=body(ActivityFactory))
    cursor = call(accounts_api, other, "GET", "/activity/list/?limit=1").json["next_cursor"]
    r = call(accounts_api, user, "GET", "/activity/list/", query_string={"cursor": cursor})
    assert r.status_code == 400


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "sleeping"},
        {"minutes": -1},
        {"minutes": 100_000},
        {"occurred_at": "yesterday"},
        {"occurred_at": "2026-01-01T10:00:00"},  # no time zone
        {"course_id": "../../etc"},
    ],
)
def test_bad_activity_is_400(accounts_api: Api, user: TestUser, change: dict[str, Any]) -> None:
    r = call(accounts_api, user, "POST", "/activity/", json={**body(ActivityFactory), **change})
    assert r.status_code == 400


def test_future_activity_is_400(accounts_api: Api, user: TestUser) -> None:
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    r = call(
        accounts_api, user, "POST", "/activity/", json=body(ActivityFactory, occurred_at=future)
    )
    assert r.status_code == 400
    assert r.json["error"]["details"][0]["field"] == "occurred_at"


@pytest.mark.parametrize("bad", ["limit=0", "limit=1000", "limit=abc", "cursor=%%%"])
def test_bad_list_parameters_are_400(accounts_api: Api, user: TestUser, bad: str) -> None:
    assert call(accounts_api, user, "GET", f"/activity/list/?{bad}").status_code == 400


# ------------------------------------------------------------------ streak
def test_streak_counts_days_in_the_users_time_zone(accounts_api: Api, user: TestUser) -> None:
    # 23:30 UTC on March 1st is already March 2nd in Oslo.
    clock = FixedClock(datetime(2026, 3, 3, 12, 0, tzinfo=UTC))
    accounts_api.services.clock = clock
    call(accounts_api, user, "PUT", "/profile/", json={"timezone": "Europe/Oslo"})
    for at in ("2026-03-01T10:00:00Z", "2026-03-01T23:30:00Z", "2026-03-03T08:00:00Z"):
        r = call(
            accounts_api, user, "POST", "/activity/", json=body(ActivityFactory, occurred_at=at)
        )
        assert r.status_code == 201
    streak = call(accounts_api, user, "GET", "/streak/").json
    assert streak == {
        "current": 3,
        "longest": 3,
        "today_done": True,
        "last_active_date": "2026-03-03",
    }
    clock.advance(days=2)
    assert call(accounts_api, user, "GET", "/streak/").json["current"] == 0


def test_backfilled_activity_joins_the_streak(accounts_api: Api, user: TestUser) -> None:
    accounts_api.services.clock = FixedClock(datetime(2026, 5, 10, 12, 0, tzinfo=UTC))
    for at in ("2026-05-10T09:00:00Z", "2026-05-08T09:00:00Z", "2026-05-09T09:00:00Z"):
        call(accounts_api, user, "POST", "/activity/", json=body(ActivityFactory, occurred_at=at))
    streak = call(accounts_api, user, "GET", "/streak/").json
    assert (streak["current"], streak["longest"]) == (3, 3)


def test_new_user_has_no_streak(accounts_api: Api, user: TestUser) -> None:
    streak = call(accounts_api, user, "GET", "/streak/").json
    assert streak == {"current": 0, "longest": 0, "today_done": False, "last_active_date": None}


# ------------------------------------------------------------------ feedback
def test_feedback_is_stored_under_the_user(accounts_api: Api, user: TestUser) -> None:
    payload = body(FeedbackFactory)
    r = call(accounts_api, user, "POST", "/feedback/", json=payload)
    assert r.status_code == 201
    stored = accounts_api.services.documents.get(f"{paths.feedback(user.uid)}/{r.json['id']}")
    assert stored is not None
    assert stored.data["message"] == payload["message"]


@pytest.mark.parametrize(
    "change", [{"message": ""}, {"rating": 6}, {"rating": 0}, {"context": {"x": "y" * 5000}}]
)
def test_bad_feedback_is_400(accounts_api: Api, user: TestUser, change: dict[str, Any]) -> None:
    r = call(accounts_api, user, "POST", "/feedback/", json={**body(FeedbackFactory), **change})
    assert r.status_code == 400


# ------------------------------------------------------------------ export and deletion
def _fill(api: Api, user: TestUser) -> None:
    call(api, user, "PUT", "/profile/", json=body(ProfileUpdateFactory))
    call(api, user, "POST", "/activity/", json=body(ActivityFactory))
    call(api, user, "POST", "/feedback/", json=body(FeedbackFactory))
    api.services.blobs.put(f"{paths.files_prefix(user.uid)}courses/c1/notes.txt", b"my notes")


def test_export_holds_everything_of_the_user(accounts_api: Api, user: TestUser) -> None:
    _fill(accounts_api, user)
    other = accounts_api.user()
    _fill(accounts_api, other)
    export = call(accounts_api, user, "GET", "/export/").json
    assert export["profile"]["uid"] == user.uid
    collections = {p.split("/")[0] for p in export["documents"]}
    assert {"activity", "activity_days", "feedback", "stats"} <= collections
    assert [f["name"] for f in export["files"]] == [f"users/{user.uid}/courses/c1/notes.txt"]
    assert other.uid not in str(export)


def test_delete_account_removes_user_documents_and_files(accounts_api: Api, user: TestUser) -> None:
    _fill(accounts_api, user)
    other = accounts_api.user()
    _fill(accounts_api, other)
    store, blobs = accounts_api.services.documents, accounts_api.services.blobs
    assert call(accounts_api, user, "DELETE", "/profile/").status_code == 204
    assert store.get(paths.user(user.uid)) is None
    assert list(store.list_tree(paths.user(user.uid))) == []
    assert list(blobs.list(paths.files_prefix(user.uid))) == []
    assert accounts_api.users.lookup(user.uid) is None
    assert call(accounts_api, user, "GET", "/profile/").status_code == 401
    # the other user is untouched
    assert len(list(store.list_tree(paths.user(other.uid)))) >= 4
    assert len(list(blobs.list(paths.files_prefix(other.uid)))) == 1


# ------------------------------------------------------------------ health and docs
def test_health_reports_each_dependency(accounts_api: Api) -> None:
    r = accounts_api.client.get("/api/health/")
    assert r.status_code == 200
    assert r.json["status"] == "ok"
    assert r.json["dependencies"] == {"documents": "ok", "blobs": "ok", "identity": "ok"}


def test_health_is_503_when_a_dependency_fails(accounts_api: Api) -> None:
    s = accounts_api.services
    set_services(Services(s.settings, documents=_Broken(), blobs=s.blobs, identity=s.identity))
    r = accounts_api.client.get("/api/health")
    assert r.status_code == 503
    assert r.json["status"] == "degraded"
    assert r.json["dependencies"]["documents"].startswith("error:")


class _Broken:
    def ping(self) -> None:
        raise ConnectionError("store unreachable")

    def close(self) -> None:
        pass


def test_openapi_is_served(accounts_api: Api) -> None:
    r = accounts_api.client.get("/api/openapi.json")
    assert r.status_code == 200
    assert r.json["openapi"] == "3.1.0"
    assert "/api/v1/accounts/register/" in r.json["paths"]


def test_unknown_query_parameters_are_400(accounts_api: Api, user: TestUser) -> None:
    # found by the fuzzer: ?=null was silently ignored although the document forbids it
    r = call(accounts_api, user, "GET", "/activity/list/?limt=5")
    assert r.status_code == 400
    assert r.json["error"]["details"][0]["field"] == "limt"
