"""The background half of generation: gather passages, ask the language
model, keep the sound drafts, store them, record the outcome.

Idempotent: a job or quiz already ``ready`` or ``failed`` is left alone, and
one found ``running`` (an attempt that died midway) is run again. Cards
cannot double on a rerun: drafts whose front the course already has are
dropped (fingerprints), so a rerun only adds what the first run did not
(its ``created_count`` then counts the cards this run added). A quiz is
filled in one write, so a rerun replaces rather than appends.

Failures: a ``LanguageModelError`` that may pass (rate limit, outage,
timeout) is raised for the queue to retry, and the give-up hook records it
once the attempts run out; any other failure is recorded at once with a
sentence the student can read, and ``PermanentTaskError`` stops the task.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import ValidationError

from aksio.assessments import paths
from aksio.assessments.generation import drafts, jobs, passages
from aksio.courses import paths as course_paths
from aksio.documents import paths as doc_paths
from aksio.errors import AppError
from aksio.ports.documents import collection
from aksio.ports.llm import DraftRequest, LanguageModelError, SourcePassage
from aksio.ports.tasks import PermanentTaskError

if TYPE_CHECKING:
    from aksio.composition import Services

log = logging.getLogger("aksio.assessments.generation")

GENERIC_FAILURE = "Generation failed unexpectedly; try again later."
MODEL_UNAVAILABLE = "The language model could not be reached; try again later."
NOTHING_MADE = "No usable {noun} could be made from this material."


class GenerationFailed(Exception):
    """Retrying cannot help; ``reason`` is a sentence for the student."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Material:
    passages: list[SourcePassage]
    request: DraftRequest
    sections: dict[str, str] = field(default_factory=dict)
    """Document id -> the section an item citing it belongs to (documents
    linked to a section that exists; in a section's scope, all of them)."""


def gather(
    services: Services,
    uid: str,
    course_id: str,
    *,
    document_id: str | None,
    section_id: str | None,
    count: int,
) -> Material:
    """The passages and the model request for a scope, re-checked now: the
    document or section may have changed since the request was accepted."""
    from aksio.assessments.keyterms import key_terms

    store = services.documents
    course = store.get(course_paths.course(uid, course_id))
    if course is None or course.data.get("status") == "deleting":
        raise GenerationFailed("The course no longer exists.")
    documents = passages.ready_documents(store, uid, course_id)
    language = passages.main_language(documents)
    # Bounded by the course's section limit; a link to a deleted section is ignored.
    sections = {s.id: s for s in store.query(collection(course_paths.sections(uid, course_id)))}
    linked = {d.id: d.section_id for d in documents if d.section_id in sections}
    if document_id is not None:
        doc = store.get(doc_paths.document(uid, course_id, document_id))
        if doc is None or doc.data.get("status") != "ready":
            raise GenerationFailed("The document is no longer available.")
        ready = passages.as_ready(doc)
        language = ready.language or language
        if ready.section_id in sections:
            linked[ready.id] = ready.section_id
        chosen = passages.document_passages(store, uid, course_id, ready, count)
    elif section_id is not None:
        section = sections.get(section_id)
        if section is None:
            raise GenerationFailed("The section no longer exists.")
        own = [d for d in documents if linked.get(d.id) == section_id]
        if own:  # the section's own documents, rather than a guess from its title
            chosen = passages.course_passages(store, uid, course_id, own, count)
        else:
            chosen = passages.section_passages(
                store,
                services.retriever,
                uid,
                course_id,
                title=str(section.data.get("title") or ""),
                description=section.data.get("description"),
                count=count,
            )
        linked = {p.document_id: section_id for p in chosen}
        if not chosen:
            raise GenerationFailed(
                "No passage of the course's documents matches this section; "
                "give the section a description or generate from a document."
            )
    else:
        chosen = passages.course_passages(store, uid, course_id, documents, count)
    if not chosen:
        raise GenerationFailed("Upload and process a document first: there is no text to use.")
    texts = passages.vocabulary_texts(store, uid, course_id, documents, chosen)
    vocabulary = key_terms(texts, limit=passages.VOCABULARY_SIZE, language=language)
    title = course.data.get("title")
    request = DraftRequest(
        passages=tuple(chosen),
        count=count,
        language=language,
        course_title=title if isinstance(title, str) else None,
        vocabulary=tuple(vocabulary),
    )
    return Material(chosen, request, {d: sid for d, sid in linked.items() if sid is not None})


# ------------------------------------------------------------------ flashcards
def run_flashcards(services: Services, uid: str, job_id: str) -> None:
    from aksio.assessments.flashcards import repository as cards

    store, clock = services.documents, services.clock
    job = jobs.start(store, uid, job_id, clock.now())
    if job is None:
        return  # gone with its course, or finished by an earlier delivery
    try:
        material = gather(
            services,
            uid,
            job.course_id,
            document_id=job.document_id,
            section_id=job.section_id,
            count=job.requested_count,
        )
        made = services.language_model.draft_flashcards(material.request)
        kept = drafts.cards_from_drafts(
            made,
            material.passages,
            course_id=job.course_id,
            sections=material.sections,
            count=job.requested_count,
        )
        existing = cards.existing_fingerprints(store, uid, job.course_id, kept.fingerprints)
        kept = drafts.without_existing(kept, existing)
        if not kept.items and not kept.duplicates:
            raise GenerationFailed(NOTHING_MADE.format(noun="card"))
        # The query above catches the course's cards; the transaction catches a
        # concurrent run adding the same generated card in the meantime.
        created = cards.create_cards(store, uid, kept.items, clock.now(), origin="generated")
        kept = drafts.only_created(kept, {c.front for c in created})
    except LanguageModelError as exc:
        if exc.retryable:
            raise
        jobs.fail(store, uid, job_id, clock.now(), exc.reason)
        raise PermanentTaskError(exc.reason) from exc
    except (GenerationFailed, AppError) as exc:
        # AppError: the course or section went away while we worked (NotFound).
        reason = exc.reason if isinstance(exc, GenerationFailed) else exc.message
        jobs.fail(store, uid, job_id, clock.now(), reason)
        raise PermanentTaskError(reason) from exc
    except ValidationError as exc:
        # A bug, not bad model output (drafts are validated one by one): the
        # worker would discard it as a bad payload, so record the failure here.
        log.exception("flashcard generation failed", extra={"uid": uid, "job": job_id})
        jobs.fail(store, uid, job_id, clock.now(), GENERIC_FAILURE)
        raise PermanentTaskError(GENERIC_FAILURE) from exc
    warning = drafts.shortfall_warning(kept, job.requested_count, "card")
    jobs.finish(
        store,
        uid,
        job_id,
        clock.now(),
        status="ready",
        created_count=len(kept.items),
        skipped_duplicates=kept.duplicates,
        warnings=[warning] if warning else [],
    )


def flashcards_gave_up(services: Services, uid: str, job_id: str, exc: Exception) -> None:
    jobs.fail(services.documents, uid, job_id, services.clock.now(), give_up_reason(exc))


def give_up_reason(exc: Exception) -> str:
    if isinstance(exc, LanguageModelError):
        return f"{MODEL_UNAVAILABLE} ({exc.reason})"
    return GENERIC_FAILURE


# ------------------------------------------------------------------ quizzes
def _quiz_status(services: Services, uid: str, quiz_id: str) -> str | None:
    snap = services.documents.get(paths.quiz(uid, quiz_id))
    return None if snap is None else str(snap.data.get("status"))


def run_quiz(
    services: Services,
    uid: str,
    quiz_id: str,
    *,
    course_id: str,
    document_id: str | None,
    section_id: str | None,
    count: int,
) -> None:
    from aksio.assessments.quizzes import repository as quizzes

    store, clock = services.documents, services.clock
    if _quiz_status(services, uid, quiz_id) not in {"queued", "running"}:
        return  # gone (deleted, or with its course) or finished by an earlier delivery
    try:
        quizzes.set_quiz_status(store, uid, quiz_id, "running", clock.now())
        material = gather(
            services,
            uid,
            course_id,
            document_id=document_id,
            section_id=section_id,
            count=count,
        )
        made = services.language_model.draft_questions(material.request)
        # Each question belongs to its cited document's section (in a section's
        # scope, that section), so a wrong answer raises the right weakness.
        kept = drafts.questions_from_drafts(
            made, material.passages, sections=material.sections, count=count
        )
        if not kept.items:
            raise GenerationFailed(NOTHING_MADE.format(noun="question"))
        warning = drafts.shortfall_warning(kept, count, "question")
        quizzes.fill_quiz(
            store, uid, quiz_id, kept.items, clock.now(), warnings=[warning] if warning else []
        )
    except LanguageModelError as exc:
        if exc.retryable:
            raise
        _fail_quiz(services, uid, quiz_id, exc.reason)
        raise PermanentTaskError(exc.reason) from exc
    except (GenerationFailed, AppError) as exc:
        reason = exc.reason if isinstance(exc, GenerationFailed) else exc.message
        _fail_quiz(services, uid, quiz_id, reason)
        raise PermanentTaskError(reason) from exc
    except (ValidationError, ValueError) as exc:
        log.exception("quiz generation failed", extra={"uid": uid, "quiz": quiz_id})
        _fail_quiz(services, uid, quiz_id, GENERIC_FAILURE)
        raise PermanentTaskError(GENERIC_FAILURE) from exc


def _fail_quiz(services: Services, uid: str, quiz_id: str, reason: str) -> None:
    from aksio.assessments.quizzes import repository as quizzes

    # Only an unfinished quiz: a late give-up must not undo a ready one.
    if _quiz_status(services, uid, quiz_id) in {"queued", "running"}:
        quizzes.set_quiz_status(
            services.documents, uid, quiz_id, "failed", services.clock.now(), error=reason
        )


def quiz_gave_up(services: Services, uid: str, quiz_id: str, exc: Exception) -> None:
    _fail_quiz(services, uid, quiz_id, give_up_reason(exc))
