"""Value types shared by request models."""

from __future__ import annotations

from typing import Any

from pydantic import BeforeValidator


def _integral(value: Any) -> Any:
    # JSON Schema counts 3.0 as an integer; strict validation would not. Strings
    # and booleans still fail: only a float with no fraction becomes an int.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


INTEGRAL = BeforeValidator(_integral)
"""Put last in ``Annotated[int, Field(ge=..., le=...), INTEGRAL]``: after the
constraints, so the JSON schema still shows minimum and maximum."""
