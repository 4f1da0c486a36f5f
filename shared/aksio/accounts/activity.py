"""Activity log and streaks.

Each activity is a document; each active day (in the student's time zone) a
small document; the streak a single document advanced in the same
transaction, so reading the streak costs two reads whatever the history.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from aksio.accounts import paths
from aksio.accounts.domain import StreakState, local_date, streak_on
from aksio.accounts.models import Activity, ActivityCreate, Streak
from aksio.accounts.profiles import PROFILE_DEFAULTS
from aksio.errors import InvalidInput
from aksio.ids import new_id
from aksio.learning import paths as learning_paths
from aksio.learning.progress import aggregates
from aksio.pagination import Page, PageQuery, fetch_page
from aksio.ports.documents import DocumentStore, Increment, Snapshot, Transaction, collection

MAX_FUTURE_SKEW_S = 300
log = logging.getLogger(__name__)


def _timezone(profile: Snapshot | None) -> str:
    tz = profile.data.get("timezone") if profile else None
    return str(tz or PROFILE_DEFAULTS["timezone"])


def _state(snap: Snapshot | None) -> StreakState:
    if snap is None:
        return StreakState()
    last = snap.data.get("last_active_date")
    return StreakState(
        current=int(snap.data.get("current", 0)),
        longest=int(snap.data.get("longest", 0)),
        last_active_date=date.fromisoformat(last) if last else None,
    )


def _state_data(state: StreakState) -> dict[str, object]:
    last = state.last_active_date
    return {
        "current": state.current,
        "longest": state.longest,
        "last_active_date": last.isoformat() if last else None,
    }


def record_activity(
    store: DocumentStore,
    uid: str,
    body: ActivityCreate,
    now: datetime,
    *,
    logged_by_student: bool = False,
) -> Activity:
    """Record the activity, its day and the streak in one transaction. Time a
    student logs by hand (``logged_by_student``) also counts in the progress
    page's minutes studied; the activities the app records for sessions,
    reviews and quizzes do not (the session's minutes are counted already)."""
    occurred = body.occurred_at or now
    if (occurred - now).total_seconds() > MAX_FUTURE_SKEW_S:
        raise InvalidInput(
            "occurred_at is in the future.",
            details=[{"field": "occurred_at", "message": "must not be in the future"}],
        )
    activity = Activity(
        id=new_id(),
        kind=body.kind,
        course_id=body.course_id,
        minutes=body.minutes,
        occurred_at=occurred,
    )

    def apply(tx: Transaction) -> None:
        profile, streak_snap = tx.get_many([paths.user(uid), paths.streak(uid)])
        day = local_date(occurred, _timezone(profile))
        state = _state(streak_snap).advance(day)
        if state is None:  # backfill before the last active day: recount from history
            days = [
                date.fromisoformat(s.id) for s in tx.query(collection(paths.activity_days(uid)))
            ]
            state = StreakState.from_days([*days, day])
        tx.create(f"{paths.activity(uid)}/{activity.id}", activity.model_dump())
        tx.set(
            f"{paths.activity_days(uid)}/{day.isoformat()}",
            {"minutes": Increment(body.minutes), "count": Increment(1)},
            merge=True,
        )
        tx.set(paths.streak(uid), _state_data(state))
        if logged_by_student and body.minutes:
            update = aggregates.minutes_logged(
                course_id=body.course_id, day=day, minutes=body.minutes
            )
            tx.set(learning_paths.stats(uid), update, merge=True)

    store.run_transaction(apply)
    return activity


def record_after_commit(
    store: DocumentStore, uid: str, body: ActivityCreate, now: datetime, **context: Any
) -> None:
    """Record the activity of a change that has committed (a completed
    session, a day's first review, a quiz attempt). Never raises: the change
    stands whatever happens here, and a retried request would be refused or
    counted twice, so a failure is logged with ``context`` for a repair."""
    try:
        record_activity(store, uid, body, now)
    except Exception:
        log.exception("%s activity not recorded", body.kind, extra={"uid": uid, **context})


def list_activity(store: DocumentStore, uid: str, page: PageQuery) -> Page[Activity]:
    query = collection(paths.activity(uid)).order_by("occurred_at", "desc")
    return fetch_page(store, query, page, lambda s: Activity.model_validate(s.data))


def get_streak(store: DocumentStore, uid: str, now: datetime) -> Streak:
    profile, streak_snap = store.get_many([paths.user(uid), paths.streak(uid)])
    view = streak_on(_state(streak_snap), local_date(now, _timezone(profile)))
    return Streak(
        current=view.current,
        longest=view.longest,
        today_done=view.today_done,
        last_active_date=view.last_active_date,
    )
