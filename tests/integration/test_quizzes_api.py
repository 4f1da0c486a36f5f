"""Quizzes over HTTP: the ``assessments`` function loaded by
functions-framework, the SQLite store in a temporary folder, the real Auth
emulator. Every endpoint, its bad input, hidden and revealed keys, attempts
and the weakness counters they raise."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from aksio.accounts import activity
from aksio.assessments import paths, stats
from aksio.assessments.quizzes import repository
from aksio.courses import repository as courses
from aksio.ids import new_id
from aksio.pagination import PageQuery
from aksio.tasks.stuck import STUCK_ERROR, stuck_after
from tests.factories.courses import CourseCreateFactory
from tests.factories.quizzes import (
    MultipleChoiceFactory,
    ShortAnswerFactory,
    SingleChoiceFactory,
    TrueFalseFactory,
    question_body,
    quiz_body,
)
from tests.fixtures.app import Api
from tests.fixtures.students import CourseStudent, fields_of

pytestmark = pytest.mark.emulator
B = "/api/v1/assessments/quizzes"


class Student(CourseStudent):
    base = B

    def quiz(self, **overrides: Any) -> dict[str, Any]:
        r = self.call("POST", "/", json=quiz_body(self.course_id, **overrides))
        assert r.status_code == 201, r.json
        return dict(r.json)


@pytest.fixture
def me(assessments_api: Api) -> Student:
    return Student.create(assessments_api)


# ------------------------------------------------------------------ CRUD
def test_create_then_get_hides_keys_and_explanations(me: Student) -> None:
    created = me.quiz()
    assert created["status"] == "ready" and created["error"] is None and created["warnings"] == []
    assert created["question_count"] == 4 and created["course_id"] == me.course_id
    # the author gets back the key just sent
    assert all("answer" in q and q["explanation"] for q in created["questions"])

    r = me.call("GET", f"/{created['id']}/")
    assert r.status_code == 200
    for q in r.json["questions"]:
        assert set(q) == {"id", "kind", "prompt", "options", "explanation", "source", "section_id"}
        assert q["explanation"] is None
    assert [q["id"] for q in r.json["questions"]] == [q["id"] for q in created["questions"]]
    assert [q["kind"] for q in r.json["questions"]] == [
        "single_choice",
        "multiple_choice",
        "true_false",
        "short_answer",
    ]

    revealed = me.call("GET", f"/{created['id']}/?reveal=true").json
    assert revealed["questions"] == created["questions"]
    assert {"answer", "accepted_answers", "tolerance"} <= set(revealed["questions"][0])
    assert me.call("GET", f"/{created['id']}/?reveal=maybe").status_code == 400
    assert me.call("GET", f"/{created['id']}/?show=1").status_code == 400


def test_list_filters_by_course_and_pages_newest_first(me: Student) -> None:
    s = me.api.services
    other = courses.create_course(
        s.documents, me.user.uid, CourseCreateFactory.build(), s.clock.now()
    ).id
    mine = [me.quiz()["id"] for _ in range(3)]
    r = me.call("POST", "/", json=quiz_body(other))
    assert r.status_code == 201
    page = me.call("GET", f"/?course_id={me.course_id}&limit=2").json
    assert [q["id"] for q in page["items"]] == mine[::-1][:2]
    rest = me.call("GET", f"/?course_id={me.course_id}&limit=2&cursor={page['next_cursor']}").json
    assert [q["id"] for q in rest["items"]] == mine[:1] and rest["next_cursor"] is None
    assert all(q["explanation"] is None for item in page["items"] for q in item["questions"])
    assert len(me.call("GET", "/").json["items"]) == 4
    assert me.call("GET", "/?limit=0").status_code == 400
    assert me.call("GET", "/?cursor=garbage").status_code == 400


def test_put_replaces_and_keeps_question_ids_sent(me: Student) -> None:
    created = me.quiz()
    kept = created["questions"][0]
    sid = me.section()
    new_q = question_body(ShortAnswerFactory, answer="7")
    body = {
        "course_id": me.course_id,
        "title": "Edited",
        "section_id": sid,
        "questions": [{**kept, "prompt": "Reworded?"}, new_q],
    }
    r = me.call("PUT", f"/{created['id']}/", json=body)
    assert r.status_code == 200, r.json
    assert r.json["title"] == "Edited" and r.json["section_id"] == sid
    assert r.json["question_count"] == 2
    assert r.json["questions"][0]["id"] == kept["id"]
    assert r.json["questions"][0]["prompt"] == "Reworded?"
    assert r.json["questions"][1]["id"] not in {q["id"] for q in created["questions"]}

    unknown = {**body, "questions": [{**new_q, "id": "not-in-this-quiz"}]}
    assert fields_of(me.call("PUT", f"/{created['id']}/", json=unknown)) == ["questions.0.id"]
    # Found by the fuzzer: null was taken for "left out", though the document
    # says these are strings when sent.
    null_course = {**body, "course_id": None}
    assert fields_of(me.call("PUT", f"/{created['id']}/", json=null_course)) == ["course_id"]
    null_id = {**body, "questions": [{**new_q, "id": None}]}
    assert fields_of(me.call("PUT", f"/{created['id']}/", json=null_id)) == ["questions.0.id"]
    s = me.api.services
    other = courses.create_course(
        s.documents, me.user.uid, CourseCreateFactory.build(), s.clock.now()
    ).id
    assert fields_of(me.call("PUT", f"/{created['id']}/", json={**body, "course_id": other})) == [
        "course_id"
    ]
    assert me.call("PUT", f"/{created['id']}/", json={**body, "status": "ready"}).status_code == 400


def test_put_on_a_quiz_being_generated_is_a_conflict(me: Student) -> None:
    s = me.api.services
    pending = repository.create_pending_quiz(
        s.documents,
        me.user.uid,
        course_id=me.course_id,
        title="g",
        section_id=None,
        now=s.clock.now(),
    )
    body = {"title": "t", "questions": [question_body(TrueFalseFactory)]}
    r = me.call("PUT", f"/{pending.id}/", json=body)
    assert r.status_code == 409 and r.json["error"]["code"] == "conflict"
    assert me.call("GET", f"/{pending.id}/").json["status"] == "queued"


def test_a_quiz_whose_generation_died_shows_failed_and_can_be_written(me: Student) -> None:
    s = me.api.services
    long_ago = s.clock.now() - stuck_after(s.settings) - timedelta(minutes=1)
    stuck = repository.create_pending_quiz(
        s.documents, me.user.uid, course_id=me.course_id, title="g", section_id=None, now=long_ago
    )
    got = me.call("GET", f"/{stuck.id}/").json
    assert (got["status"], got["error"]) == ("failed", STUCK_ERROR)
    listed = {q["id"]: q for q in me.call("GET", "/").json["items"]}
    assert listed[stuck.id]["status"] == "failed"
    body = {"title": "t", "questions": [question_body(TrueFalseFactory)]}
    r = me.call("PUT", f"/{stuck.id}/", json=body)
    assert r.status_code == 200 and r.json["status"] == "ready", r.json


def test_delete_removes_the_quiz_and_its_attempts(me: Student) -> None:
    created = me.quiz()
    attempt = me.call("POST", f"/{created['id']}/attempt/", json={"answers": []}).json
    r = me.call("DELETE", f"/{created['id']}/")
    assert r.status_code == 204 and not r.data
    assert me.call("GET", f"/{created['id']}/").status_code == 404
    assert me.call("DELETE", f"/{created['id']}/").status_code == 404
    store = me.api.services.documents
    assert store.get(paths.attempt(me.user.uid, created["id"], attempt["id"])) is None


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"extra": 1}, "extra"),
        ({"title": ""}, "title"),
        ({"questions": []}, "questions"),
        ({"course_id": "a/b"}, "course_id"),
    ],
)
def test_bad_quiz_bodies(me: Student, change: dict[str, Any], field: str) -> None:
    assert field in fields_of(me.call("POST", "/", json=quiz_body(me.course_id) | change))


@pytest.mark.parametrize(
    ("question", "field"),
    [
        (question_body(SingleChoiceFactory) | {"answer": "not an option"}, "questions.0"),
        (question_body(SingleChoiceFactory) | {"correct": "x"}, "questions.0.correct"),
        (question_body(MultipleChoiceFactory) | {"answer": "one string"}, "questions.0"),
        (question_body(MultipleChoiceFactory) | {"options": ["only one"]}, "questions.0"),
        (question_body(TrueFalseFactory) | {"answer": 1}, "questions.0.answer"),
        (question_body(ShortAnswerFactory) | {"answer": 46}, "questions.0.answer"),
        (question_body(ShortAnswerFactory) | {"tolerance": "big"}, "questions.0.tolerance"),
        (question_body(ShortAnswerFactory) | {"explanation": ""}, "questions.0.explanation"),
        (question_body(ShortAnswerFactory) | {"kind": "essay"}, "questions.0.kind"),
        (
            question_body(ShortAnswerFactory) | {"source": {"document_id": "d", "passage": ""}},
            "questions.0.source.passage",
        ),
    ],
)
def test_bad_questions(me: Student, question: dict[str, Any], field: str) -> None:
    fields = fields_of(
        me.call("POST", "/", json=quiz_body(me.course_id) | {"questions": [question]})
    )
    assert field in fields, fields


def test_too_many_questions(me: Student) -> None:
    questions = [question_body(TrueFalseFactory) for _ in range(101)]
    assert fields_of(
        me.call("POST", "/", json=quiz_body(me.course_id) | {"questions": questions})
    ) == ["questions"]


def test_a_cited_question_keeps_its_source(me: Student) -> None:
    source = {"document_id": me.document(), "page": 3, "passage": "Osmosis moves water."}
    q = question_body(TrueFalseFactory) | {"source": source}
    r = me.call("POST", "/", json=quiz_body(me.course_id) | {"questions": [q]})
    assert r.status_code == 201
    got = me.call("GET", f"/{r.json['id']}/").json
    assert got["questions"][0]["source"] == source


def test_a_citation_names_a_document_of_the_quizs_course(assessments_api: Api, me: Student) -> None:
    """Found by the fuzzer: a question's source was stored unchecked, so a
    quiz could cite another user's document (or one that never existed)."""
    other_course = courses.create_course(
        assessments_api.services.documents,
        me.user.uid,
        CourseCreateFactory.build(),
        assessments_api.services.clock.now(),
    ).id
    quiz = me.quiz()
    for document_id in (
        new_id(),
        me.document(other_course),
        Student.create(assessments_api).document(),
    ):
        source = {"document_id": document_id, "passage": "Osmosis moves water."}
        questions = [
            question_body(TrueFalseFactory),
            question_body(TrueFalseFactory) | {"source": source},
        ]
        for method, path in [("POST", "/"), ("PUT", f"/{quiz['id']}/")]:
            r = me.call(method, path, json=quiz_body(me.course_id, questions=questions))
            assert r.status_code == 404, (method, path, r.json)
            assert r.json["error"]["details"] == {"document_id": document_id}
    assert [q["id"] for q in me.call("GET", "/").json["items"]] == [quiz["id"]]
    source = {"document_id": me.document(), "page": 2, "passage": "Osmosis moves water."}
    questions = [question_body(TrueFalseFactory) | {"source": source}]
    r = me.call("PUT", f"/{quiz['id']}/", json=quiz_body(me.course_id, questions=questions))
    assert r.status_code == 200 and r.json["questions"][0]["source"] == source


def test_foreign_and_missing_ids_are_404(assessments_api: Api, me: Student) -> None:
    theirs = Student.create(assessments_api)
    their_quiz = theirs.quiz()
    calls: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", f"/{their_quiz['id']}/", None),
        (
            "PUT",
            f"/{their_quiz['id']}/",
            {"title": "t", "questions": [question_body(TrueFalseFactory)]},
        ),
        ("DELETE", f"/{their_quiz['id']}/", None),
        ("POST", f"/{their_quiz['id']}/attempt/", {"answers": []}),
        ("GET", f"/{their_quiz['id']}/attempts/", None),
        ("GET", f"/{their_quiz['id']}/attempts/abc/", None),
        ("GET", "/nope-nope/", None),
        ("GET", "/bad%20id/", None),
    ]
    for method, path, body in calls:
        r = me.call(method, path, json=body)
        assert r.status_code == 404, (method, path, r.json)
        assert r.json["error"]["code"] == "not_found"
    # their course is not mine either, nor their section
    assert me.call("POST", "/", json=quiz_body(theirs.course_id)).status_code == 404
    r = me.call("POST", "/", json=quiz_body(me.course_id, section_id=theirs.section()))
    assert r.status_code == 404
    # OWASP API1 review: a filter naming their course is 404 too (it listed nothing)
    assert me.call("GET", f"/?course_id={theirs.course_id}").status_code == 404
    assert me.call("GET", f"/?course_id={new_id()}").status_code == 404
    assert theirs.call("GET", f"/?course_id={theirs.course_id}").status_code == 200
    assert theirs.call("GET", f"/{their_quiz['id']}/").status_code == 200


def test_requires_a_token(me: Student) -> None:
    r = me.api.client.get(f"{B}/")
    assert r.status_code == 401


# ------------------------------------------------------------------ attempts
def test_attempt_grades_reveals_and_raises_weakness(me: Student) -> None:
    s1, s2 = me.section(), me.section()
    questions = [
        question_body(SingleChoiceFactory, section_id=s1),
        question_body(MultipleChoiceFactory, section_id=s1),
        question_body(TrueFalseFactory, section_id=s2),
        question_body(ShortAnswerFactory, section_id=s2, answer="3.5", prompt="x?")
        | {"tolerance": 0.1},
    ]
    created = me.quiz(questions=questions)
    ids = [q["id"] for q in created["questions"]]
    answers = [
        {"question_id": ids[0], "answer": created["questions"][0]["answer"].upper()},  # right
        {"question_id": ids[1], "answer": []},  # wrong
        {"question_id": ids[2], "answer": not created["questions"][2]["answer"]},  # wrong
        {"question_id": ids[3], "answer": "3,45"},  # right, within tolerance
    ]
    r = me.call("POST", f"/{created['id']}/attempt/", json={"answers": answers})
    assert r.status_code == 201, r.json
    attempt = r.json
    assert set(attempt) == {
        "id",
        "quiz_id",
        "score",
        "correct_count",
        "total",
        "results",
        "created_at",
    }
    assert (attempt["score"], attempt["correct_count"], attempt["total"]) == (0.5, 2, 4)
    assert [r["correct"] for r in attempt["results"]] == [True, False, False, True]
    assert [r["expected"] for r in attempt["results"]] == [
        q["answer"] for q in created["questions"]
    ]
    assert [r["explanation"] for r in attempt["results"]] == [
        q["explanation"] for q in created["questions"]
    ]
    assert set(attempt["results"][0]) == {"question_id", "correct", "expected", "explanation"}

    doc = me.api.services.documents.get(paths.stats(me.user.uid))
    assert doc is not None
    weakness = stats.weakness(doc.data, me.course_id)
    assert weakness[s1] == pytest.approx(1 / 3) and weakness[s2] == pytest.approx(1 / 3)

    # a second attempt, all wrong by omission, raises both further
    me.call("POST", f"/{created['id']}/attempt/", json={"answers": []})
    doc = me.api.services.documents.get(paths.stats(me.user.uid))
    assert doc is not None
    after = stats.weakness(doc.data, me.course_id)
    assert after[s1] > weakness[s1] and after[s2] > weakness[s2]

    listed = me.call("GET", f"/{created['id']}/attempts/").json
    assert [a["id"] for a in listed["items"]][1] == attempt["id"]
    assert listed["items"][0]["correct_count"] == 0 and listed["next_cursor"] is None
    one = me.call("GET", f"/{created['id']}/attempts/{attempt['id']}/")
    assert one.status_code == 200 and one.json == attempt
    assert me.call("GET", f"/{created['id']}/attempts/{ids[0]}/").status_code == 404
    assert me.call("GET", f"/{created['id']}/attempts/?limit=1").json["next_cursor"]


def test_an_attempt_is_quiz_activity_of_its_course_for_the_streak(me: Student) -> None:
    store, uid = me.api.services.documents, me.user.uid
    created = me.quiz(questions=[question_body(TrueFalseFactory)])
    for _ in range(2):
        r = me.call("POST", f"/{created['id']}/attempt/", json={"answers": []})
        assert r.status_code == 201, r.json
    logged = activity.list_activity(store, uid, PageQuery(limit=10)).items
    assert [(a.kind, a.course_id, a.minutes) for a in logged] == [("quiz", me.course_id, 0)] * 2
    streak = activity.get_streak(store, uid, me.api.services.clock.now())
    assert (streak.current, streak.today_done) == (1, True)


def test_a_refused_attempt_is_no_activity(me: Student) -> None:
    created = me.quiz(questions=[question_body(TrueFalseFactory)])
    r = me.call("POST", f"/{created['id']}/attempt/", json={"answers": [{"question_id": "x"}]})
    assert r.status_code == 400
    store = me.api.services.documents
    assert activity.list_activity(store, me.user.uid, PageQuery(limit=10)).items == []


def test_attempt_answers_that_do_not_fit_are_400(me: Student) -> None:
    created = me.quiz()
    ids = [q["id"] for q in created["questions"]]  # single, multiple, true/false, short

    def attempt(answers: list[dict[str, Any]]) -> Any:
        return me.call("POST", f"/{created['id']}/attempt/", json={"answers": answers})

    r = attempt([{"question_id": "unknown-id", "answer": "x"}])
    assert fields_of(r) == ["answers.0.question_id"]
    assert r.json["error"]["details"][0]["question_id"] == "unknown-id"
    assert fields_of(attempt([{"question_id": ids[0], "answer": "not an option"}])) == [
        "answers.0.answer"
    ]
    assert fields_of(attempt([{"question_id": ids[1], "answer": "a string"}])) == [
        "answers.0.answer"
    ]
    r = attempt(
        [{"question_id": ids[2], "answer": "yes"}, {"question_id": ids[3], "answer": False}]
    )
    assert fields_of(r) == ["answers.0.answer", "answers.1.answer"]
    assert [d["question_id"] for d in r.json["error"]["details"]] == [ids[2], ids[3]]
    # pydantic reports each branch of the answer's union: one field, several messages
    assert set(fields_of(attempt([{"question_id": ids[3], "answer": 46}]))) == {"answers.0.answer"}
    assert set(fields_of(attempt([{"question_id": ids[3]}]))) == {"answers.0.answer"}
    assert "answers.0.extra" in fields_of(
        attempt([{"question_id": ids[3], "answer": "x", "extra": 1}])
    )
    r = me.call("POST", f"/{created['id']}/attempt/", json={"answers": [], "score": 1})
    assert fields_of(r) == ["score"]
    # nothing was stored or counted by the refused attempts
    assert me.call("GET", f"/{created['id']}/attempts/").json["items"] == []
    assert me.api.services.documents.get(paths.stats(me.user.uid)) is None


def test_attempt_on_a_quiz_not_ready_is_409(me: Student) -> None:
    s = me.api.services
    pending = repository.create_pending_quiz(
        s.documents,
        me.user.uid,
        course_id=me.course_id,
        title="g",
        section_id=None,
        now=s.clock.now(),
    )
    r = me.call("POST", f"/{pending.id}/attempt/", json={"answers": []})
    assert r.status_code == 409 and r.json["error"]["details"] == {"status": "queued"}
    listed = me.call("GET", "/").json["items"]
    assert listed[0]["status"] == "queued" and listed[0]["questions"] == []
