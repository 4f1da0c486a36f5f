"""pydantic errors -> the documented field-level details."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError


def validation_details(exc: ValidationError, location: str) -> list[dict[str, Any]]:
    details = []
    for err in exc.errors(include_url=False, include_input=False):
        path = ".".join(str(p) for p in err["loc"])
        details.append(
            {
                "field": path or location,
                "location": location,
                "message": err["msg"],
                "type": err["type"],
            }
        )
    return details
