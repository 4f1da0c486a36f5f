"""CloudTasksQueue through the real ``google-cloud-tasks`` client (REST transport,
anonymous credentials) against a small fake of the Cloud Tasks API on 127.0.0.1.
The fake records what went over the wire and answers like the API does, including
409 ALREADY_EXISTS for a task name it has seen."""

from __future__ import annotations

import base64
import copy
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import tasks_v2

from aksio.adapters.cloud_tasks import CloudTasksQueue, build_create_task_request
from aksio.ports.tasks import Task, TaskAlreadyExists, decode_task_body, task_id_for

PROJECT, LOCATION, QUEUE = "demo-aksio", "europe-west1", "aksio-jobs"
PARENT = f"projects/{PROJECT}/locations/{LOCATION}/queues/{QUEUE}"
WORKER_URL = "https://europe-west1-demo-aksio.cloudfunctions.net/task_worker/"
SA = "tasks-invoker@demo-aksio.iam.gserviceaccount.com"


@dataclass
class FakeCloudTasks:
    """State of the fake API: requests received and task names taken."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    fail_next: list[int] = field(default_factory=list)  # statuses to answer first
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(state: FakeCloudTasks) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status: int, grpc_status: str, message: str) -> None:
            self._reply(
                status, {"error": {"code": status, "message": message, "status": grpc_status}}
            )

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            with state.lock:
                state.requests.append({"method": "POST", "path": self.path, "body": body})
                if state.fail_next:
                    self._error(state.fail_next.pop(0), "UNAVAILABLE", "try again")
                    return
                prefix = "/v2/"
                path = self.path.split("?")[0]
                if not (path.startswith(prefix) and path.endswith("/tasks")):
                    self._error(404, "NOT_FOUND", "no such method")
                    return
                parent = path[len(prefix) :].removesuffix("/tasks")
                task = copy.deepcopy(body["task"])
                name = task.get("name") or f"{parent}/tasks/{len(state.requests):020d}"
                if name in state.names:
                    self._error(409, "ALREADY_EXISTS", "Requested entity already exists")
                    return
                state.names.add(name)
                task["name"] = name
                task.setdefault("scheduleTime", "2026-03-01T12:00:00Z")
                task["createTime"] = "2026-03-01T12:00:00Z"
                task["view"] = "BASIC"
                task.get("httpRequest", {}).pop("body", None)  # BASIC view omits the body
                self._reply(200, task)

        def do_GET(self) -> None:
            with state.lock:
                state.requests.append({"method": "GET", "path": self.path, "body": None})
            name = self.path.removeprefix("/v2/").split("?")[0]
            if name == PARENT:
                self._reply(200, {"name": name, "state": "RUNNING"})
            else:
                self._error(404, "NOT_FOUND", "Queue does not exist")

    return Handler


@pytest.fixture
def fake_api() -> Iterator[tuple[FakeCloudTasks, str]]:
    state = FakeCloudTasks()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def queue(fake_api: tuple[FakeCloudTasks, str]) -> CloudTasksQueue:
    _, endpoint = fake_api
    client = tasks_v2.CloudTasksClient(
        credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
        transport="rest",
        client_options=ClientOptions(api_endpoint=endpoint),
    )
    return CloudTasksQueue(PROJECT, LOCATION, QUEUE, WORKER_URL, SA, client=client)


def _sent_task(state: FakeCloudTasks, index: int = -1) -> dict[str, Any]:
    task: dict[str, Any] = state.requests[index]["body"]["task"]
    return task


def test_named_task_over_the_wire(
    fake_api: tuple[FakeCloudTasks, str], queue: CloudTasksQueue
) -> None:
    state, _ = fake_api
    when = datetime(2026, 3, 1, 13, 30, tzinfo=UTC)
    key = "plan:users/u1/courses/c1"
    name = queue.enqueue(Task("generate_study_plan", {"uid": "u1", "course_id": "c1"}, key, when))

    assert name == f"{PARENT}/tasks/{task_id_for(key)}"
    [request] = state.requests
    assert request["method"] == "POST"
    assert request["path"].split("?")[0] == f"/v2/{PARENT}/tasks"
    sent = _sent_task(state)
    assert sent["name"] == name
    assert sent["scheduleTime"] == "2026-03-01T13:30:00Z"
    http = sent["httpRequest"]
    # The client asks for enum-encoding=int, so POST travels as its number.
    assert "enum-encoding%3Dint" in request["path"]
    assert http["httpMethod"] == int(tasks_v2.HttpMethod.POST)
    assert http["url"] == WORKER_URL
    assert http["headers"] == {"Content-Type": "application/json"}
    assert http["oidcToken"] == {"serviceAccountEmail": SA, "audience": WORKER_URL}
    body = base64.b64decode(http["body"])
    assert json.loads(body) == {
        "kind": "generate_study_plan",
        "payload": {"uid": "u1", "course_id": "c1"},
    }
    assert decode_task_body(body) == ("generate_study_plan", {"uid": "u1", "course_id": "c1"})


def test_unnamed_task_gets_a_server_name_and_no_schedule(
    fake_api: tuple[FakeCloudTasks, str], queue: CloudTasksQueue
) -> None:
    state, _ = fake_api
    first = queue.enqueue(Task("echo", {"n": 1}))
    second = queue.enqueue(Task("echo", {"n": 1}))
    assert first != second and first.startswith(f"{PARENT}/tasks/")
    for sent in (_sent_task(state, 0), _sent_task(state, 1)):
        assert "name" not in sent and "scheduleTime" not in sent


def test_duplicate_name_maps_to_task_already_exists(
    fake_api: tuple[FakeCloudTasks, str], queue: CloudTasksQueue
) -> None:
    state, _ = fake_api
    queue.enqueue(Task("echo", {}, dedupe_key="once"))
    with pytest.raises(TaskAlreadyExists):
        queue.enqueue(Task("echo", {}, dedupe_key="once"))
    assert len(state.requests) == 2


def test_named_task_is_retried_when_unavailable(
    fake_api: tuple[FakeCloudTasks, str], queue: CloudTasksQueue
) -> None:
    state, _ = fake_api
    state.fail_next.append(503)
    name = queue.enqueue(Task("echo", {}, dedupe_key="retry-me"))
    assert name.endswith(task_id_for("retry-me"))
    assert len(state.requests) == 2


def test_unnamed_task_is_not_retried(
    fake_api: tuple[FakeCloudTasks, str], queue: CloudTasksQueue
) -> None:
    from google.api_core.exceptions import ServiceUnavailable

    state, _ = fake_api
    state.fail_next.append(503)
    with pytest.raises(ServiceUnavailable):
        queue.enqueue(Task("echo", {}))
    assert len(state.requests) == 1


def test_ping_reads_the_queue(fake_api: tuple[FakeCloudTasks, str], queue: CloudTasksQueue) -> None:
    from google.api_core.exceptions import NotFound

    state, endpoint = fake_api
    queue.ping()
    assert state.requests[-1]["method"] == "GET"
    assert state.requests[-1]["path"].split("?")[0] == f"/v2/{PARENT}"
    client = tasks_v2.CloudTasksClient(
        credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
        transport="rest",
        client_options=ClientOptions(api_endpoint=endpoint),
    )
    with pytest.raises(NotFound):
        CloudTasksQueue(PROJECT, LOCATION, "missing", WORKER_URL, SA, client=client).ping()


# ---------------------------------------------------------------- the pure builder
def test_build_request_is_pure_and_complete() -> None:
    when = datetime(2026, 3, 1, 14, 30, tzinfo=timezone(timedelta(hours=2)))
    request = build_create_task_request(
        parent=PARENT,
        target_url=WORKER_URL,
        service_account_email=SA,
        task=Task("k", {"a": [1, "x"]}, dedupe_key="d/1", schedule_time=when),
    )
    assert request == {
        "parent": PARENT,
        "task": {
            "name": f"{PARENT}/tasks/{task_id_for('d/1')}",
            "schedule_time": when,
            "http_request": {
                "http_method": "POST",
                "url": WORKER_URL,
                "headers": {"Content-Type": "application/json"},
                "body": b'{"kind":"k","payload":{"a":[1,"x"]}}',
                "oidc_token": {"service_account_email": SA, "audience": WORKER_URL},
            },
        },
    }
    tasks_v2.CreateTaskRequest(request)  # and the SDK accepts it as is


def test_build_request_naive_schedule_time_is_utc_and_audience_override() -> None:
    naive = datetime(2026, 3, 1, 12, 0)
    request = build_create_task_request(
        parent=PARENT,
        target_url=WORKER_URL,
        service_account_email=SA,
        task=Task("k", {}, schedule_time=naive),
        audience="https://audience.example/",
    )
    assert request["task"]["schedule_time"] == naive.replace(tzinfo=UTC)
    assert request["task"]["http_request"]["oidc_token"]["audience"] == "https://audience.example/"


def test_build_request_needs_a_service_account() -> None:
    with pytest.raises(ValueError):
        build_create_task_request(
            parent=PARENT, target_url=WORKER_URL, service_account_email="", task=Task("k", {})
        )


def test_importing_the_adapter_does_not_import_the_sdk() -> None:
    import subprocess
    import sys

    code = (
        "import sys, aksio.ports.tasks, aksio.adapters.cloud_tasks\n"
        "import aksio.adapters.inprocess_tasks\n"
        "assert 'google.cloud.tasks_v2' not in sys.modules, 'SDK imported eagerly'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
