"""Task handler of progress: ``refresh_mastery`` (recomputes one course's
mastery snapshot; listed in ``aksio.tasks.registry.HANDLER_MODULES``). Idempotent: a second delivery
recomputes the same snapshot, and an older one never replaces a newer."""

from __future__ import annotations

import logging
from typing import Any

from aksio.learning.progress.refresh import TASK_KIND, RefreshMasteryPayload, refresh
from aksio.ports.tasks import TaskDelivery
from aksio.tasks.registry import register

log = logging.getLogger("aksio.learning")


@register(TASK_KIND)
def refresh_mastery(payload: dict[str, Any], delivery: TaskDelivery) -> None:
    from aksio.composition import get_services

    task = RefreshMasteryPayload.model_validate(payload)
    services = get_services()
    done = refresh(services.documents, task.uid, task.course_id, services.clock.now())
    log.info(
        "mastery refreshed",
        extra={
            "uid": task.uid,
            "course": task.course_id,
            "written": done.written,
            "cards": done.cards,
            "attempt": delivery.attempt,
        },
    )
