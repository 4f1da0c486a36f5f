"""Property-based fuzzing of the learning API from its own OpenAPI document.

The learning function (study plans with replan, sessions, progress) fuzzed
the way ``test_api_fuzz_assessments`` fuzzes assessments: schemathesis
generates valid and invalid requests for every operation it serves and sends
them in-process to the real functions-framework app, signed in as a fresh
Auth emulator user. Every response must pass schemathesis' built-in checks
(no 5xx, documented status and content type, body matching the response
schema, invalid input rejected, valid input accepted, auth enforced) and the
documented error shape and code table (``documented_error``).

Before an operation is fuzzed the user gets a course with sections and a
processed Markdown document, a ready study plan with its sessions (built by
the ``generate_study_plan`` task through the in-process queue) and an ad-hoc
session. Most cases have their ids steered to those (path parameters, query
filters, and ``course_id``/``section_id`` in a body); the rest keep their
random ids, which must never succeed. Deleting a plan is fuzzed apart, each
example on a throwaway plan.

Relaxations live in ``RELAXED`` with their reason; mismatches the fuzzer
found are pinned by regression tests in the learning test files.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any, cast

import pytest
from schemathesis import Case

import aksio.learning.plans.tasks  # (registers the task handlers)
import aksio.learning.progress.tasks  # noqa: F401  (and the mastery refresh)
from aksio.adapters.inprocess_tasks import InProcessTaskQueue
from aksio.courses import repository as courses
from aksio.documents import service as documents
from aksio.ids import is_valid_id
from aksio.learning.plans import repository as plans
from aksio.learning.plans import service as plan_service
from aksio.learning.plans.models import PlanCreate
from aksio.learning.sessions import repository as sessions
from aksio.learning.sessions.models import SessionCreate
from tests.factories import files
from tests.factories.courses import CourseCreateFactory, SectionCreateFactory
from tests.factories.learning import plan_body
from tests.fixtures.app import Api
from tests.integration import fuzzing

pytestmark = pytest.mark.emulator

B = "/api/v1/learning"
MAX_EXAMPLES = 25  # per operation, on top of the coverage phase's cases
DELETE_EXAMPLES = 8
STEERED = ("course_id", "section_id", "plan_id")  # in bodies and query strings
DATES = ("exam_date", "start_date", "date", "from", "to")


_SCHEMA, APP = fuzzing.deterministic_schema(20251205)
SCHEMA, DELETE_SCHEMA = fuzzing.split_deletions(_SCHEMA, B)


# Operation label -> (built-in checks not run on it, why). Rules a JSON
# schema cannot express are rightly a 400.
_POSITIVE = "positive_data_acceptance"
_CURSOR = "a made-up cursor is rightly a 400 (opaque and server-issued)"
RELAXED: fuzzing.Relaxed = {
    f"GET {B}/study-plans/": ((_POSITIVE,), _CURSOR),
    f"GET {B}/sessions/": (
        (_POSITIVE,),
        f"{_CURSOR}; and from after to is a 400, a rule across two parameters",
    ),
    f"POST {B}/study-plans/": (
        (_POSITIVE,),
        "the exam must come after the start, the start must not be past or more than "
        "two years ahead, and some weekday must have time: rules across fields and "
        "relative to today, rightly a 400",
    ),
    f"POST {B}/sessions/": (
        (_POSITIVE,),
        "the date must be within the planner's horizon of today (two years either "
        "way): relative to today, rightly a 400",
    ),
    f"PATCH {B}/sessions/{{session_id}}/": (
        (_POSITIVE,),
        'actual_minutes only with status "completed", and at least one field: rules '
        "across fields, rightly a 400",
    ),
}
call_and_validate = partial(
    fuzzing.call_and_validate, app=APP, relaxed=RELAXED, undeclared_nulls=True
)


# ------------------------------------------------------------ the fixtures
@dataclass
class Owned:
    """What the signed-in user owns before an operation is fuzzed."""

    api: Api
    uid: str
    token: str
    course: str = ""
    section: str = ""
    document: str = ""
    plan: str = ""
    session: str = ""
    examples: int = 0

    def steer(self, case: Case[Any], ids: dict[str, str] | None = None) -> bool:
        """Steer the case (see ``steer``); each example of an operation is
        salted with its number, so repeated generated values do not always
        get the same decision, and a run still repeats exactly."""
        self.examples += 1
        today = self.api.services.clock.now().date()
        return steer(case, ids or self.ids, self.examples, today)

    @property
    def ids(self) -> dict[str, str]:
        return {
            "course_id": self.course,
            "section_id": self.section,
            "plan_id": self.plan,
            "session_id": self.session,
        }

    def new_plan(self) -> str:
        """A ready plan of the course, built by the plan task."""
        s = self.api.services
        today = s.clock.now().date()
        body = PlanCreate.model_validate(plan_body(self.course, today, days=21))
        plan_id = plan_service.request_plan(s, self.uid, body).id
        assert cast(InProcessTaskQueue, s.tasks).drain(30), "the plan task did not finish"
        assert plans.get_plan(s.documents, self.uid, plan_id).status == "ready"
        return plan_id


@pytest.fixture
def owned(learning_api: Api) -> Iterator[Owned]:
    """A fresh user per operation with a course of three sections, a ready
    document, a ready plan with sessions and an ad-hoc session."""
    s = learning_api.services
    store, now = s.documents, s.clock.now()
    user = learning_api.user()
    o = Owned(learning_api, user.uid, user.token())
    o.course = courses.create_course(store, o.uid, CourseCreateFactory.build(), now).id
    for _ in range(3):
        section = courses.create_section(store, o.uid, o.course, SectionCreateFactory.build(), now)
        o.section = o.section or section.id
    doc = documents.upload(
        s, o.uid, o.course, filename="notes.md", data=files.markdown(), title="Notes"
    )
    assert s.storage_events.drain(60), "storage events did not finish"
    o.document = doc.id
    o.plan = o.new_plan()
    assert plans.get_plan(store, o.uid, o.plan).sessions, "the plan has no sessions"
    adhoc = SessionCreate(course_id=o.course, section_id=o.section, minutes=30)
    o.session = sessions.create_session(store, o.uid, adhoc, now + timedelta(seconds=1)).id
    yield o
    # Replans and mastery refreshes run in the in-process queue: let them end
    # before the services (and the store they write to) close.
    if "tasks" in s._built:
        queue = cast(InProcessTaskQueue, s.tasks)
        assert queue.drain(60), "learning tasks did not finish"
        queue.close()
    assert s.storage_events.drain(60), "storage events did not finish"


# ------------------------------------------------------------ steering ids
class _Steering:
    def __init__(self, case: Case[Any], ids: dict[str, str], salt: int, today: date) -> None:
        self.bits = fuzzing.case_bits(case) ^ zlib.crc32(str(salt).encode())
        self.ids = ids
        self.today = today
        self.n = 0
        self.random_left = False

    def _keep_random(self) -> bool:
        keep = (self.bits >> (2 * (self.n % 16))) % 4 == 0
        self.n += 1
        return keep

    def pick(self, name: str, generated: Any, *, any_string: bool = False) -> str | None:
        """The user's id for ``name`` 3 times in 4, else None (keep the random
        one). In a body or query a value that is no id at all stays: it is
        what a negative case is about, and must stay a 400. A path takes any
        string (a non-id is a 404), so there every string may be steered."""
        valid = isinstance(generated, str) and (any_string or is_valid_id(generated))
        if not valid or self._keep_random():
            self.random_left = True
            return None
        return self.ids[name]

    def day(self, name: str, generated: Any) -> Any:
        """Dates 3 times in 4 moved near today (the planner only takes dates
        relative to today: the exam after the start, within its horizon),
        else left as generated (the edges of the calendar included)."""
        if not isinstance(generated, str) or self._keep_random():
            return generated
        try:
            spread = date.fromisoformat(generated).toordinal()
        except ValueError:
            return generated
        offset = {"exam_date": 10 + spread % 80, "start_date": spread % 7}.get(
            name, spread % 61 - 30
        )
        return (self.today + timedelta(days=offset)).isoformat()

    def fields(self, value: Any) -> Any:
        """Steer ``course_id``/``section_id``/``plan_id`` strings and dates
        anywhere in a body or query string."""
        if isinstance(value, list):
            return [self.fields(v) for v in value]
        if not isinstance(value, dict):
            return value
        out = {}
        for key, item in value.items():
            if key in STEERED and isinstance(item, str):
                out[key] = self.pick(key, item) or item
            elif key in DATES:
                out[key] = self.day(key, item)
            else:
                out[key] = self.fields(item)
        return out


def steer(case: Case[Any], ids: dict[str, str], salt: int, today: date) -> bool:
    """Point 3 in 4 ids (path parameters, query filters and ids named in a
    JSON body) at the user's real ones, and most dates near today; return
    whether any generated id was left in place."""
    steering = _Steering(case, ids, salt, today)
    params = case.path_parameters or {}
    for name in sorted(params):
        if name in ids:
            params[name] = steering.pick(name, params[name], any_string=True) or params[name]
        else:
            steering.random_left = True
    if isinstance(case.query, dict):
        case.query = steering.fields(case.query)
    if isinstance(case.body, dict | list):
        case.body = steering.fields(case.body)
    return steering.random_left


@SCHEMA.parametrize()
@fuzzing.hypothesis_settings(MAX_EXAMPLES)
def test_learning_api_fuzz(case: Case[Any], owned: Owned, learning_function: Any) -> None:
    random_left = owned.steer(case)
    call_and_validate(case, learning_function, owned.token, random_left=random_left)


@DELETE_SCHEMA.parametrize()
@fuzzing.hypothesis_settings(DELETE_EXAMPLES)
def test_learning_api_deletions_fuzz(case: Case[Any], owned: Owned, learning_function: Any) -> None:
    # A throwaway plan per example.
    ids = dict(owned.ids)
    if "plan_id" in case.operation.path:
        ids["plan_id"] = owned.new_plan()
    random_left = owned.steer(case, ids)
    call_and_validate(case, learning_function, owned.token, random_left=random_left)


def test_every_learning_operation_is_fuzzed(learning_api: Api) -> None:
    fuzzing.assert_every_operation_fuzzed(B, SCHEMA, DELETE_SCHEMA, RELAXED)
    r = learning_api.client.get("/api/health/")
    assert r.status_code == 200, r.json
    assert set((r.json or {})["dependencies"]) == {"documents", "tasks", "identity"}
