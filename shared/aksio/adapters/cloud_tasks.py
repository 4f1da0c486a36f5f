"""Task queue on Cloud Tasks (production): HTTP tasks POSTed to the task_worker
function with an OIDC token minted for ``service_account_email``.

``build_create_task_request`` is pure (no SDK, no I/O) so what we send can be read
and tested on its own; ``google.cloud.tasks_v2`` is imported only when the first
client is made (cold starts).
"""

from __future__ import annotations

import threading
from datetime import UTC
from typing import TYPE_CHECKING, Any

from aksio.ports.tasks import (
    TASK_CONTENT_TYPE,
    Task,
    TaskAlreadyExists,
    encode_task_body,
    task_id_for,
)

if TYPE_CHECKING:
    from google.cloud.tasks_v2 import CloudTasksClient


def queue_path(project: str, location: str, queue: str) -> str:
    return f"projects/{project}/locations/{location}/queues/{queue}"


def build_create_task_request(
    *,
    parent: str,
    target_url: str,
    service_account_email: str,
    task: Task,
    audience: str | None = None,
) -> dict[str, Any]:
    """A ``CreateTaskRequest`` as a mapping (``tasks_v2.CreateTaskRequest(mapping)``).

    The OIDC audience is the target URL by default, which is what the worker
    verifies. A dedupe key becomes the task name: Cloud Tasks then refuses the same
    name (ALREADY_EXISTS) while the task exists and for about an hour after.
    """
    if not service_account_email:
        raise ValueError("Cloud Tasks needs a service account email for the OIDC token")
    http_request: dict[str, Any] = {
        "http_method": "POST",
        "url": target_url,
        "headers": {"Content-Type": TASK_CONTENT_TYPE},
        "body": encode_task_body(task),
        "oidc_token": {
            "service_account_email": service_account_email,
            "audience": audience or target_url,
        },
    }
    message: dict[str, Any] = {"http_request": http_request}
    if task.dedupe_key is not None:
        message["name"] = f"{parent}/tasks/{task_id_for(task.dedupe_key)}"
    if task.schedule_time is not None:
        when = task.schedule_time
        # Naive means UTC, as protobuf's Timestamp reads it; made explicit here.
        message["schedule_time"] = when if when.tzinfo else when.replace(tzinfo=UTC)
    return {"parent": parent, "task": message}


class CloudTasksQueue:
    def __init__(
        self,
        project: str,
        location: str,
        queue: str,
        target_url: str,
        service_account_email: str,
        *,
        client: CloudTasksClient | None = None,
    ) -> None:
        self.parent = queue_path(project, location, queue)
        self.target_url = target_url
        self.service_account_email = service_account_email
        self._client = client
        self._lock = threading.Lock()

    def _get_client(self) -> CloudTasksClient:
        # One client per instance, made on first use and reused (gRPC channel setup
        # is the expensive part).
        if self._client is None:
            with self._lock:
                if self._client is None:
                    from google.cloud import tasks_v2

                    self._client = tasks_v2.CloudTasksClient()
        return self._client

    def enqueue(self, task: Task) -> str:
        from google.api_core import retry as retries
        from google.api_core.exceptions import Conflict, DeadlineExceeded, ServiceUnavailable
        from google.cloud import tasks_v2

        request = build_create_task_request(
            parent=self.parent,
            target_url=self.target_url,
            service_account_email=self.service_account_email,
            task=task,
        )
        # CreateTask has no default retry: a repeat could create a second task. With a
        # task name it cannot (the repeat meets ALREADY_EXISTS), so only then retry.
        retry = (
            retries.Retry(
                predicate=retries.if_exception_type(ServiceUnavailable, DeadlineExceeded),
                initial=0.2,
                maximum=5.0,
                timeout=30.0,
            )
            if task.dedupe_key is not None
            else None
        )
        try:
            created = self._get_client().create_task(
                request=tasks_v2.CreateTaskRequest(request), retry=retry
            )
        except Conflict as exc:
            if not _is_already_exists(exc):
                raise
            raise TaskAlreadyExists(task.dedupe_key or "") from None
        return str(created.name)

    def ping(self) -> None:
        self._get_client().get_queue(name=self.parent)


def _is_already_exists(exc: Exception) -> bool:
    """gRPC raises ``AlreadyExists``; the REST transport maps every HTTP 409 to a
    plain ``Conflict``, so read the API's status from the JSON error there."""
    from google.api_core.exceptions import Aborted, AlreadyExists

    if isinstance(exc, AlreadyExists):
        return True
    if isinstance(exc, Aborted):
        return False
    response = getattr(exc, "response", None)
    try:
        status = response.json()["error"]["status"] if response is not None else None
    except (ValueError, KeyError, TypeError, AttributeError):
        status = None
    return status in (None, "ALREADY_EXISTS")
