"""Task handler of study plans: ``generate_study_plan`` (builds a new plan and
every replan; listed in ``aksio.tasks.registry.HANDLER_MODULES``)."""

from __future__ import annotations

from typing import Any

from aksio.learning.plans import runner
from aksio.learning.plans.models import PlanTaskPayload
from aksio.learning.plans.service import PLAN_TASK
from aksio.ports.tasks import TaskDelivery
from aksio.tasks.registry import register


def _gave_up(payload: dict[str, Any], delivery: TaskDelivery, exc: Exception) -> None:
    from aksio.composition import get_services

    task = PlanTaskPayload.model_validate(payload)
    runner.gave_up(get_services(), task.uid, task.plan_id, exc)


@register(PLAN_TASK, on_give_up=_gave_up)
def generate_study_plan(payload: dict[str, Any], delivery: TaskDelivery) -> None:
    from aksio.composition import get_services

    task = PlanTaskPayload.model_validate(payload)
    runner.run(get_services(), task.uid, task.plan_id)
