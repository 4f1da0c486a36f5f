"""Cloud Function ``document_uploaded``: Storage object.finalized (Eventarc)."""

import functions_framework
from cloudevents.http import CloudEvent

from aksio import logs
from aksio.documents.trigger import on_object_finalized

logs.configure()


@functions_framework.cloud_event
def document_uploaded(event: CloudEvent) -> None:
    on_object_finalized(event)
