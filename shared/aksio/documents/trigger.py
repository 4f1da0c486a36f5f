"""The ``document_uploaded`` function's body: a Storage CloudEvent in, a
processed document out. It never raises: see aksio.documents.ingest."""

from __future__ import annotations

import logging

from cloudevents.http import CloudEvent

from aksio.composition import Services, get_services
from aksio.documents.events import UnusableEvent, parse_finalized
from aksio.documents.ingest import process_object

log = logging.getLogger("aksio.documents")


def on_object_finalized(event: CloudEvent, services: Services | None = None) -> None:
    try:
        obj = parse_finalized(event)
    except UnusableEvent as exc:
        log.warning("ignored storage event", extra={"reason": str(exc)})
        return
    outcome = process_object(services or get_services(), obj)
    log.info(
        "storage event %s: %s",
        obj.key,
        outcome.status,
        extra={
            "object": obj.key,
            "event_id": obj.event_id,
            "outcome": outcome.status,
            "reason": outcome.reason,
        },
    )
