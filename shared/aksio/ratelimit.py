"""Fixed-window rate limits kept in the document store, so every instance of
a function shares them (in-memory counters would reset per instance)."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

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


DAY_S = 86_400


def next_utc_midnight(now: datetime) -> datetime:
    day = math.floor(now.timestamp() / DAY_S)
    return datetime.fromtimestamp((day + 1) * DAY_S, UTC)


def hit_daily(store: DocumentStore, key: str, limit: int, now: datetime, what: str) -> None:
    """One of a user's ``what`` (e.g. "generation requests") for the UTC day;
    429 past ``limit``, with ``retry_after`` and ``reset_at`` (when the next
    day's allowance starts) in the error's details."""
    try:
        hit(store, key, Limit(limit, DAY_S), now)
    except RateLimited as exc:
        at = next_utc_midnight(now).isoformat().replace("+00:00", "Z")
        error = RateLimited(
            f"You have used today's {limit} {what}; more from {at}.",
            retry_after=exc.retry_after,
        )
        error.details = {"retry_after": exc.retry_after, "reset_at": at}
        raise error from None
