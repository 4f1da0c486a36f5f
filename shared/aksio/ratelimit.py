"""Fixed-window rate limits kept in the document store, so every instance of
a function shares them (in-memory counters would reset per instance)."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from aksio.errors import RateLimited
from aksio.ports.documents import DocumentStore, Increment

COLLECTION = "rate_limits"
TTL_FIELD = "expires_at"
"""Firestore's TTL policy on it (firestore.indexes.json) deletes old windows."""


@dataclass(frozen=True)
class Limit:
    count: int
    window_s: int


def hit(store: DocumentStore, key: str, limit: Limit, now: datetime) -> None:
    """Count one attempt for ``key``; raise RateLimited past the limit.

    Keys are hashed: they may hold an email or an address, which must not sit
    in clear in a shared collection. ``expires_at`` drives a Firestore TTL
    policy that removes old windows.
    """
    window = math.floor(now.timestamp() / limit.window_s)
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    path = f"{COLLECTION}/{digest}-{window}"
    window_end = (window + 1) * limit.window_s
    store.set(
        path,
        {
            "count": Increment(1),
            TTL_FIELD: datetime.fromtimestamp(window_end, now.tzinfo) + timedelta(days=1),
        },
        merge=True,
    )
    snap = store.get(path)
    if snap is not None and int(snap.data.get("count", 0)) > limit.count:
        retry_after = max(1, math.ceil(window_end - now.timestamp()))
        raise RateLimited(
            f"Too many attempts; try again in {retry_after} seconds.", retry_after=retry_after
        )
