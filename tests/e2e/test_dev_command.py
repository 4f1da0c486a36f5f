"""The dev command end to end: started as a developer starts it, used over
real HTTP as the README's tour uses it, stopped with Ctrl-C.

One dev server for the whole file (module fixture): it boots the Node Auth
emulator, so start-up costs seconds. The last test stops it; keep it last.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import pytest
import requests
from openapi_spec_validator import validate

from aksio.devtools.process import REPO_ROOT, free_port, port_open
from aksio.http.responses import STATUS_OF_CODE

pytestmark = pytest.mark.emulator

START_TIMEOUT_S = 90.0  # boots Node (the Auth emulator) and seeds; slow on a loaded runner
STOP_TIMEOUT_S = 20.0
HTTP_TIMEOUT_S = 10.0
DEMO = re.compile(r"Demo user\s+(\S+@\S+) / (\S+)")


@dataclass
class DevServer:
    proc: subprocess.Popen[bytes]
    base: str
    auth_port: int
    port: int
    local: Path
    output: Path

    def log(self) -> str:
        return self.output.read_text(errors="replace")

    def url(self, path: str) -> str:
        return self.base + path


def _clean_env(tmp: Path) -> dict[str, str]:
    # The test session's own emulator fixture exports AKSIO_*/FIREBASE_* variables
    # that would point the dev server at the wrong emulator: start from none.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AKSIO_", "FIREBASE_")) and k != "PORT"
    }
    # The repo's package first: the code under test, whatever the venv holds.
    python_path = [str(REPO_ROOT / "shared"), env.get("PYTHONPATH", "")]
    env.update(
        AKSIO_LOCAL_DIR=str(tmp / ".local"),  # keep the developer's own .local/ untouched
        PYTHONPATH=os.pathsep.join(p for p in python_path if p),
        PYTHONUNBUFFERED="1",
    )
    return env


def _wait_for_health(server: DevServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            pytest.fail(f"dev command exited with {server.proc.returncode}:\n{server.log()}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(server.url("/api/health/"), timeout=2).status_code == 200:
                return
        time.sleep(0.25)
    pytest.fail(f"/api/health/ did not answer within {START_TIMEOUT_S}s:\n{server.log()}")


def _stop(proc: subprocess.Popen[bytes], sig: int) -> None:
    # Its own process group, as a terminal's foreground job: the signal reaches
    # the command the way Ctrl-C would, and nothing else in the test run.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    tmp = tmp_path_factory.mktemp("dev-command")
    port, auth_port = free_port(), free_port()
    output = tmp / "dev.out"
    with output.open("wb") as out:  # a file, not a pipe: a full pipe would block the server
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "aksio.devtools.dev",
                "--port",
                str(port),
                "--auth-port",
                str(auth_port),
            ],
            cwd=REPO_ROOT,  # where a developer runs it
            env=_clean_env(tmp),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = DevServer(proc, f"http://127.0.0.1:{port}", auth_port, port, tmp / ".local", output)
    try:
        _wait_for_health(server)
        yield server
    finally:
        if proc.poll() is None:  # a test failed before the Ctrl-C test ran
            _stop(proc, signal.SIGINT)
            try:
                proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                _stop(proc, signal.SIGKILL)
                proc.wait(5)


@pytest.fixture(scope="module")
def demo_credentials(dev: DevServer) -> tuple[str, str]:
    # The banner is printed once the demo user is seeded, just before serving.
    match = DEMO.search(dev.log())
    assert match, f"no demo user in the dev command's output:\n{dev.log()}"
    return match.group(1), match.group(2)


@pytest.fixture(scope="module")
def token(dev: DevServer, demo_credentials: tuple[str, str]) -> str:
    email, password = demo_credentials
    r = requests.post(
        dev.url("/api/v1/accounts/login/"),
        json={"email": email, "password": password},
        timeout=HTTP_TIMEOUT_S,
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    assert body["user"]["email"] == email
    assert body["expires_in"] > 0 and body["refresh_token"]
    return str(body["id_token"])


def _get(dev: DevServer, path: str, token: str) -> requests.Response:
    return requests.get(
        dev.url(path), headers={"Authorization": f"Bearer {token}"}, timeout=HTTP_TIMEOUT_S
    )


def test_health_reports_every_dependency_ok(dev: DevServer) -> None:
    r = requests.get(dev.url("/api/health/"), timeout=HTTP_TIMEOUT_S)
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["project"] == "demo-aksio"
    assert body["dependencies"] and set(body["dependencies"].values()) == {"ok"}


def test_swagger_ui_is_served_with_its_own_assets(dev: DevServer) -> None:
    page = requests.get(dev.url("/api/docs/"), timeout=HTTP_TIMEOUT_S)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    bundle = [s for s in sources if s.endswith("swagger-ui-bundle.js")]
    assert bundle, page.text
    # No CDN: every asset the page names is relative and served here.
    assert not [s for s in sources if re.match(r"^(https?:)?//", s)], sources
    for source in sources:
        asset = requests.get(urljoin(page.url, source), timeout=HTTP_TIMEOUT_S)
        assert asset.status_code == 200, source
    js = requests.get(urljoin(page.url, bundle[0]), timeout=HTTP_TIMEOUT_S)
    assert "javascript" in js.headers["Content-Type"]
    assert len(js.content) > 100_000  # the real bundle, not a stub


def test_openapi_document_is_valid(dev: DevServer) -> None:
    r = requests.get(dev.url("/api/openapi.json"), timeout=HTTP_TIMEOUT_S)
    assert r.status_code == 200
    document = r.json()
    validate(document)  # raises on an invalid OpenAPI 3.1 document
    assert document["openapi"].startswith("3.1")
    assert "/api/v1/accounts/login/" in document["paths"]


def test_demo_user_has_a_profile(dev: DevServer, token: str) -> None:
    r = _get(dev, "/api/v1/accounts/profile/", token)
    assert r.status_code == 200, r.text
    profile = r.json()
    assert profile["email"] == "demo@aksio.dev"
    assert (profile["timezone"], profile["university"]) == ("Europe/Oslo", "University of Oslo")


def test_seeded_streak_then_activity_today_extends_it(dev: DevServer, token: str) -> None:
    # The seed records reading 3, 2 and 1 days ago: a 3-day streak still alive
    # today (in the demo user's time zone) but not yet done.
    yesterday = (datetime.now(ZoneInfo("Europe/Oslo")) - timedelta(days=1)).date()
    before = _get(dev, "/api/v1/accounts/streak/", token).json()
    assert before == {
        "current": 3,
        "longest": 3,
        "today_done": False,
        "last_active_date": yesterday.isoformat(),
    }
    r = requests.post(
        dev.url("/api/v1/accounts/activity/"),
        json={"kind": "study", "minutes": 25},
        headers={"Authorization": f"Bearer {token}"},
        timeout=HTTP_TIMEOUT_S,
    )
    assert r.status_code == 201, r.text
    assert (r.json()["kind"], r.json()["minutes"]) == ("study", 25)
    after = _get(dev, "/api/v1/accounts/streak/", token).json()
    assert (after["current"], after["longest"], after["today_done"]) == (4, 4, True)
    listed = _get(dev, "/api/v1/accounts/activity/list/", token).json()
    items = listed["items"]  # newest first
    assert (items[0]["kind"], items[0]["minutes"]) == ("study", 25)
    assert [a["minutes"] for a in items if a["kind"] == "reading"] == [25, 45, 30]
    # the rest are the demo plan's sessions completed on those days, under their course
    sessions = [a for a in items[1:] if a["kind"] == "study"]
    assert sessions and all(a["course_id"] for a in sessions)


def test_bad_token_is_401(dev: DevServer) -> None:
    r = _get(dev, "/api/v1/accounts/profile/", "not-a-real-token")
    assert r.status_code == 401
    error = r.json()["error"]
    assert error["code"] == "unauthenticated"
    assert STATUS_OF_CODE[error["code"]] == 401
    assert error["message"]


def test_ctrl_c_stops_the_server_and_its_emulator(dev: DevServer) -> None:
    """Keep last: it ends the module's server."""
    assert port_open("127.0.0.1", dev.auth_port)
    _stop(dev.proc, signal.SIGINT)
    try:
        code = dev.proc.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running {STOP_TIMEOUT_S}s after Ctrl-C:\n{dev.log()}")
    assert code == 0, dev.log()
    assert not port_open("127.0.0.1", dev.port)
    # The emulator runs in its own session, out of Ctrl-C's reach: the dev
    # command must have stopped it. Its port may take a moment to close.
    deadline = time.monotonic() + 5
    while port_open("127.0.0.1", dev.auth_port) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not port_open("127.0.0.1", dev.auth_port), "the Auth emulator outlived the dev command"
    # It stopped cleanly: the accounts were exported for the next run.
    assert (dev.local / "auth" / "firebase-export-metadata.json").is_file(), dev.log()
