"""Building blocks shared by the request models of every API area."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from aksio.ids import ID_PATTERN

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
"""An id as the API takes it (ULID characters); a wrong one is a 400 in a body."""


def refuse_null(value: object) -> object:
    """Field validator: None is the "not given" default of an OMITTED field; the
    validator runs only for fields sent, so an explicit null is refused as the
    schema says."""
    if value is None:
        raise ValueError("cannot be null")
    return value


def none_if_empty(value: str | None) -> str | None:
    """An optional text sent empty (after stripping) is stored as "not set"."""
    return value or None


def _integral(value: Any) -> Any:
    # JSON Schema counts 3.0 as an integer; strict validation would not. Strings
    # and booleans still fail: only a float with no fraction becomes an int.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


INTEGRAL = BeforeValidator(_integral)
"""Put last in ``Annotated[int, Field(ge=..., le=...), INTEGRAL]``: after the
constraints, so the JSON schema still shows minimum and maximum."""


class Strict(BaseModel):
    """Request bodies reject unknown fields: a typo, or a client trying to set
    a server-owned field such as ``plan``, is a 400 rather than silently lost."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


# An optional field that may be left out but never sent as null: its schema
# must not advertise the None default the code uses to mean "not given".
OMITTED: Any = Field(default=None, json_schema_extra=_no_default)
