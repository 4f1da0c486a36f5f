"""Background work that will never finish: a plan, generation job or quiz left
``queued``/``running`` because its task died where no give-up hook could run
(the last attempt timed out, the instance was killed, the task was lost).

Every attempt refreshes the record's ``updated_at`` when it starts, so a record
still busy long after the whole retry schedule could have ended is stuck.
Readers show it ``failed`` with a sentence the student can act on, and the
actions a busy record refuses (replan, editing a quiz) accept it again. Nothing
is written: if the task does finish after all, its result simply shows.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from aksio.pagination import Page

if TYPE_CHECKING:
    from aksio.composition import Services
    from aksio.config import Settings

BUSY = frozenset({"queued", "running"})
STUCK_ERROR = "This took too long and was stopped; please try again."

M = TypeVar("M", bound=BaseModel)


def stuck_after(settings: Settings) -> timedelta:
    return timedelta(seconds=settings.task_stuck_after_s)


def is_stuck(status: Any, updated_at: Any, now: datetime, after: timedelta) -> bool:
    return status in BUSY and isinstance(updated_at, datetime) and updated_at < now - after


def settled(item: M, now: datetime, after: timedelta) -> M:
    """``item`` (a model with ``status``, ``error`` and ``updated_at``) as the
    student should see it: failed with ``STUCK_ERROR`` when it is stuck."""
    if not is_stuck(getattr(item, "status", None), getattr(item, "updated_at", None), now, after):
        return item
    return item.model_copy(update={"status": "failed", "error": STUCK_ERROR})


def shown(services: Services, item: M) -> M:
    """``settled`` at the services' clock and settings (handlers use this)."""
    return settled(item, services.clock.now(), stuck_after(services.settings))


def shown_page(services: Services, page: Page[M]) -> Page[M]:
    now, after = services.clock.now(), stuck_after(services.settings)
    return page.model_copy(update={"items": [settled(i, now, after) for i in page.items]})
