"""pydantic errors -> the documented field-level details."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

# pydantic puts the union member it tried into the error location
# ("desired_retention.constrained-float"); clients want the field only.
_TYPE_TAGS = {"none", "str", "int", "float", "bool", "list", "dict", "nullable"}


def _is_tag(part: object) -> bool:
    return isinstance(part, str) and (part in _TYPE_TAGS or "-" in part or "[" in part)


def validation_details(exc: ValidationError, location: str) -> list[dict[str, Any]]:
    details: dict[tuple[str, str], dict[str, Any]] = {}
    for err in exc.errors(include_url=False, include_input=False):
        path = ".".join(str(p) for p in err["loc"] if not _is_tag(p)) or location
        details.setdefault(
            (path, err["type"]),
            {"field": path, "location": location, "message": err["msg"], "type": err["type"]},
        )
    # "Input should be None" from the optional branch of a union adds nothing
    # when the value failed its real type.
    useful = [d for d in details.values() if d["type"] != "none_required"]
    return useful or list(details.values())
