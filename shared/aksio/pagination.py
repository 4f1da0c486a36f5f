"""Keyset pagination: ``?limit=&cursor=`` in, ``{items, next_cursor}`` out.

The cursor is the store's keyset (order values + document path) encoded as
opaque URL-safe base64 JSON; a tampered cursor is a 400, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from aksio.errors import InvalidInput
from aksio.ports.documents import Query, Snapshot

if TYPE_CHECKING:
    from aksio.ports.documents import DocumentStore

ItemT = TypeVar("ItemT")


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    next_cursor: str | None = None


class PageQuery(BaseModel):
    # An unknown parameter is a 400 like an unknown body field: a typo such as
    # ?limt=5 must not silently fall back to the default.
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2000)


def encode_cursor(values: tuple[Any, ...]) -> str:
    def enc(v: Any) -> Any:
        return {"$t": v.isoformat()} if isinstance(v, datetime) else v

    raw = json.dumps([enc(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, path_prefix: str, length: int | None = None) -> tuple[Any, ...]:
    """Decode and check that the cursor points inside ``path_prefix`` (the
    caller's own collection), so a cursor cannot be used to walk other data,
    and that it has one value per order of the query (``length``)."""

    def dec(v: Any) -> Any:
        if isinstance(v, dict) and set(v) == {"$t"}:
            return datetime.fromisoformat(v["$t"])
        return v

    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or not values:
            raise ValueError("not a list")
        decoded = tuple(dec(v) for v in values)
    except (ValueError, binascii.Error, TypeError, UnicodeDecodeError) as exc:
        raise InvalidInput("The cursor is not valid.", details=[{"field": "cursor"}]) from exc
    if not isinstance(decoded[-1], str) or not decoded[-1].startswith(path_prefix + "/"):
        raise InvalidInput("The cursor is not valid.", details=[{"field": "cursor"}])
    if length is not None and len(decoded) != length:
        raise InvalidInput("The cursor is not valid.", details=[{"field": "cursor"}])
    return decoded


def paged(query: Query, page: PageQuery) -> Query:
    """Apply limit+1 (to know whether there is a next page) and the cursor."""
    q = query.limit_to(page.limit + 1)
    if page.cursor:
        orders = query.normalized_orders()
        q = q.after(decode_cursor(page.cursor, path_prefix=query.parent, length=len(orders)))
    return q


def next_cursor(
    query: Query, snaps: list[Snapshot], limit: int
) -> tuple[list[Snapshot], str | None]:
    if len(snaps) <= limit:
        return snaps, None
    kept = snaps[:limit]
    return kept, encode_cursor(query.cursor_of(kept[-1]))


def fetch_page(
    store: DocumentStore,
    query: Query,
    page: PageQuery,
    convert: Callable[[Snapshot], ItemT],
) -> Page[ItemT]:
    """One page of ``query`` (limit and cursor from ``page``), each document
    turned into its API model by ``convert``."""
    snaps, cursor = next_cursor(query, store.query(paged(query, page)), page.limit)
    return Page(items=[convert(s) for s in snaps], next_cursor=cursor)
