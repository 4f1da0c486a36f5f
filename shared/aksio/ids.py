"""Sortable ids: ULIDs start with the creation time, so ordering by id is
ordering by creation, which keeps keyset pagination simple and stable."""

from __future__ import annotations

from ulid import ULID


def new_id() -> str:
    return str(ULID()).lower()
