"""Per-user FSRS parameters: when to fit them and the background task that does.

After each review the review endpoint calls :func:`after_review` with the
user's new review total. At ``fsrs_min_reviews_to_fit`` reviews, and every
``fsrs_refit_every`` reviews after that, it queues one ``fit_fsrs_parameters``
task (exact hits: one review in N pays for an enqueue, the others nothing).

The task reads the user's whole review log, splits it by time (earlier 80%,
later 20%, as ``bench/fsrs_fit.py`` measures), fits on the earlier part and
scores default and fitted parameters on the later part. Personal parameters
are adopted only when they predict the later reviews at least as well as the
defaults (log loss on long-term reviews, what FSRS models); then they are
refitted on the whole log and stored in the stats document's ``fsrs`` field,
where the scheduler reads them (``aksio.assessments.stats.fsrs_parameters``).
A fit that loses stores ``parameters: None`` (the defaults) with its metrics.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel, ConfigDict

from aksio.assessments import paths
from aksio.config import Settings
from aksio.ports.tasks import Task, TaskAlreadyExists, TaskQueue

log = logging.getLogger("aksio.assessments")

TASK_KIND = "fit_fsrs_parameters"
TRAIN_FRACTION = 0.8
"""Earlier share of the log (by review time) the candidate is fitted on."""

QUERY_INDEXES: list[dict[str, Any]] = []
"""The task streams one whole collection without filters: no composite index."""


class FitPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uid: str


# ------------------------------------------------------------------ when to fit
def is_fit_milestone(total_reviews: int, first: int, every: int) -> bool:
    """True at ``first`` reviews and every ``every`` reviews after it."""
    if total_reviews < first or first <= 0:
        return False
    if total_reviews == first:
        return True
    return every > 0 and (total_reviews - first) % every == 0


def fit_task(uid: str, total_reviews: int) -> Task:
    # One task per user and milestone: a retried review request that reports
    # the same total cannot queue a second fit.
    return Task(
        TASK_KIND,
        FitPayload(uid=uid).model_dump(),
        dedupe_key=f"{paths.stats(uid)}/fsrs-fit/{total_reviews}",
    )


def after_review(tasks: TaskQueue, settings: Settings, uid: str, total_reviews: int) -> None:
    """Queue a parameter fit when ``total_reviews`` is a milestone. Never raises:
    the review has committed, and a missed fit is made up at the next milestone."""
    try:
        if not is_fit_milestone(
            total_reviews, settings.fsrs_min_reviews_to_fit, settings.fsrs_refit_every
        ):
            return
        tasks.enqueue(fit_task(uid, total_reviews))
    except TaskAlreadyExists:
        pass  # this milestone's fit is queued or done already
    except Exception:
        log.exception(
            "could not queue the FSRS parameter fit",
            extra={"uid": uid, "total_reviews": total_reviews},
        )
