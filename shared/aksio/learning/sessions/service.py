"""What a session change sets off after it is committed.

Completing a session records a ``study`` activity, which advances the
streak (``aksio.accounts.activity``: its own transaction, so it runs after
the session's). Completing or skipping a plan session lets the plan check
whether the student fell behind enough to replan.

Neither may undo or fail the committed change: the session is completed
whatever happens next, and a retried PATCH would be a 409, so a failure here
is logged (with the session id, for a repair) rather than answered as a 500.
"""

from __future__ import annotations

from aksio.accounts.activity import record_after_commit
from aksio.accounts.models import ActivityCreate
from aksio.composition import Services
from aksio.learning.sessions import repository
from aksio.learning.sessions.models import Session, SessionUpdate


def update_session(services: Services, uid: str, session_id: str, body: SessionUpdate) -> Session:
    now = services.clock.now()
    changed = repository.update_session(services.documents, uid, session_id, body, now)
    session = changed.session
    if changed.new_status == "completed":
        record_after_commit(
            services.documents,
            uid,
            ActivityCreate(
                kind="study", course_id=session.course_id, minutes=session.actual_minutes or 0
            ),
            now,
            session=session.id,
        )
    if changed.new_status in ("completed", "skipped") and session.plan_id is not None:
        # imported here: the plans service pulls in the planner and task queue
        from aksio.learning.plans.service import maybe_replan

        maybe_replan(services, uid, session.plan_id, changed.today)
    return session
