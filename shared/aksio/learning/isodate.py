"""A calendar date as the API documents it: ``YYYY-MM-DD`` and nothing else.

Pydantic's lax date parsing also takes numbers and numeric strings as Unix
timestamps (``0`` or ``"0"`` is 1970-01-01), which the OpenAPI document
(``format: date``) does not allow: a query ``?to=0`` silently filtered up to
1970 instead of being a 400.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator

_FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # RFC 3339 full-date


def _iso_only(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _FULL_DATE.fullmatch(value):
        # parsed here: strict validation (JSON bodies) would refuse the string
        # handed on; month 13 or 30 February is a ValueError, so a 400
        return date.fromisoformat(value)
    raise ValueError("must be a date as YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_only)]
