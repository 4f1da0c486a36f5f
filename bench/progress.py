"""Progress benchmark (`nox -s bench`): document reads of one progress call
after 10 and after 10,000 reviews of the same cards.

Each size seeds a fresh SQLite store (the embedded default) in a temporary
folder: a profile, a course with 5 sections and 200 cards (``create_cards``),
a study plan of 60 sessions (stored as the plans area stores them, half of
its past ones completed after the reviews), then the
reviews, each through the product's own review transaction
(``aksio.assessments.flashcards.reviews.review_card``: card, log entry and
stats written together), one hour apart. History grows with the reviews: one
ad-hoc session created and completed (the sessions repository, with its
learning stats) and a study activity recorded (the streak) per 10 reviews,
and a quiz attempt per 100 reviews. So 10,000 reviews come with 1,000
sessions, 1,000 activities and 100 attempts.

Then the course's mastery snapshot is computed as the ``refresh_mastery``
task computes it in the background (``aksio.learning.progress.refresh``),
and ``get_progress`` runs on the store wrapped in ``CountingDocumentStore``
(reads counted as Firestore bills them), for the one-course view and the
all-courses view, with the snapshot fresh (the call queues nothing; checked).
Target: the same small number of reads at both sizes (the cost does not
grow with history, nor with cards: mastery is one snapshot per course). The
refresh's own reads (the course's cards, plus 4) are printed apart: they are
the background cost, paid once per change seen by a progress call.

Results: a table on stdout and build/bench/progress.json. Exits non-zero when
the reads differ between sizes or the call asks for a refresh.

Usage: ``python bench/progress.py [--sizes 10 10000] [--repeats 5]``
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "shared"))

from aksio.accounts.activity import record_activity  # noqa: E402
from aksio.accounts.models import ActivityCreate  # noqa: E402
from aksio.accounts.profiles import create_profile  # noqa: E402
from aksio.adapters.counting_store import CountingDocumentStore  # noqa: E402
from aksio.adapters.sqlite_store import SqliteDocumentStore  # noqa: E402
from aksio.assessments import paths as assessment_paths  # noqa: E402
from aksio.assessments.flashcards import repository as cards  # noqa: E402
from aksio.assessments.flashcards import reviews  # noqa: E402
from aksio.assessments.flashcards.models import FlashcardCreate  # noqa: E402
from aksio.assessments.quizzes import repository as quizzes  # noqa: E402
from aksio.assessments.quizzes.models import AttemptCreate, QuizCreate  # noqa: E402
from aksio.assessments.scheduling import RatingName  # noqa: E402
from aksio.clock import FixedClock  # noqa: E402
from aksio.courses.models import CourseCreate, SectionCreate  # noqa: E402
from aksio.courses.repository import create_course, create_section  # noqa: E402
from aksio.ids import new_id  # noqa: E402
from aksio.learning import paths as learning_paths  # noqa: E402
from aksio.learning.plans import repository as plans  # noqa: E402
from aksio.learning.progress import refresh  # noqa: E402
from aksio.learning.progress.models import ProgressQuery  # noqa: E402
from aksio.learning.progress.repository import get_progress  # noqa: E402
from aksio.learning.sessions import repository as sessions  # noqa: E402
from aksio.learning.sessions.models import SessionCreate, SessionUpdate  # noqa: E402
from aksio.ports.documents import collection  # noqa: E402
from aksio.ports.tasks import Task  # noqa: E402

OUT = ROOT / "build" / "bench" / "progress.json"
UID = "bench-user"
START = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
SECTIONS = 5
CARDS = 200
PLAN_SESSIONS = 60
RATINGS: tuple[RatingName, ...] = ("again", "hard", "good", "easy")
RATING_WEIGHTS = (10, 15, 60, 15)
"""A typical spread: about one lapse in ten reviews."""


def seed_course(store: SqliteDocumentStore) -> tuple[str, list[str], str]:
    create_profile(store, UID, "bench@example.org", "Bench", START)
    course_id = create_course(store, UID, CourseCreate(title="Cell Biology"), START).id
    sections = [
        create_section(store, UID, course_id, SectionCreate(title=f"Chapter {i + 1}"), START).id
        for i in range(SECTIONS)
    ]
    bodies = [
        FlashcardCreate(
            course_id=course_id,
            section_id=sections[i % SECTIONS],
            front=f"Question {i}: what does organelle {i} do?",
            back=f"Answer {i}.",
        )
        for i in range(CARDS)
    ]
    card_ids = [c.id for c in cards.create_cards(store, UID, bodies, START)]
    quiz = quizzes.create_quiz(
        store,
        UID,
        QuizCreate.model_validate(
            {
                "course_id": course_id,
                "section_id": sections[0],
                "title": "Chapter 1 check",
                "questions": [
                    {
                        "kind": "true_false",
                        "prompt": "Mitochondria make ATP.",
                        "answer": True,
                        "explanation": "Oxidative phosphorylation.",
                    }
                ],
            }
        ),
        START,
    )
    return course_id, card_ids, quiz.id


def seed_plan(store: SqliteDocumentStore, course_id: str, first: date, now: datetime) -> None:
    """A plan of PLAN_SESSIONS days from ``first``; every other past session completed."""
    plan_id = new_id()
    plans.create_plan(
        store,
        UID,
        plan_id,
        {
            "course_id": course_id,
            "status": "ready",
            "start_date": first.isoformat(),
            "exam_date": (first + timedelta(days=PLAN_SESSIONS + 7)).isoformat(),
            "availability": dict.fromkeys(("monday", "wednesday", "friday"), 60),
            "preferred_session_minutes": 30,
            "revision": 0,
            "created_at": START,
            "updated_at": START,
        },
    )
    plans.write_sessions(
        store,
        UID,
        [
            {
                "id": plans.session_id(plan_id, 0, i),
                "plan_id": plan_id,
                "course_id": course_id,
                "section_id": None,
                "title": f"Session {i + 1}",
                "kind": "learn",
                "date": (first + timedelta(days=i)).isoformat(),
                "minutes": 30,
                "status": "planned",
                "actual_minutes": None,
                "notes": None,
                "created_at": START,
                "updated_at": START,
            }
            for i in range(PLAN_SESSIONS)
        ],
    )
    for i in range(0, PLAN_SESSIONS, 2):
        if first + timedelta(days=i) <= now.date():
            done = SessionUpdate(status="completed")
            sessions.update_session(store, UID, plans.session_id(plan_id, 0, i), done, now)


def seed_history(
    store: SqliteDocumentStore, course_id: str, card_ids: list[str], quiz_id: str, n: int
) -> datetime:
    """``n`` reviews one hour apart, with sessions, activities and attempts."""
    at = START
    rng = random.Random(n)
    for i in range(n):
        at += timedelta(hours=1)
        card_id = card_ids[i % len(card_ids)]
        reviews.review_card(
            store,
            UID,
            card_id,
            rating=rng.choices(RATINGS, RATING_WEIGHTS)[0],
            duration_ms=4000,
            now=FixedClock(at).now,
        )
        if i % 10 == 0:
            session = sessions.create_session(
                store, UID, SessionCreate(course_id=course_id, minutes=30), at
            )
            sessions.update_session(store, UID, session.id, SessionUpdate(status="completed"), at)
            record_activity(
                store, UID, ActivityCreate(kind="study", course_id=course_id, minutes=30), at
            )
        if i % 100 == 0:
            quizzes.submit_attempt(store, UID, quiz_id, AttemptCreate(answers=[]), at)
    return at


class RecordingQueue:
    """Keeps the refreshes a call asks for (none, with the snapshot fresh)."""

    def __init__(self) -> None:
        self.tasks: list[Task] = []

    def enqueue(self, task: Task) -> str:
        self.tasks.append(task)
        return task.kind

    def ping(self) -> None: ...

    def __call__(self) -> RecordingQueue:
        return self


def run(n: int, repeats: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteDocumentStore(Path(tmp) / "bench.sqlite3")
        started = time.perf_counter()
        course_id, card_ids, quiz_id = seed_course(store)
        at = seed_history(store, course_id, card_ids, quiz_id, n)
        seed_plan(store, course_id, at.date() - timedelta(days=PLAN_SESSIONS // 2), at)
        seed_s = time.perf_counter() - started
        counting = CountingDocumentStore(store)
        t0 = time.perf_counter()
        refreshed = refresh.refresh(counting, UID, course_id, at)
        out: dict[str, Any] = {
            "reviews": n,
            "seed_seconds": round(seed_s, 1),
            "refresh": {
                "reads": counting.reads,
                "writes": counting.writes,
                "cards": refreshed.cards,
                "ms": round((time.perf_counter() - t0) * 1000, 2),
            },
        }
        views = {"one_course": ProgressQuery(course_id=course_id), "all_courses": ProgressQuery()}
        queue = RecordingQueue()
        for name, query in views.items():
            reads, times = [], []
            for _ in range(repeats):
                counting.reset()
                t0 = time.perf_counter()
                progress = get_progress(counting, UID, query, at, tasks=queue)
                times.append((time.perf_counter() - t0) * 1000)
                reads.append(counting.reads)
            out[name] = {
                "reads": max(reads),
                "writes": counting.writes,
                "median_ms": round(statistics.median(times), 2),
            }
        out["refreshes_asked"] = len(queue.tasks)
        out["history"] = {
            "review_log_documents": store.count(collection(assessment_paths.reviews(UID))),
            "session_documents": store.count(collection(learning_paths.study_sessions(UID))),
            "retention": progress.retention,
            "plan_adherence": progress.plan_adherence,
            "mastery": progress.courses[0].mastery,
            "mastery_as_of": str(progress.courses[0].mastery_as_of),
            "cards_counted": progress.courses[0].cards_counted,
        }
        store.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 10_000])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    results = [run(n, args.repeats) for n in args.sizes]
    print(
        "Progress: document reads of one GET /learning/progress/ "
        "(SQLite store, counted, snapshot fresh)"
    )
    header = f"{'reviews':>8} {'view':<12} {'reads':>6} {'writes':>6} {'ms':>8} {'seeded in':>10}"
    print(header)
    print("-" * len(header))
    for r in results:
        for view in ("one_course", "all_courses"):
            row = r[view]
            print(
                f"{r['reviews']:>8} {view:<12} {row['reads']:>6} {row['writes']:>6} "
                f"{row['median_ms']:>8.2f} {r['seed_seconds']:>9}s"
            )
    print()
    print("Background: reads of the refresh_mastery task (one course's snapshot)")
    print(f"{'reviews':>8} {'cards':>6} {'reads':>6} {'writes':>6} {'ms':>8}")
    for r in results:
        row = r["refresh"]
        print(
            f"{r['reviews']:>8} {row['cards']:>6} {row['reads']:>6} {row['writes']:>6} "
            f"{row['ms']:>8.2f}"
        )
    print(
        f"(the {CARDS} cards plus 4: grows with cards, capped at "
        f"{refresh.MASTERY_CARDS_PER_COURSE:,} per course, not with reviews; paid once "
        "per change a progress call sees)"
    )
    print()
    equal = {
        view: len({r[view]["reads"] for r in results}) == 1
        for view in ("one_course", "all_courses")
    }
    sizes = " and ".join(f"{r['reviews']:,}" for r in results)
    for view, same in equal.items():
        print(f"{view}: reads at {sizes} reviews equal: {'yes' if same else 'NO'}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps({"cards": CARDS, "equal": equal, "results": results}, indent=2) + "\n",
        encoding="utf-8",
    )
    print(f"written: {OUT.relative_to(ROOT)}")
    if not all(equal.values()):
        print("progress reads grow with history", file=sys.stderr)
        return 1
    if any(r["refreshes_asked"] for r in results):
        print("a progress call asked for a refresh of a fresh snapshot", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
