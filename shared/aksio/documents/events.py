"""Cloud Storage ``object.finalized`` CloudEvents: built locally exactly as
Eventarc delivers them, and parsed the same way in both places."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cloudevents.http import CloudEvent

from aksio.ids import new_id
from aksio.ports.blobs import BlobInfo

FINALIZED = "google.cloud.storage.object.v1.finalized"


def finalized_event(bucket: str, info: BlobInfo) -> CloudEvent:
    """The event Eventarc sends for a new object (attributes and data fields
    as documented for Cloud Storage; numbers as strings, as the JSON API has)."""
    updated = info.updated.isoformat().replace("+00:00", "Z")
    attributes = {
        "id": new_id(),
        "source": f"//storage.googleapis.com/projects/_/buckets/{bucket}",
        "type": FINALIZED,
        "subject": f"objects/{info.name}",
        "time": updated,
        "specversion": "1.0",
    }
    data = {
        "kind": "storage#object",
        "bucket": bucket,
        "name": info.name,
        "generation": str(info.generation),
        "metageneration": "1",
        "size": str(info.size),
        "contentType": info.content_type,
        "timeCreated": updated,
        "updated": updated,
        "id": f"{bucket}/{info.name}/{info.generation}",
    }
    return CloudEvent(attributes, data)


@dataclass(frozen=True)
class FinalizedObject:
    bucket: str
    name: str
    generation: int
    size: int
    content_type: str | None
    event_id: str

    @property
    def key(self) -> str:
        """What makes a delivery unique: Eventarc may deliver an event twice."""
        return f"{self.bucket}/{self.name}#{self.generation}"


class UnusableEvent(ValueError):
    """Not a finalized-object event we can act on."""


def parse_finalized(event: CloudEvent) -> FinalizedObject:
    if event["type"] != FINALIZED:
        raise UnusableEvent(f"unexpected event type {event['type']!r}")
    data: Any = event.data
    if not isinstance(data, dict):
        raise UnusableEvent("event data is not an object")
    try:
        return FinalizedObject(
            bucket=str(data["bucket"]),
            name=str(data["name"]),
            generation=int(data["generation"]),
            size=int(data.get("size", 0)),
            content_type=data.get("contentType"),
            event_id=str(event["id"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise UnusableEvent(f"event data lacks {exc}") from None


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
