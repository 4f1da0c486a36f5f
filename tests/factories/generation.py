"""Test data for generation: drafts and passages built from the port's own
models, and ``ScriptedLanguageModel``, a real implementation of the
language-model port whose answers the test decides (a function of the
request, or an error to raise)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from polyfactory import Use
from polyfactory.factories import DataclassFactory
from polyfactory.factories.pydantic_factory import ModelFactory

from aksio.ports.documents import DocumentStore
from aksio.ports.llm import (
    CardDraft,
    DifficultyEstimate,
    DifficultyRequest,
    DraftRequest,
    LanguageModelError,
    QuestionDraft,
    SourcePassage,
)
from aksio.ports.retrieval import Retriever
from tests.factories.files import SENTENCES


def _sentences(n: int) -> str:
    return " ".join(random.sample(SENTENCES, n))


class SourcePassageFactory(DataclassFactory[SourcePassage]):
    passage_id = Use(lambda: f"doc{random.randint(0, 10**6):07d}-{random.randint(0, 999):05d}")
    document_id = Use(lambda: f"doc{random.randint(0, 10**6):07d}")
    text = Use(lambda: _sentences(4))
    page = Use(lambda: random.randint(1, 300))
    heading = Use(lambda: random.choice(["Membranes", "Enzymes", None]))
    document_title = "Textbook"


class CardDraftFactory(ModelFactory[CardDraft]):
    kind = "definition"
    front = Use(
        lambda: f"What does {random.choice(['ATP', 'DNA', 'an enzyme'])} do? #{random.random()}"
    )
    back = Use(lambda: random.choice(SENTENCES))
    passage_id = "unset"


class QuestionDraftFactory(ModelFactory[QuestionDraft]):
    kind = "single_choice"
    prompt = Use(lambda: f"Which organelle converts energy? #{random.random()}")
    options = ["Mitochondria", "Ribosome", "Nucleus", "Golgi apparatus"]
    answer = ["Mitochondria"]
    accepted: list[str] = []
    explanation = "Mitochondria convert the energy stored in glucose."
    passage_id = "unset"


def card_per_passage(request: DraftRequest) -> list[CardDraft]:
    """One card per passage (up to the count), its front determined by the
    passage: asking twice for the same passages gives the same cards."""
    return [
        CardDraft(
            kind="cloze",
            front=f"Fill the gap: {' '.join(p.text.split()[:8])} ___ ({p.passage_id})",
            back=p.text.split(".")[0] + ".",
            passage_id=p.passage_id,
        )
        for p in list(request.passages)[: request.count]
    ]


def question_per_passage(request: DraftRequest) -> list[QuestionDraft]:
    """One true/false question per passage (up to the count)."""
    return [
        QuestionDraft(
            kind="true_false",
            prompt=f"True or false: {p.text.split('.')[0]}. ({p.passage_id})",
            answer=["true"],
            explanation="The passage says so.",
            passage_id=p.passage_id,
        )
        for p in list(request.passages)[: request.count]
    ]


def neutral_difficulty(request: DifficultyRequest) -> list[DifficultyEstimate]:
    """Every section with text rated 0.5 (the planner's "unknown" effort)."""
    return [
        DifficultyEstimate(section_id=s.section_id, difficulty=0.5, reason="Scripted: neutral.")
        for s in request.sections
        if s.passages
    ]


def difficulty_by_title(
    ratings: dict[str, float],
) -> Callable[[DifficultyRequest], list[DifficultyEstimate]]:
    """Rates each section by its title (sections whose title is not listed are left out)."""

    def rate(request: DifficultyRequest) -> list[DifficultyEstimate]:
        return [
            DifficultyEstimate(
                section_id=s.section_id,
                difficulty=ratings[s.title],
                reason=f"Scripted: {s.title} rated {ratings[s.title]}.",
            )
            for s in request.sections
            if s.title in ratings
        ]

    return rate


@dataclass
class ScriptedLanguageModel:
    """Implements ``aksio.ports.llm.LanguageModel``; ``cards``/``questions``/
    ``difficulty`` map a request to the answer, ``error`` is raised instead when
    set. Records requests (drafts in ``requests``, estimates in ``difficulty_requests``)."""

    cards: Callable[[DraftRequest], list[CardDraft]] = card_per_passage
    questions: Callable[[DraftRequest], list[QuestionDraft]] = question_per_passage
    difficulty: Callable[[DifficultyRequest], list[DifficultyEstimate]] = neutral_difficulty
    error: LanguageModelError | None = None
    name: str = "scripted"
    requests: list[DraftRequest] = field(default_factory=list)
    difficulty_requests: list[DifficultyRequest] = field(default_factory=list)

    def draft_flashcards(self, request: DraftRequest) -> list[CardDraft]:
        self.requests.append(request)
        if self.error is not None:
            raise self.error
        return self.cards(request)

    def draft_questions(self, request: DraftRequest) -> list[QuestionDraft]:
        self.requests.append(request)
        if self.error is not None:
            raise self.error
        return self.questions(request)

    def estimate_difficulty(self, request: DifficultyRequest) -> list[DifficultyEstimate]:
        self.difficulty_requests.append(request)
        if self.error is not None:
            raise self.error
        return self.difficulty(request)


def chunk_texts(n: int, seed: int = 0) -> list[str]:
    """``n`` textbook-like passages of five sentences each."""
    from tests.factories.files import paragraph

    return [paragraph(seed * 10_000 + i) for i in range(n)]


def seed_processed_document(
    store: DocumentStore,
    uid: str,
    course_id: str,
    texts: list[str],
    *,
    retriever: Retriever | None = None,
    title: str = "Lecture notes",
    status: str = "ready",
    language: str = "en",
    now: datetime | None = None,
) -> str:
    """A document record as ingestion leaves it (``ready`` with ``chunk_count``)
    and its chunks, written by the documents repository itself; indexed
    in ``retriever`` when given. For unit tests: HTTP tests run real ingestion."""
    from aksio.documents import paths as doc_paths
    from aksio.documents import repository
    from aksio.documents.model import Chunk
    from aksio.ports.retrieval import CourseScope, Passage

    now = now or datetime.now(UTC)
    doc, _ = repository.new_document(
        store,
        uid,
        course_id,
        filename="notes.md",
        title=title,
        content_type="text/markdown",
        size=sum(len(t) for t in texts),
        now=now,
    )
    chunks = [
        Chunk(i, i // 3 + 1, f"Part {i // 10}", t, len(t.split())) for i, t in enumerate(texts)
    ]
    if status == "ready":
        repository.replace_chunks(
            store,
            uid=uid,
            course_id=course_id,
            document_id=doc.id,
            title=title,
            chunks=chunks,
            generation=1,
        )
        if retriever is not None:
            retriever.index_document(
                CourseScope(uid, course_id),
                doc.id,
                [
                    Passage(doc_paths.chunk_id(doc.id, c.index), doc.id, c.text, c.page, c.heading)
                    for c in chunks
                ],
            )
    fields: dict[str, object] = {"status": status, "language": language}
    if status == "ready":
        fields["chunk_count"] = len(chunks)
    store.update(doc_paths.document(uid, course_id, doc.id), fields)
    return doc.id
