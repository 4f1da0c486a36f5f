"""How the SQLite store keeps Firestore values in a JSON column.

Strings, timestamps and bytes are all JSON strings with a type prefix
(``s:``, ``d:`` ISO-8601 UTC with microseconds, ``x:`` hex). The prefixes
sort like Firestore's type order (timestamp < string < bytes) and each
encoding sorts like its values, so SQLite can filter and order on
``json_extract`` directly. Maps are stored with sorted keys so equal maps
have equal text.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any

from aksio.ports.documents import InvalidArgument

TS, STR, BYTES = "d:", "s:", "x:"
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Type ranks in Firestore's cross-type order (null < bool < number < ...).
R_NULL, R_BOOL, R_NUM, R_TS, R_STR, R_BYTES, R_ARRAY, R_MAP = range(8)


def to_utc(value: datetime) -> datetime:
    # Naive datetimes are taken as UTC, as the Firestore SDK does.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def micros(value: datetime) -> int:
    return (to_utc(value) - EPOCH) // timedelta(microseconds=1)


def from_micros(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)


def _ts_text(value: datetime) -> str:
    v = to_utc(value)
    # Fixed width (zero-padded year) so text order is time order.
    return (
        f"{TS}{v.year:04d}-{v.month:02d}-{v.day:02d}T"
        f"{v.hour:02d}:{v.minute:02d}:{v.second:02d}.{v.microsecond:06d}"
    )


def encode(value: Any) -> Any:
    """A port value as its JSON-ready stored form."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            raise InvalidArgument(f"integer out of the 64-bit range: {value}")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidArgument("NaN and infinity are not supported by the SQLite store")
        return value
    if isinstance(value, str):
        return STR + value
    if isinstance(value, bytes | bytearray):
        return BYTES + bytes(value).hex()
    if isinstance(value, datetime):
        return _ts_text(value)
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if not isinstance(k, str) or not k:
                raise InvalidArgument(f"field names must be non-empty strings: {k!r}")
            out[k] = encode(v)
        return out
    raise InvalidArgument(f"unsupported value type: {type(value).__name__}")


def decode(value: Any) -> Any:
    if isinstance(value, str):
        tag, body = value[:2], value[2:]
        if tag == STR:
            return body
        if tag == TS:
            return datetime.fromisoformat(body).replace(tzinfo=UTC)
        if tag == BYTES:
            return bytes.fromhex(body)
        raise ValueError(f"corrupt stored value: {value!r}")
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        return {k: decode(v) for k, v in value.items()}
    return value


def dumps(stored: Any) -> str:
    return json.dumps(stored, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def encode_doc(data: dict[str, Any]) -> str:
    return dumps(encode(data))


def decode_doc(text: str) -> dict[str, Any]:
    out: dict[str, Any] = decode(json.loads(text))
    return out


def rank(value: Any) -> int:
    """Firestore's type rank of a port value."""
    if value is None:
        return R_NULL
    if isinstance(value, bool):
        return R_BOOL
    if isinstance(value, int | float):
        return R_NUM
    if isinstance(value, datetime):
        return R_TS
    if isinstance(value, str):
        return R_STR
    if isinstance(value, bytes | bytearray):
        return R_BYTES
    if isinstance(value, list | tuple):
        return R_ARRAY
    if isinstance(value, dict):
        return R_MAP
    raise InvalidArgument(f"unsupported value type: {type(value).__name__}")


def sql_value(value: Any) -> Any:
    """What ``json_extract`` returns for a stored ``value`` (for binding).

    Arrays and maps come back as minified JSON text; callers compare them
    through ``json(?)`` so both sides are minified by SQLite.
    """
    if isinstance(value, bool):
        return int(value)
    stored = encode(value)
    if isinstance(stored, list | dict):
        return dumps(stored)
    return stored


def name_key(path: str) -> str:
    # Firestore orders names segment by segment; a separator below every
    # id character makes plain text order do the same.
    return path.replace("/", "\x01")


def values_equal(a: Any, b: Any) -> bool:
    """Firestore equality: 1 == 1.0, but True != 1; maps ignore key order."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(values_equal(a[k], b[k]) for k in a)
    if isinstance(a, datetime) and isinstance(b, datetime):
        return to_utc(a) == to_utc(b)
    return type(a) is type(b) and bool(a == b)
