"""task_worker end to end: the deployable entry (functions/task_worker/main.py)
served by functions-framework, and the OIDC path of ``handle_task_request``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import flask
import pytest
from pydantic import BaseModel
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder

from aksio.config import Settings
from aksio.ports.tasks import PermanentTaskError, RetryPolicy, TaskDelivery
from aksio.tasks.auth import SECRET_HEADER
from aksio.tasks.registry import TaskRegistry, registry
from aksio.tasks.worker import handle_task_request
from tests.unit.test_task_auth import SA, WORKER_URL, FakeGoogleCerts, token

MAIN = Path(__file__).resolve().parents[2] / "functions" / "task_worker" / "main.py"
SECRET = "local-dev-task-secret"  # Settings' default for local runs


class Echo:
    """Records deliveries; fails as told by the payload."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, Any], TaskDelivery]] = []
        self.gave_up: list[tuple[dict[str, Any], TaskDelivery, Exception]] = []

    def handle(self, payload: dict[str, Any], delivery: TaskDelivery) -> None:
        self.calls.append((payload, delivery))
        match payload.get("fail"):
            case "transient":
                raise RuntimeError("database hiccup")
            case "permanent":
                raise PermanentTaskError("course was deleted")
            case "invalid":

                class Model(BaseModel):
                    course_id: str

                Model.model_validate(payload)

    def give_up(self, payload: dict[str, Any], delivery: TaskDelivery, exc: Exception) -> None:
        self.gave_up.append((payload, delivery, exc))


@pytest.fixture
def echo() -> Iterator[Echo]:
    echo = Echo()
    registry.register("test.echo", on_give_up=echo.give_up)(echo.handle)
    yield echo
    registry.unregister("test.echo")


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Any:
    import functions_framework

    from aksio.config import get_settings

    monkeypatch.setenv("AKSIO_TASK_QUEUE", "inprocess")
    monkeypatch.setenv("AKSIO_ENVIRONMENT", "test")
    monkeypatch.delenv("AKSIO_TASK_SHARED_SECRET", raising=False)
    get_settings.cache_clear()
    app = functions_framework.create_app(target="task_worker", source=str(MAIN))  # type: ignore[no-untyped-call]
    yield app.test_client()
    get_settings.cache_clear()


def post(client: Any, body: Any, *, retry_count: int = 0, secret: str = SECRET) -> Any:
    headers = {
        SECRET_HEADER: secret,
        "X-CloudTasks-TaskName": "abc123",
        "X-CloudTasks-TaskRetryCount": str(retry_count),
        "X-CloudTasks-TaskExecutionCount": str(retry_count),
    }
    if isinstance(body, bytes):
        return client.post("/", data=body, headers=headers, content_type="application/json")
    return client.post("/", json=body, headers=headers)


def test_success_is_200_and_the_handler_sees_the_attempt(client: Any, echo: Echo) -> None:
    response = post(client, {"kind": "test.echo", "payload": {"n": 1}}, retry_count=2)
    assert response.status_code == 200
    assert response.get_json() == {"status": "done"}
    [(payload, delivery)] = echo.calls
    assert payload == {"n": 1}
    assert (delivery.attempt, delivery.task_name, delivery.task.kind) == (3, "abc123", "test.echo")


def test_wrong_or_missing_secret_is_401(client: Any, echo: Echo) -> None:
    for secret in ("nope", ""):
        response = post(client, {"kind": "test.echo", "payload": {}}, secret=secret)
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthenticated"
    assert echo.calls == []


def test_only_post(client: Any, echo: Echo) -> None:
    assert client.get("/", headers={SECRET_HEADER: SECRET}).status_code == 405


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "invalid_body"),
        ([1, 2], "invalid_body"),
        ({"kind": "test.echo"}, "invalid_body"),
        ({"kind": "", "payload": {}}, "invalid_body"),
        ({"kind": "test.unknown", "payload": {}}, "unknown_kind"),
        ({"kind": "test.echo", "payload": {"fail": "permanent"}}, "permanent_failure"),
        ({"kind": "test.echo", "payload": {"fail": "invalid"}}, "invalid_payload"),
    ],
)
def test_permanent_failures_are_2xx_so_cloud_tasks_stops(
    client: Any, echo: Echo, body: Any, reason: str
) -> None:
    response = post(client, body)
    assert response.status_code == 200
    assert response.get_json()["status"] == "discarded"
    assert response.get_json()["reason"] == reason
    assert echo.gave_up == []


def test_transient_failure_is_500_and_the_last_attempt_gives_up(client: Any, echo: Echo) -> None:
    last = RetryPolicy().max_attempts
    body = {"kind": "test.echo", "payload": {"fail": "transient"}}
    for retry_count in range(last):
        response = post(client, body, retry_count=retry_count)
        assert response.status_code == 500
        assert response.get_json()["error"]["code"] == "task_failed"
    [(_, delivery, exc)] = echo.gave_up
    assert delivery.attempt == last and str(exc) == "database hiccup"


def test_shared_secret_is_refused_in_production(
    client: Any, echo: Echo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aksio.config import get_settings

    monkeypatch.setenv("AKSIO_ENVIRONMENT", "production")
    get_settings.cache_clear()
    response = post(client, {"kind": "test.echo", "payload": {}})
    assert response.status_code == 503
    assert echo.calls == []


# ---------------------------------------------------------------- production auth
def oidc_request(bearer: str, body: bytes, retry_count: int = 0) -> flask.Request:
    builder = EnvironBuilder(
        path="/task_worker/",
        method="POST",
        data=body,
        content_type="application/json",
        headers=Headers(
            {
                "Authorization": f"Bearer {bearer}",
                "X-CloudTasks-TaskName": "0123abcd-plan",
                "X-CloudTasks-TaskRetryCount": str(retry_count),
                "X-CloudTasks-QueueName": "aksio-jobs",
            }
        ),
    )
    try:
        return flask.Request(builder.get_environ())
    finally:
        builder.close()


def test_cloud_tasks_oidc_request_is_dispatched() -> None:
    reg = TaskRegistry()
    seen: list[TaskDelivery] = []
    reg.register("plans.generate")(lambda payload, delivery: seen.append(delivery))
    settings = Settings(
        task_queue="cloudtasks", tasks_service_account=SA, task_worker_url=WORKER_URL
    )
    body = b'{"kind":"plans.generate","payload":{"course_id":"c1"}}'

    ok = handle_task_request(
        oidc_request(token(), body, retry_count=1),
        settings=settings,
        registry=reg,
        certs_request=FakeGoogleCerts(),
    )
    assert ok.status_code == 200
    assert [(d.attempt, d.task_name, d.task.payload) for d in seen] == [
        (2, "0123abcd-plan", {"course_id": "c1"})
    ]

    refused = handle_task_request(
        oidc_request(token(aud="https://other.example/"), body),
        settings=settings,
        registry=reg,
        certs_request=FakeGoogleCerts(),
    )
    assert refused.status_code == 401
    unavailable = handle_task_request(
        oidc_request(token(), body),
        settings=settings,
        registry=reg,
        certs_request=FakeGoogleCerts(status=500),
    )
    assert unavailable.status_code == 503
    assert len(seen) == 1
