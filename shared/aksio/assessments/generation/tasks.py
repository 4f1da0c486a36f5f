"""Task handlers of generation: ``generate_flashcards`` and ``generate_quiz``
(listed in ``aksio.tasks.registry.HANDLER_MODULES``)."""

from __future__ import annotations

from typing import Any

from aksio.assessments.generation import runner
from aksio.assessments.generation.models import FlashcardTaskPayload, QuizTaskPayload
from aksio.assessments.generation.service import FLASHCARDS_TASK, QUIZ_TASK
from aksio.ports.tasks import TaskDelivery
from aksio.tasks.registry import register


def _flashcards_gave_up(payload: dict[str, Any], delivery: TaskDelivery, exc: Exception) -> None:
    from aksio.composition import get_services

    task = FlashcardTaskPayload.model_validate(payload)
    runner.flashcards_gave_up(get_services(), task.uid, task.job_id, exc)


@register(FLASHCARDS_TASK, on_give_up=_flashcards_gave_up)
def generate_flashcards(payload: dict[str, Any], delivery: TaskDelivery) -> None:
    from aksio.composition import get_services

    task = FlashcardTaskPayload.model_validate(payload)
    runner.run_flashcards(get_services(), task.uid, task.job_id)


def _quiz_gave_up(payload: dict[str, Any], delivery: TaskDelivery, exc: Exception) -> None:
    from aksio.composition import get_services

    task = QuizTaskPayload.model_validate(payload)
    runner.quiz_gave_up(get_services(), task.uid, task.quiz_id, exc)


@register(QUIZ_TASK, on_give_up=_quiz_gave_up)
def generate_quiz(payload: dict[str, Any], delivery: TaskDelivery) -> None:
    from aksio.composition import get_services

    task = QuizTaskPayload.model_validate(payload)
    runner.run_quiz(
        get_services(),
        task.uid,
        task.quiz_id,
        course_id=task.course_id,
        document_id=task.document_id,
        section_id=task.section_id,
        count=task.count,
    )
