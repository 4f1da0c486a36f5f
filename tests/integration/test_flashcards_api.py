"""Flashcards over HTTP: the ``assessments`` function loaded by
functions-framework, the SQLite store in a temporary folder, the real Auth
emulator. Every endpoint, its bad input, ownership, reviews and their exact
undo, suspension and the due queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from aksio.accounts import activity
from aksio.adapters.inprocess_tasks import InProcessTaskQueue
from aksio.assessments import paths, stats
from aksio.clock import FixedClock
from aksio.courses import repository as courses
from aksio.ids import new_id
from aksio.pagination import PageQuery
from tests.factories.courses import CourseCreateFactory
from tests.factories.flashcards import (
    FlashcardCreateFactory,
    SourceInFactory,
    cards_json,
    replace_json,
)
from tests.fixtures.app import Api
from tests.fixtures.students import CourseStudent, fields_of

pytestmark = pytest.mark.emulator
B = "/api/v1/assessments/flashcards"
START = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
CARD_FIELDS = {
    "id",
    "course_id",
    "section_id",
    "front",
    "back",
    "tags",
    "source",
    "state",
    "due",
    "suspended",
    "created_at",
}


class Student(CourseStudent):
    base = B

    def card(self, **overrides: Any) -> dict[str, Any]:
        """Create a card; ``overrides`` are JSON values sent as they are."""
        body = cards_json(1, course_id=self.course_id)[0] | overrides
        r = self.call("POST", "/", json=body)
        assert r.status_code == 201, r.json
        return dict(r.json)

    def review(self, card_id: str, rating: str = "good", **extra: Any) -> Any:
        return self.call(
            "POST", f"/{card_id}/review/", json={"rating": rating, "duration_ms": 2500, **extra}
        )

    def doc(self, card_id: str) -> dict[str, Any]:
        snap = self.api.services.documents.get(paths.flashcard(self.user.uid, card_id))
        assert snap is not None
        return dict(snap.data)

    def stats(self) -> dict[str, Any]:
        snap = self.api.services.documents.get(paths.stats(self.user.uid))
        return dict(snap.data) if snap else {}


@pytest.fixture
def clock(assessments_api: Api) -> FixedClock:
    fixed = FixedClock(START)
    assessments_api.services.clock = fixed
    return fixed


@pytest.fixture
def me(assessments_api: Api, clock: FixedClock) -> Student:
    return Student.create(assessments_api)


def nonzero(data: Any) -> Any:
    if isinstance(data, dict):
        kept = {k: nonzero(v) for k, v in data.items()}
        return {k: v for k, v in kept.items() if v not in (0, {})}
    return data


# ------------------------------------------------------------------ CRUD
def test_create_get_list_replace_delete(me: Student) -> None:
    section = me.section()
    source = SourceInFactory.build(document_id=me.document()).model_dump(mode="json")
    created = me.card(section_id=section, tags=[" Exam ", "exam", "Ch-1"], source=source)
    assert set(created) >= CARD_FIELDS
    assert created["tags"] == ["exam", "ch-1"] and created["source"] == source
    assert (created["state"], created["suspended"], created["section_id"]) == (
        "new",
        False,
        section,
    )
    assert created["due"] == created["created_at"] == "2025-03-01T08:00:00Z"
    assert me.call("GET", f"/{created['id']}/").json == created

    listed = me.call("GET", "/", query_string={"course_id": me.course_id}).json
    assert [c["id"] for c in listed["items"]] == [created["id"]] and listed["next_cursor"] is None

    body = replace_json(course_id=me.course_id)
    r = me.call("PUT", f"/{created['id']}/", json=body)
    assert r.status_code == 200, r.json
    assert (r.json["front"], r.json["back"], r.json["section_id"], r.json["source"]) == (
        body["front"],
        body["back"],
        None,
        None,
    )
    assert me.call("GET", f"/{created['id']}/").json == r.json

    assert me.call("DELETE", f"/{created['id']}/").status_code == 204
    assert me.call("GET", f"/{created['id']}/").status_code == 404
    assert me.call("DELETE", f"/{created['id']}/").status_code == 404
    assert sum(stats.card_counts(me.stats(), me.course_id).values()) == 0


def test_list_filters_and_pages(me: Student, clock: FixedClock) -> None:
    section = me.section()
    tagged = [me.card(tags=["exam"]) for _ in range(3)]
    clock.advance(minutes=1)
    in_section = [me.card(section_id=section, tags=[]) for _ in range(2)]
    reviewed = me.card(tags=[])
    assert me.review(reviewed["id"], "easy").status_code == 200

    def ids(**query: Any) -> list[str]:
        r = me.call("GET", "/", query_string=query)
        assert r.status_code == 200, r.json
        return [c["id"] for c in r.json["items"]]

    assert set(ids(tag="EXAM")) == {c["id"] for c in tagged}
    assert set(ids(section_id=section)) == {c["id"] for c in in_section}
    assert ids(state="review") == [reviewed["id"]]
    assert len(ids(state="new", course_id=me.course_id)) == 5
    first = me.call("GET", "/", query_string={"limit": 4}).json
    rest = me.call("GET", "/", query_string={"limit": 4, "cursor": first["next_cursor"]}).json
    assert len(first["items"]) == 4 and len(rest["items"]) == 2 and rest["next_cursor"] is None
    newest = {c["id"] for c in [*in_section, reviewed]}
    assert {c["id"] for c in first["items"][:3]} == newest  # newest first
    for bad in ({"state": "old"}, {"limit": 0}, {"limt": 5}, {"cursor": "nope"}):
        assert me.call("GET", "/", query_string=bad).status_code == 400, bad


def test_bulk_create_is_all_or_nothing(me: Student) -> None:
    section = me.section()
    r = me.call("POST", "/bulk/", json={"items": cards_json(5, course_id=me.course_id)})
    assert r.status_code == 201, r.json
    assert len(r.json["items"]) == 5 and all(set(c) >= CARD_FIELDS for c in r.json["items"])
    assert stats.card_counts(me.stats(), me.course_id)["new"] == 5

    items = cards_json(3, course_id=me.course_id)
    items[2]["front"] = "x" * 2001
    assert fields_of(me.call("POST", "/bulk/", json={"items": items})) == ["items.2.front"]
    items = cards_json(3, course_id=me.course_id, section_id=section)
    items[1]["section_id"] = new_id()
    assert me.call("POST", "/bulk/", json={"items": items}).status_code == 404
    too_many = cards_json(101, course_id=me.course_id)
    assert fields_of(me.call("POST", "/bulk/", json={"items": too_many})) == ["items"]
    assert fields_of(me.call("POST", "/bulk/", json={"items": []})) == ["items"]
    assert len(me.call("GET", "/").json["items"]) == 5  # nothing from the refused ones
    assert stats.card_counts(me.stats(), me.course_id)["new"] == 5


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"front": "x" * 2001}, "front"),
        ({"front": "   "}, "front"),
        ({"back": ""}, "back"),
        ({"tags": "exam"}, "tags"),
        ({"tags": ["t"] * 21}, "tags"),
        ({"difficulty": 3}, "difficulty"),
        ({"state": "review"}, "state"),
        ({"course_id": 12}, "course_id"),
        ({"source": {"document_id": "d", "passage": "p", "page": 0}}, "source.page"),
    ],
)
def test_create_rejects_bad_input(me: Student, override: dict[str, Any], field: str) -> None:
    body = cards_json(1, course_id=me.course_id)[0] | override
    assert field in fields_of(me.call("POST", "/", json=body))


def test_create_needs_a_live_course_and_its_own_section(assessments_api: Api, me: Student) -> None:
    other_course = courses.create_course(
        assessments_api.services.documents, me.user.uid, CourseCreateFactory.build(), START
    ).id
    foreign_section = me.section(other_course)
    them = Student.create(assessments_api)
    for body in (
        cards_json(1, course_id=new_id())[0],
        cards_json(1, course_id=them.course_id)[0],
        cards_json(1, course_id=me.course_id, section_id=foreign_section)[0],
    ):
        r = me.call("POST", "/", json=body)
        assert r.status_code == 404 and r.json["error"]["code"] == "not_found"


def test_a_citation_names_a_document_of_the_cards_course(assessments_api: Api, me: Student) -> None:
    """Found by the fuzzer: a source's document_id was stored unchecked, so a
    card could cite another user's document (or one that never existed)."""
    other_course = courses.create_course(
        assessments_api.services.documents, me.user.uid, CourseCreateFactory.build(), START
    ).id
    card = me.card()
    for document_id in (
        new_id(),
        me.document(other_course),
        Student.create(assessments_api).document(),
    ):
        source = SourceInFactory.build(document_id=document_id)
        body = cards_json(1, course_id=me.course_id)[0] | {"source": source.model_dump()}
        for method, path, sent in [
            ("POST", "/", body),
            ("POST", "/bulk/", {"items": [cards_json(1, course_id=me.course_id)[0], body]}),
            ("PUT", f"/{card['id']}/", replace_json(source=source)),
        ]:
            r = me.call(method, path, json=sent)
            assert r.status_code == 404, (method, path, r.json)
            assert r.json["error"] == {
                "code": "not_found",
                "message": "No such document.",
                "details": {"document_id": document_id},
            }
    assert me.call("GET", "/").json["items"] == [card]
    assert stats.card_counts(me.stats(), me.course_id)["new"] == 1
    own = SourceInFactory.build(document_id=me.document()).model_dump(mode="json")
    assert me.card(source=own)["source"] == own
    r = me.call("PUT", f"/{card['id']}/", json=replace_json() | {"source": own})
    assert r.status_code == 200 and r.json["source"] == own


def test_put_cannot_move_a_card_to_another_course(assessments_api: Api, me: Student) -> None:
    card = me.card()
    other = courses.create_course(
        assessments_api.services.documents, me.user.uid, CourseCreateFactory.build(), START
    ).id
    body = replace_json(course_id=other)
    assert fields_of(me.call("PUT", f"/{card['id']}/", json=body)) == ["course_id"]
    body = replace_json(section_id=me.section(other))
    assert me.call("PUT", f"/{card['id']}/", json=body).status_code == 404
    section = me.section()
    body = replace_json(section_id=section)
    assert me.call("PUT", f"/{card['id']}/", json=body).json["section_id"] == section
    body.pop("front")
    assert fields_of(me.call("PUT", f"/{card['id']}/", json=body)) == ["front"]
    # Found by the fuzzer: null was taken for "left out", though the document
    # says course_id is a string when sent.
    null = replace_json() | {"course_id": None}
    assert fields_of(me.call("PUT", f"/{card['id']}/", json=null)) == ["course_id"]


def test_a_filter_naming_a_course_not_mine_is_not_found(assessments_api: Api, me: Student) -> None:
    """OWASP API1 review: ids in query filters answer like ids anywhere else
    (they used to list nothing, 200)."""
    them = Student.create(assessments_api)
    them.card()
    theirs = {"course_id": them.course_id}
    for query in (
        {"course_id": new_id()},
        theirs,
        {"course_id": me.course_id, "section_id": them.section()},
    ):
        for path in ("/", "/due/"):
            if path == "/due/" and "section_id" in query:
                continue  # the due queue filters by course only
            r = me.call("GET", path, query_string=query)
            assert r.status_code == 404, (path, query, r.json)
            assert r.json["error"]["code"] == "not_found"
    section = me.section()
    mine = me.card(section_id=section)
    listed = me.call("GET", "/", query_string={"course_id": me.course_id, "section_id": section})
    assert [c["id"] for c in listed.json["items"]] == [mine["id"]]
    # a section alone cannot be located without its course: it filters as given
    assert me.call("GET", "/", query_string={"section_id": them.section()}).json["items"] == []
    assert them.call("GET", "/due/", query_string=theirs).status_code == 200


def test_another_users_card_is_not_found(assessments_api: Api, me: Student) -> None:
    theirs = Student.create(assessments_api).card()
    cid = theirs["id"]
    put = replace_json()
    for method, path, body in [
        ("GET", f"/{cid}/", None),
        ("PUT", f"/{cid}/", put),
        ("DELETE", f"/{cid}/", None),
        ("POST", f"/{cid}/review/", {"rating": "good"}),
        ("POST", f"/{cid}/undo-review/", None),
        ("POST", f"/{cid}/suspend/", None),
        ("POST", f"/{cid}/unsuspend/", None),
    ]:
        r = me.call(method, path, json=body)
        assert r.status_code == 404, (method, path, r.json)
        assert r.json["error"]["code"] == "not_found"
    assert me.call("GET", "/").json["items"] == []
    assert me.call("GET", "/due/").json["items"] == []


# A fixed never-issued id, not new_id(): xdist workers must collect the same test ids.
@pytest.mark.parametrize("card_id", ["01kay9v0qhx4qsp2m6e8t3zmzz", "x" * 200, "bad%20id", "a.b"])
def test_unknown_ids_are_not_found(me: Student, card_id: str) -> None:
    assert me.call("GET", f"/{card_id}/").status_code == 404
    assert me.review(card_id).status_code == 404


def test_requires_sign_in(assessments_api: Api) -> None:
    r = assessments_api.client.get(f"{B}/")
    assert r.status_code == 401
    assert (r.json or {})["error"]["code"] == "unauthenticated"


# ------------------------------------------------------------------ reviews
def test_review_returns_card_retrievability_and_next_due(me: Student, clock: FixedClock) -> None:
    card = me.card()
    r = me.review(card["id"], "good")
    assert r.status_code == 200, r.json
    assert set(r.json) == {"card", "retrievability", "next_due"}
    assert r.json["retrievability"] == 0.0  # a new card has no memory yet
    assert r.json["card"]["due"] == r.json["next_due"] > card["due"]
    assert r.json["card"]["state"] == "learning" and r.json["card"]["review_count"] == 1
    clock.at = datetime.fromisoformat(r.json["next_due"]) + timedelta(hours=1)
    again = me.review(card["id"], "good").json
    assert 0 < again["retrievability"] < 1
    log = me.api.services.documents.get(paths.review(me.user.uid, card["id"], 2))
    assert log is not None
    assert (log.data["rating"], log.data["duration_ms"], log.data["seq"]) == ("good", 2500, 2)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": "perfect"}, "rating"),
        ({"rating": 4}, "rating"),
        ({}, "rating"),
        ({"rating": "good", "duration_ms": -5}, "duration_ms"),
        ({"rating": "good", "duration_ms": "5"}, "duration_ms"),
        ({"rating": "good", "duration_ms": 1.5}, "duration_ms"),
        ({"rating": "good", "extra": True}, "extra"),
    ],
)
def test_review_rejects_bad_input(me: Student, body: dict[str, Any], field: str) -> None:
    card = me.card()
    assert field in fields_of(me.call("POST", f"/{card['id']}/review/", json=body))
    assert me.doc(card["id"])["review_count"] == 0


def test_review_then_undo_restores_the_stored_card_and_stats(
    me: Student, clock: FixedClock
) -> None:
    card = me.card(section_id=me.section())
    for rating in ("good", "good", "good"):
        clock.at = me.doc(card["id"])["due"] + timedelta(days=2)
        assert me.review(card["id"], rating).status_code == 200
    assert me.doc(card["id"])["state"] == "review"
    clock.advance(days=10)
    before_doc, before_stats = me.doc(card["id"]), me.stats()
    lapsed = me.review(card["id"], "again").json["card"]
    assert (lapsed["state"], lapsed["lapses"]) == ("relearning", 1)

    r = me.call("POST", f"/{card['id']}/undo-review/")
    assert r.status_code == 200, r.json
    after_doc = me.doc(card["id"])
    for name in set(before_doc) | set(after_doc):
        assert after_doc.get(name) == before_doc.get(name), name
    assert nonzero(me.stats()) == nonzero(before_stats)
    assert r.json == me.call("GET", f"/{card['id']}/").json


def test_the_first_review_of_each_day_counts_for_the_streak(me: Student, clock: FixedClock) -> None:
    store, uid = me.api.services.documents, me.user.uid
    cards = [me.card()["id"] for _ in range(3)]

    def logged() -> list[tuple[str, str | None]]:
        items = activity.list_activity(store, uid, PageQuery(limit=10)).items
        return [(a.kind, a.course_id) for a in items]

    for card in cards:
        assert me.review(card).status_code == 200
    assert logged() == [("review", me.course_id)]  # one a day, not one a card
    assert activity.get_streak(store, uid, clock.now()).today_done

    clock.advance(days=1)
    assert me.review(cards[0]).status_code == 200
    assert me.review(cards[1]).status_code == 200
    assert logged() == [("review", me.course_id)] * 2
    streak = activity.get_streak(store, uid, clock.now())
    assert (streak.current, streak.longest, streak.today_done) == (2, 2, True)


def test_undo_without_a_review_is_a_conflict(me: Student) -> None:
    card = me.card()
    r = me.call("POST", f"/{card['id']}/undo-review/")
    assert r.status_code == 409 and r.json["error"]["code"] == "conflict"
    assert me.review(card["id"]).status_code == 200
    assert me.call("POST", f"/{card['id']}/undo-review/").status_code == 200
    assert me.call("POST", f"/{card['id']}/undo-review/").status_code == 409


def test_suspend_and_unsuspend(me: Student, clock: FixedClock) -> None:
    card = me.card()
    for _ in range(2):  # idempotent
        r = me.call("POST", f"/{card['id']}/suspend/")
        assert r.status_code == 200 and r.json["suspended"] is True
    assert nonzero(me.stats()["cards"][me.course_id]) == {"suspended": 1}
    r = me.review(card["id"])
    assert r.status_code == 409 and r.json["error"]["code"] == "conflict"
    assert me.call("GET", "/due/").json["items"] == []
    assert (
        me.call("GET", "/", query_string={"suspended": "true"}).json["items"][0]["id"]
        == (card["id"])
    )
    for _ in range(2):
        r = me.call("POST", f"/{card['id']}/unsuspend/")
        assert r.status_code == 200 and r.json["suspended"] is False
    assert nonzero(me.stats()["cards"][me.course_id]) == {"new": 1}
    assert [c["id"] for c in me.call("GET", "/due/").json["items"]] == [card["id"]]


# ------------------------------------------------------------------ due queue
def test_due_queue_most_overdue_first_with_counts(
    assessments_api: Api, me: Student, clock: FixedClock
) -> None:
    other = courses.create_course(
        assessments_api.services.documents, me.user.uid, CourseCreateFactory.build(), START
    ).id
    cards = [me.card() for _ in range(3)] + [me.card(course_id=other) for _ in range(2)]
    for i, card in enumerate(reversed(cards)):  # the last created is the most overdue
        clock.at = START + timedelta(hours=i)
        me.review(card["id"], "again")
    clock.at = START + timedelta(days=1)
    fresh = me.card()  # new: due now
    suspended = me.card()
    me.call("POST", f"/{suspended['id']}/suspend/")

    due = me.call("GET", "/due/").json
    assert set(due) == {"items", "counts"}
    assert [c["id"] for c in due["items"]] == [
        *(c["id"] for c in reversed(cards)),
        fresh["id"],
    ]
    assert due["counts"] == {"new": 1, "learning": 5, "review": 0}
    two = me.call("GET", "/due/", query_string={"limit": 2}).json
    assert [c["id"] for c in two["items"]] == [cards[4]["id"], cards[3]["id"]]
    mine = me.call("GET", "/due/", query_string={"course_id": me.course_id}).json
    assert [c["id"] for c in mine["items"]] == [
        cards[2]["id"],
        cards[1]["id"],
        cards[0]["id"],
        fresh["id"],
    ]
    assert mine["counts"] == {"new": 1, "learning": 3, "review": 0}
    for bad in ({"limit": 101}, {"limit": 0}, {"course": "x"}, {"course_id": "a/b"}):
        assert me.call("GET", "/due/", query_string=bad).status_code == 400, bad


def test_delete_removes_review_log(me: Student) -> None:
    card = me.card()
    for rating in ("again", "good"):
        me.review(card["id"], rating)
    store = me.api.services.documents
    assert store.get(paths.review(me.user.uid, card["id"], 2)) is not None
    assert me.call("DELETE", f"/{card['id']}/").status_code == 204
    assert store.get(paths.review(me.user.uid, card["id"], 1)) is None
    assert store.get(paths.review(me.user.uid, card["id"], 2)) is None


def test_fronts_made_by_the_factory_are_valid(me: Student) -> None:
    # the factory builds bodies the API accepts, with the tags it normalises
    body = FlashcardCreateFactory.build(course_id=me.course_id)
    r = me.call("POST", "/", json=body.model_dump(mode="json"))
    assert r.status_code == 201 and r.json["tags"] == body.tags


def test_review_at_the_fit_milestone_queues_a_parameter_fit(
    assessments_api: Api, me: Student
) -> None:
    from aksio.assessments.personalization import fit_task
    from aksio.ports.tasks import TaskAlreadyExists

    s = assessments_api.services
    s.settings = s.settings.model_copy(
        update={"fsrs_min_reviews_to_fit": 3, "fsrs_refit_every": 100}
    )
    card = me.card()
    for _ in range(3):
        assert me.review(card["id"], "again").status_code == 200
    # the third review queued this user's fit for that milestone: queuing it again is refused
    with pytest.raises(TaskAlreadyExists):
        s.tasks.enqueue(fit_task(me.user.uid, 3))
    s.tasks.enqueue(fit_task(me.user.uid, 2))  # no review queued one at 2
    queue = s.tasks
    assert isinstance(queue, InProcessTaskQueue)
    queue.drain()  # let the queued fits finish before the store closes
