"""Sortable ids: ULIDs start with the creation time, so ordering by id is
ordering by creation, which keeps keyset pagination simple and stable."""

from __future__ import annotations

import re

from ulid import ULID

ID_CHARS = r"[A-Za-z0-9_-]{1,128}"
ID_PATTERN = rf"^{ID_CHARS}$"
"""What an id in a path may look like (ours are ULIDs; Firebase uids fit too)."""
_ID = re.compile(ID_PATTERN)


def new_id() -> str:
    return str(ULID()).lower()


def is_valid_id(value: str) -> bool:
    """Ids in URLs: anything else cannot name a document, so it is a 404."""
    return bool(_ID.match(value))
