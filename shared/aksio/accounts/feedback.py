"""Feedback a student sends; kept under the user so account deletion removes
it, and read across users by staff with a collection-group query."""

from __future__ import annotations

from datetime import datetime

from aksio.accounts import paths
from aksio.accounts.models import Feedback, FeedbackCreate
from aksio.ids import new_id
from aksio.ports.documents import DocumentStore


def send_feedback(store: DocumentStore, uid: str, body: FeedbackCreate, now: datetime) -> Feedback:
    feedback = Feedback(id=new_id(), created_at=now, **body.model_dump())
    store.create(f"{paths.feedback(uid)}/{feedback.id}", {**feedback.model_dump(), "uid": uid})
    return feedback
