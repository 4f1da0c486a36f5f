"""The generation service and its background work on the embedded stores,
with ``ScriptedLanguageModel`` (a real implementation of the port) deciding
what the model answers, including its failures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from aksio.adapters.bm25_retriever import Bm25Retriever
from aksio.adapters.inprocess_tasks import InProcessTaskQueue
from aksio.adapters.local_blobs import LocalBlobStore
from aksio.adapters.sqlite_store import SqliteDocumentStore
from aksio.assessments import paths
from aksio.assessments.flashcards.models import FlashcardListQuery
from aksio.assessments.flashcards.repository import list_cards
from aksio.assessments.generation import jobs, runner, service
from aksio.assessments.generation.models import (
    FlashcardGenerateRequest,
    JobListQuery,
    QuizGenerateRequest,
)
from aksio.assessments.quizzes.repository import get_quiz
from aksio.clock import FixedClock
from aksio.composition import Services
from aksio.config import Settings
from aksio.courses.repository import create_course, create_section
from aksio.documents import paths as doc_paths
from aksio.errors import Conflict, InvalidInput, NotFound, RateLimited, Unavailable
from aksio.ids import new_id
from aksio.ports.llm import LanguageModelError
from aksio.ports.tasks import PermanentTaskError, TaskDelivery
from tests.factories.courses import CourseCreateFactory, SectionCreateFactory
from tests.factories.generation import (
    CardDraftFactory,
    ScriptedLanguageModel,
    chunk_texts,
    seed_processed_document,
)

UID = "user-generation"
NOW = datetime(2026, 3, 2, 21, 30, tzinfo=UTC)


class Env:
    def __init__(self, tmp_path: Path, **settings: Any) -> None:
        config = Settings(
            environment="test",
            sqlite_path=tmp_path / "store.sqlite3",
            blob_dir=tmp_path / "blobs",
            **settings,
        )
        self.store = SqliteDocumentStore(config.sqlite_path)
        self.model = ScriptedLanguageModel()
        self.delivered: list[TaskDelivery] = []
        self.queue = InProcessTaskQueue(self.delivered.append)
        self.clock = FixedClock(NOW)
        blobs = LocalBlobStore(config.blob_dir, config.bucket)
        self.services = Services(
            config,
            documents=self.store,
            blobs=blobs,
            retriever=Bm25Retriever(self.store, blobs),
            language_model=self.model,
            tasks=self.queue,
            clock=self.clock,
        )
        self.course_id = create_course(self.store, UID, CourseCreateFactory.build(), NOW).id

    def document(self, n: int = 30, **options: Any) -> str:
        return seed_processed_document(
            self.store,
            UID,
            self.course_id,
            chunk_texts(n),
            retriever=self.services.retriever,
            **options,
        )

    def cards(self) -> list[Any]:
        page = FlashcardListQuery(course_id=self.course_id, limit=100)
        return list(list_cards(self.store, UID, page).items)

    def job(self, document_id: str | None = None, count: int = 5) -> str:
        body = FlashcardGenerateRequest(
            course_id=self.course_id, document_id=document_id, count=count
        )
        return service.request_flashcards(self.services, UID, body).id


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    built = Env(tmp_path)
    yield built
    built.queue.close()
    built.store.close()


# ------------------------------------------------------------------ requests
def test_a_request_records_a_queued_job_and_queues_its_task(env: Env) -> None:
    doc = env.document()
    job_id = env.job(doc, count=7)
    job = jobs.get_job(env.store, UID, job_id)
    assert (job.status, job.requested_count, job.document_id) == ("queued", 7, doc)
    assert env.queue.drain()
    [delivery] = env.delivered
    assert delivery.task.kind == "generate_flashcards"
    assert delivery.task.payload == {"uid": UID, "job_id": job_id}
    assert delivery.task.dedupe_key == paths.generation_job(UID, job_id)


def test_requests_naming_nothing_real_are_404(env: Env) -> None:
    env.document()
    with pytest.raises(NotFound):
        service.check_scope(env.store, UID, new_id(), None, None)
    with pytest.raises(NotFound):
        service.check_scope(env.store, UID, env.course_id, new_id(), None)
    with pytest.raises(NotFound):
        service.check_scope(env.store, UID, env.course_id, None, new_id())
    with pytest.raises(NotFound):
        service.check_scope(env.store, "someone-else", env.course_id, None, None)


def test_no_processed_text_is_a_conflict(env: Env) -> None:
    with pytest.raises(Conflict, match="Upload and process a document first"):
        service.check_scope(env.store, UID, env.course_id, None, None)
    busy = env.document(status="processing")
    with pytest.raises(Conflict, match="still being processed") as caught:
        service.check_scope(env.store, UID, env.course_id, busy, None)
    assert caught.value.details == {"document_status": "processing"}
    with pytest.raises(Conflict, match="Upload and process"):
        service.check_scope(env.store, UID, env.course_id, None, None)


def test_the_daily_limit_answers_with_the_reset_time(tmp_path: Path) -> None:
    env = Env(tmp_path, generation_daily_limit=2)
    try:
        doc = env.document()
        env.job(doc)
        env.job(doc)
        with pytest.raises(RateLimited) as caught:
            env.job(doc)
        assert caught.value.retry_after == 9000  # 21:30 -> midnight UTC
        assert caught.value.details == {"retry_after": 9000, "reset_at": "2026-03-03T00:00:00Z"}
        env.clock.advance(hours=3)  # the next UTC day
        env.job(doc)
    finally:
        env.queue.close()
        env.store.close()


def test_a_request_that_cannot_be_queued_fails_its_job(env: Env) -> None:
    doc = env.document()
    env.queue.close()
    with pytest.raises(Unavailable):
        env.job(doc)
    [job] = jobs.list_jobs(env.store, UID, JobListQuery()).items
    assert job.status == "failed" and job.error == service.UNAVAILABLE


def test_too_many_items_is_refused_by_the_setting(tmp_path: Path) -> None:
    env = Env(tmp_path, generation_max_count=5)
    try:
        with pytest.raises(InvalidInput, match="at most 5"):
            env.job(env.document(), count=6)
    finally:
        env.queue.close()
        env.store.close()


# ------------------------------------------------------------------ flashcard work
def test_cards_are_created_citing_the_chunks_they_came_from(env: Env) -> None:
    doc = env.document(60)
    job_id = env.job(doc, count=5)
    runner.run_flashcards(env.services, UID, job_id)
    job = jobs.get_job(env.store, UID, job_id)
    assert job.status == "ready", job
    assert job.created_count == 5 and job.skipped_duplicates == 0 and job.warnings == []
    cards = env.cards()
    assert len(cards) == 5
    [request] = env.model.requests
    by_id = {p.passage_id: p for p in request.passages}
    for c in cards:
        assert c.source is not None and c.source.document_id == doc
        assert "generated" in c.tags
        chunk_id = c.front.rsplit("(", 1)[1].rstrip(")")
        stored = env.store.get(f"{doc_paths.chunks(UID, env.course_id)}/{chunk_id}")
        assert stored is not None and stored.data["text"] == by_id[chunk_id].text
        assert c.source.page == stored.data["page"]
    assert request.vocabulary, "the course's key terms are offered for distractors"
    assert request.language == "en" and request.count == 5


def test_asking_again_adds_no_duplicates(env: Env) -> None:
    doc = env.document()
    runner.run_flashcards(env.services, UID, env.job(doc, count=4))
    again = env.job(doc, count=4)
    runner.run_flashcards(env.services, UID, again)
    job = jobs.get_job(env.store, UID, again)
    assert (job.status, job.created_count, job.skipped_duplicates) == ("ready", 0, 4)
    assert job.warnings and "4 duplicates skipped" in job.warnings[0]
    assert len(env.cards()) == 4


def test_a_finished_job_delivered_again_does_nothing(env: Env) -> None:
    job_id = env.job(env.document())
    runner.run_flashcards(env.services, UID, job_id)
    runner.run_flashcards(env.services, UID, job_id)
    assert len(env.model.requests) == 1


def test_a_job_left_running_by_a_crash_is_redone_without_doubling(env: Env) -> None:
    job_id = env.job(env.document(), count=3)
    runner.run_flashcards(env.services, UID, job_id)
    # the first attempt created its cards but died before recording the outcome
    env.store.update(paths.generation_job(UID, job_id), {"status": "running"})
    runner.run_flashcards(env.services, UID, job_id)
    assert jobs.get_job(env.store, UID, job_id).status == "ready"
    assert len(env.cards()) == 3


def test_a_permanent_model_error_fails_the_job_with_its_reason(env: Env) -> None:
    job_id = env.job(env.document())
    env.model.error = LanguageModelError("The model refused to answer.", retryable=False)
    with pytest.raises(PermanentTaskError, match="refused"):
        runner.run_flashcards(env.services, UID, job_id)
    job = jobs.get_job(env.store, UID, job_id)
    assert (job.status, job.error) == ("failed", "The model refused to answer.")
    assert env.cards() == []


def test_a_passing_model_error_is_retried_then_recorded_on_give_up(env: Env) -> None:
    job_id = env.job(env.document())
    error = LanguageModelError("Rate limited by the provider.", retryable=True)
    env.model.error = error
    with pytest.raises(LanguageModelError):
        runner.run_flashcards(env.services, UID, job_id)
    assert jobs.get_job(env.store, UID, job_id).status == "running"
    runner.flashcards_gave_up(env.services, UID, job_id, error)
    job = jobs.get_job(env.store, UID, job_id)
    assert job.status == "failed"
    assert job.error is not None and "Rate limited by the provider." in job.error
    # a late give-up never turns a finished job around
    env.model.error = None
    ready = env.job()
    runner.run_flashcards(env.services, UID, ready)
    runner.flashcards_gave_up(env.services, UID, ready, error)
    assert jobs.get_job(env.store, UID, ready).status == "ready"


def test_output_citing_nothing_sent_fails_the_job(env: Env) -> None:
    env.model.cards = lambda request: [CardDraftFactory.build(passage_id="not-sent")]
    job_id = env.job(env.document())
    with pytest.raises(PermanentTaskError):
        runner.run_flashcards(env.services, UID, job_id)
    job = jobs.get_job(env.store, UID, job_id)
    assert (
        job.status == "failed" and job.error == "No usable card could be made from this material."
    )


def test_a_section_job_uses_the_sections_passages(env: Env) -> None:
    texts = chunk_texts(20)
    texts[4] = "Photosynthesis captures light energy in chloroplasts. " * 3
    doc = seed_processed_document(
        env.store, UID, env.course_id, texts, retriever=env.services.retriever
    )
    section = create_section(
        env.store, UID, env.course_id, SectionCreateFactory.build(title="Photosynthesis"), NOW
    )
    body = FlashcardGenerateRequest(course_id=env.course_id, section_id=section.id, count=1)
    job_id = service.request_flashcards(env.services, UID, body).id
    runner.run_flashcards(env.services, UID, job_id)
    [request] = env.model.requests
    assert request.passages[0].passage_id == doc_paths.chunk_id(doc, 4)
    [made] = env.cards()
    assert made.section_id == section.id


# ------------------------------------------------------------------ quizzes
def _quiz(env: Env, count: int = 4) -> Any:
    body = QuizGenerateRequest(course_id=env.course_id, count=count)
    quiz = service.request_quiz(env.services, UID, body)
    assert quiz.status == "queued"
    return quiz


def _run_quiz(env: Env, quiz_id: str, count: int = 4) -> None:
    runner.run_quiz(
        env.services,
        UID,
        quiz_id,
        course_id=env.course_id,
        document_id=None,
        section_id=None,
        count=count,
    )


def test_a_generated_quiz_becomes_ready_with_cited_questions(env: Env) -> None:
    env.document()
    quiz = _quiz(env)
    assert quiz.title.startswith("Quiz: ")
    _run_quiz(env, quiz.id)
    ready = get_quiz(env.store, UID, quiz.id, reveal=True)
    assert ready.status == "ready" and len(ready.questions) == 4
    for q in ready.questions:
        assert q.kind == "true_false" and q.source is not None
    _run_quiz(env, quiz.id)  # delivered again: nothing changes
    assert len(env.model.requests) == 1


def test_a_quiz_whose_model_fails_ends_failed(env: Env) -> None:
    env.document()
    quiz = _quiz(env)
    env.model.error = LanguageModelError("The answer was not valid JSON.")
    with pytest.raises(PermanentTaskError):
        _run_quiz(env, quiz.id)
    failed = get_quiz(env.store, UID, quiz.id)
    assert (failed.status, failed.error) == ("failed", "The answer was not valid JSON.")
    # a give-up arriving afterwards keeps the first reason
    runner.quiz_gave_up(env.services, UID, quiz.id, RuntimeError("boom"))
    assert get_quiz(env.store, UID, quiz.id).error == "The answer was not valid JSON."
