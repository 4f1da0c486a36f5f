"""Profiles: one document per user at ``users/{uid}``.

Every authenticated request ensures the profile exists; the check is cached
per instance so it costs one read per user per instance, not per request.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aksio.accounts import paths
from aksio.errors import NotFound
from aksio.ports.documents import AlreadyExists, DocumentStore
from aksio.ports.identity import Principal

if TYPE_CHECKING:
    # Every function's auth step imports this module for ensure_profile; the
    # accounts models (and email-validator) load only where profiles are read.
    from aksio.accounts.models import Profile, ProfileUpdate

PROFILE_DEFAULTS: dict[str, Any] = {
    "university": None,
    "program": None,
    "timezone": "UTC",
    "locale": "en",
    "study_goals": [],
    "daily_goal_minutes": 30,
    "desired_retention": 0.9,
    "plan": "free",
}

_KNOWN_MAX = 10_000
_known: OrderedDict[tuple[int, str], None] = OrderedDict()
_known_lock = threading.Lock()


def _remember(store: DocumentStore, uid: str) -> bool:
    """True if this instance already saw the profile (LRU, bounded)."""
    key = (id(store), uid)
    with _known_lock:
        if key in _known:
            _known.move_to_end(key)
            return True
        _known[key] = None
        if len(_known) > _KNOWN_MAX:
            _known.popitem(last=False)
        return False


def forget(store: DocumentStore, uid: str) -> None:
    with _known_lock:
        _known.pop((id(store), uid), None)


def create_profile(
    store: DocumentStore, uid: str, email: str | None, display_name: str | None, now: datetime
) -> None:
    """Create the profile unless it exists (a concurrent request may win)."""
    data = {
        **PROFILE_DEFAULTS,
        "uid": uid,
        "email": email,
        "display_name": display_name or (email.split("@")[0] if email else None),
        "created_at": now,
        "updated_at": now,
    }
    with contextlib.suppress(AlreadyExists):
        store.create(paths.user(uid), data)


def ensure_profile(store: DocumentStore, principal: Principal, now: datetime) -> None:
    if _remember(store, principal.uid):
        return
    if store.get(paths.user(principal.uid)) is None:
        create_profile(store, principal.uid, principal.email, None, now)


def get_profile(store: DocumentStore, uid: str) -> Profile:
    snap = store.get(paths.user(uid))
    if snap is None:
        raise NotFound("No profile for this account.")
    from aksio.accounts.models import Profile

    return Profile.model_validate({**PROFILE_DEFAULTS, **snap.data})


def update_profile(store: DocumentStore, uid: str, change: ProfileUpdate, now: datetime) -> Profile:
    fields = change.model_dump(include=change.model_fields_set)
    if fields:
        store.update(paths.user(uid), {**fields, "updated_at": now})
    return get_profile(store, uid)
