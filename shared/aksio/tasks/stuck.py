"""Background work that will never finish: a plan, generation job or quiz left
``queued``/``running`` (a document left ``processing``) because its task died
where no give-up hook could run (the last attempt timed out, the instance was
killed, the task or event was lost).

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


def is_stuck(
    status: Any, updated_at: Any, now: datetime, after: timedelta, busy: frozenset[str] = BUSY
) -> bool:
    return status in busy and isinstance(updated_at, datetime) and updated_at < now - after


def settled(item: M, now: datetime, after: timedelta, busy: frozenset[str] = BUSY) -> M:
    """``item`` (a model with ``status``, ``error`` and ``updated_at``) as the
    student should see it: failed with ``STUCK_ERROR`` when it is stuck in
    one of the ``busy`` statuses."""
    status, updated = getattr(item, "status", None), getattr(item, "updated_at", None)
    if not is_stuck(status, updated, now, after, busy):
        return item
    return item.model_copy(update={"status": "failed", "error": STUCK_ERROR})


def shown(services: Services, item: M, busy: frozenset[str] = BUSY) -> M:
    """``settled`` at the services' clock and settings (handlers use this)."""
    return settled(item, services.clock.now(), stuck_after(services.settings), busy)


def shown_page(services: Services, page: Page[M], busy: frozenset[str] = BUSY) -> Page[M]:
    now, after = services.clock.now(), stuck_after(services.settings)
    items = [settled(i, now, after, busy) for i in page.items]
    return page.model_copy(update={"items": items})
