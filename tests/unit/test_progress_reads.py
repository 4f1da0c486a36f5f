"""The progress page reads aggregates, not history: its document reads
(counted as Firestore bills them) are the same small number after 10 and
after 200 reviews, completed sessions and quiz attempts, and do not depend on
the number of cards either (mastery comes from one snapshot per course,
computed by the ``refresh_mastery`` task, whose own reads are the cards)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aksio.accounts.profiles import create_profile
from aksio.adapters.counting_store import CountingDocumentStore
from aksio.adapters.sqlite_store import SqliteDocumentStore
from aksio.assessments import paths
from aksio.assessments.flashcards import repository as cards
from aksio.assessments.flashcards import reviews
from aksio.assessments.quizzes import repository as quizzes
from aksio.assessments.quizzes.models import AttemptCreate
from aksio.assessments.scheduling import RatingName
from aksio.clock import FixedClock
from aksio.courses import repository as courses
from aksio.learning.progress import refresh
from aksio.learning.progress.models import ProgressQuery
from aksio.learning.progress.repository import get_progress
from aksio.learning.sessions import repository as sessions
from aksio.learning.sessions.models import SessionCreate, SessionUpdate
from aksio.ports.documents import collection
from aksio.ports.tasks import Task
from tests.factories.courses import CourseCreateFactory, SectionCreateFactory
from tests.factories.flashcards import FlashcardCreateFactory
from tests.factories.quizzes import QuizCreateFactory

UID = "reader"
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
RATINGS: tuple[RatingName, ...] = ("good", "again", "hard", "easy")


def history(
    tmp_path: Path, n_reviews: int, n_cards: int = 20
) -> tuple[SqliteDocumentStore, str, datetime]:
    """``n_cards`` cards in 2 sections, ``n_reviews`` real reviews spread over days,
    one completed session and one quiz attempt per 10 reviews."""
    store = SqliteDocumentStore(tmp_path / f"h{n_reviews}-{n_cards}.sqlite3")
    create_profile(store, UID, "reader@example.org", "Reader", START)
    course = courses.create_course(store, UID, CourseCreateFactory.build(), START).id
    sections = [
        courses.create_section(store, UID, course, SectionCreateFactory.build(), START).id
        for _ in range(2)
    ]
    made = cards.create_cards(
        store,
        UID,
        [
            FlashcardCreateFactory.build(course_id=course, section_id=sections[i % 2])
            for i in range(n_cards)
        ],
        START,
    )
    quiz = quizzes.create_quiz(
        store, UID, QuizCreateFactory.build(course_id=course, section_id=sections[0]), START
    )
    at = START
    ratings = itertools.cycle(RATINGS)
    for i in range(n_reviews):
        at += timedelta(hours=7)
        card = made[i % len(made)]
        reviews.review_card(
            store, UID, card.id, rating=next(ratings), duration_ms=3000, now=FixedClock(at).now
        )
        if i % 10 == 0:
            session = sessions.create_session(
                store, UID, SessionCreate(course_id=course, minutes=30), at
            )
            sessions.update_session(store, UID, session.id, SessionUpdate(status="completed"), at)
            quizzes.submit_attempt(store, UID, quiz.id, AttemptCreate(answers=[]), at)
    return store, course, at


class RecordingQueue:
    """Keeps what the call queues (nothing, when the snapshot is fresh)."""

    def __init__(self) -> None:
        self.tasks: list[Task] = []

    def enqueue(self, task: Task) -> str:
        self.tasks.append(task)
        return task.kind

    def ping(self) -> None: ...

    def __call__(self) -> RecordingQueue:
        return self


@pytest.mark.parametrize("view", ["course", "all"])
def test_progress_reads_do_not_grow_with_history(tmp_path: Path, view: str) -> None:
    reads = []
    for n, n_cards in ((10, 20), (200, 20), (200, 300)):
        store, course, at = history(tmp_path, n, n_cards)
        background = CountingDocumentStore(store)
        done = refresh.refresh(background, UID, course, at)
        assert done.written and done.cards == n_cards
        assert background.reads == n_cards + 4  # stats and course, the cards, the write's 2
        counting = CountingDocumentStore(store)
        query = ProgressQuery(course_id=course if view == "course" else None)
        queue = RecordingQueue()
        progress = get_progress(counting, UID, query, at, tasks=queue)
        assert queue.tasks == []
        assert progress.courses[0].cards_counted == n_cards
        assert progress.courses[0].mastery_as_of == at
        assert store.count(collection(paths.reviews(UID))) == n
        reads.append(counting.reads)
        assert counting.writes == 0
        store.close()
    assert reads[0] == reads[1] == reads[2]
    # a handful of aggregates, the course's 2 sections and its snapshot
    assert reads[0] <= 20
