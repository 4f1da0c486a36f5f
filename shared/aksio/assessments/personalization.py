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
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from aksio.assessments import optimizer, paths
from aksio.assessments.optimizer import Metrics, ReviewRecord
from aksio.assessments.scheduling import RATINGS
from aksio.config import Settings
from aksio.ports.documents import DocumentStore, Transaction, collection
from aksio.ports.tasks import (
    PermanentTaskError,
    Task,
    TaskAlreadyExists,
    TaskDelivery,
    TaskQueue,
)
from aksio.tasks.registry import register

log = logging.getLogger("aksio.assessments")

TASK_KIND = "fit_fsrs_parameters"
TRAIN_FRACTION = 0.8
"""Earlier share of the log (by review time) the candidate is fitted on."""

QUERY_INDEXES: list[dict[str, Any]] = []
"""The task streams one whole collection without filters: no composite index."""


class FitPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # A Firebase uid; it becomes a path segment, so no "/".
    uid: str = Field(min_length=1, max_length=128, pattern=r"^[^/]+$")


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


# ------------------------------------------------------------------ deciding (pure)
@dataclass(frozen=True)
class FitDecision:
    """What a fit found: ``parameters`` None keeps the defaults."""

    parameters: list[float] | None
    adopted: bool
    reviews: int
    default: Metrics
    fitted: Metrics

    def to_stats(self, now: datetime) -> dict[str, Any]:
        """The stats document's ``fsrs`` field."""
        return {
            "parameters": self.parameters,
            "fitted_at": now,
            "fitted_on_reviews": self.reviews,
            "metrics": {
                "log_loss_default": self.default.log_loss,
                "log_loss_fitted": self.fitted.log_loss,
                "rmse_default": self.default.rmse_bins,
                "rmse_fitted": self.fitted.rmse_bins,
                "scored_reviews": self.default.count,
            },
            "adopted": self.adopted,
        }


def decide(reviews: Sequence[ReviewRecord]) -> FitDecision | None:
    """Fit on the earlier 80% by time, score both parameter sets on the later
    20%; None when the log cannot tell (too few reviews or long-term items to
    fit, or nothing long-term to score).

    Scored on long-term reviews only (a later UTC day than the card's previous
    review): that is what FSRS's forgetting curve predicts and what fsrs-rs
    trains on; same-day learning steps would only add noise to the choice.
    Ties adopt: the fitted parameters are then no worse and are the user's own.
    """
    # Time order, then card id: equal timestamps must not make the split
    # depend on how the store happened to return them (idempotence).
    ordered = sorted(reviews, key=lambda r: (r.reviewed_at, r.card_id))
    split = int(len(ordered) * TRAIN_FRACTION)
    train, test = ordered[:split], ordered[split:]
    candidate = optimizer.fit_parameters(train)
    if candidate is None:
        return None
    default = optimizer.evaluate(None, train, test, long_term_only=True)
    fitted = optimizer.evaluate(candidate, train, test, long_term_only=True)
    scores = (default.log_loss, fitted.log_loss, default.rmse_bins, fitted.rmse_bins)
    if default.count == 0 or not all(math.isfinite(s) for s in scores):
        return None
    adopted = fitted.log_loss <= default.log_loss
    parameters: list[float] | None = None
    if adopted:
        # The split only decided *whether* to personalise; the stored set
        # learns from every review. The earlier-part fit stands in should the
        # whole-log fit fail, which it should not on a superset.
        parameters = optimizer.fit_parameters(ordered) or candidate
    return FitDecision(parameters, adopted, len(ordered), default, fitted)


# ------------------------------------------------------------------ I/O
def review_record(doc_id: str, data: Mapping[str, Any]) -> ReviewRecord | None:
    """A review log document as a record; None when it is unreadable. The card
    id falls back to the document id (``{card_id}-{seq:06d}``), and an ISO
    string is accepted for the time, so either way of writing the log works."""
    rating, at = data.get("rating"), data.get("reviewed_at")
    card_id = data.get("card_id") or doc_id.rpartition("-")[0] or None
    if isinstance(at, str):
        try:
            at = datetime.fromisoformat(at)
        except ValueError:
            return None
    if (
        rating not in RATINGS
        or not isinstance(at, datetime)
        or at.tzinfo is None
        or not isinstance(card_id, str)
    ):
        return None
    duration = data.get("duration_ms")
    return ReviewRecord(
        card_id=card_id,
        rating=RATINGS.index(rating) + 1,
        reviewed_at=at,
        duration_ms=duration if isinstance(duration, int) else None,
    )


def load_reviews(store: DocumentStore, uid: str) -> tuple[list[ReviewRecord], int]:
    """The user's review log as records, and how many documents were unreadable.
    Streamed: only the small records are kept (50,000 reviews are a few MB)."""
    records: list[ReviewRecord] = []
    skipped = 0
    for snap in store.stream(collection(paths.reviews(uid))):
        record = review_record(snap.id, snap.data)
        if record is None:
            skipped += 1
        else:
            records.append(record)
    return records, skipped


def store_decision(store: DocumentStore, uid: str, decision: FitDecision, now: datetime) -> bool:
    """Write the outcome unless a fit on more reviews is stored already (two
    milestone tasks may finish out of order). False when it was not written."""
    path = paths.stats(uid)

    def write(tx: Transaction) -> bool:
        snap = tx.get(path)
        previous = snap.get("fsrs.fitted_on_reviews") if snap is not None else None
        if isinstance(previous, int) and previous > decision.reviews:
            return False
        tx.set(path, {"fsrs": decision.to_stats(now)}, merge=True)
        return True

    return store.run_transaction(write)


def fit_user(store: DocumentStore, uid: str, now: datetime) -> FitDecision | None:
    """Fit, decide and store one user's parameters; None when nothing was stored."""
    reviews, skipped = load_reviews(store, uid)
    extra = {"uid": uid, "reviews": len(reviews), "skipped": skipped}
    if skipped:
        log.warning("unreadable review log entries skipped", extra=extra)
    decision = decide(reviews)
    if decision is None:
        # Not an error: the next milestone tries again with more reviews.
        log.info("FSRS fit skipped: too few (long-term) reviews", extra=extra)
        return None
    if not store_decision(store, uid, decision, now):
        log.info("FSRS fit not stored: a fit on more reviews is stored already", extra=extra)
        return None
    log.info(
        "FSRS parameters fitted",
        extra={
            **extra,
            "adopted": decision.adopted,
            "log_loss_default": decision.default.log_loss,
            "log_loss_fitted": decision.fitted.log_loss,
            "scored_reviews": decision.default.count,
        },
    )
    return decision


@register(TASK_KIND)
def handle_fit_fsrs_parameters(payload: dict[str, Any], delivery: TaskDelivery) -> None:
    from aksio.composition import get_services

    try:
        task = FitPayload.model_validate(payload)
    except ValidationError as exc:
        raise PermanentTaskError(f"bad {TASK_KIND} payload: {exc}") from None
    services = get_services()
    fit_user(services.documents, task.uid, services.clock.now())
