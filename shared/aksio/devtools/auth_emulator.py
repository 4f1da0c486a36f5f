"""The Firebase Auth emulator (npm ``firebase-tools``, Node only) for the dev
command and the tests, plus helpers for its emulator-only REST endpoints.

``firebase emulators:start`` needs a ``firebase.json``: one is written to a
private temporary directory, which is also the process's working directory
and TMPDIR (so ``firebase-debug.log`` and the hub's ``hub-<project>.json``
locator stay out of the repo and do not collide between parallel emulators).
Every port it opens (auth, emulator hub, logging) is set explicitly, so
several emulators (pytest-xdist workers) can run side by side.

Offline: a ``demo-`` project id needs no login and no network; ``CI=1`` and
``--non-interactive`` rule out prompts. Start-up takes about 5-9 s on two
cores, nearly all of it CPU (the emulator compiles its OpenAPI spec).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from aksio.devtools.process import ManagedProcess, free_port, node_tool

DEFAULT_PROJECT_ID = "demo-aksio"
DEFAULT_PORT = 9099
START_TIMEOUT_S = 90.0  # generous: a loaded CI runner compiles the spec slowly
_HTTP_TIMEOUT_S = 5.0


@dataclass
class AuthEmulatorProcess(ManagedProcess):
    """A ManagedProcess that also removes its generated config directory."""

    config_dir: Path | None = None

    def start(self, timeout_s: float = START_TIMEOUT_S) -> AuthEmulatorProcess:
        try:
            super().start(timeout_s)
        except BaseException:
            self.stop()  # a failed start must not leave the temp directory behind
            raise
        return self

    def stop(self) -> None:
        try:
            super().stop()
        finally:
            if self.config_dir is not None:
                shutil.rmtree(self.config_dir, ignore_errors=True)
                self.config_dir = None


def write_firebase_json(
    directory: Path, *, port: int, host: str = "127.0.0.1", hub_port: int, logging_port: int
) -> Path:
    config = {
        "emulators": {
            "auth": {"host": host, "port": port},
            "hub": {"host": host, "port": hub_port},
            "logging": {"host": host, "port": logging_port},
            "ui": {"enabled": False},
            "singleProjectMode": True,
        }
    }
    path = directory / "firebase.json"
    path.write_text(json.dumps(config, indent=2))
    return path


def auth_emulator(
    port: int = DEFAULT_PORT,
    project_id: str = DEFAULT_PROJECT_ID,
    log_path: Path | None = None,
    *,
    data_dir: Path | None = None,
    host: str = "127.0.0.1",
) -> AuthEmulatorProcess:
    """A not-yet-started emulator; ``.start()`` (or ``with``) waits until it
    listens. Use a ``demo-`` project id: Firebase tools then never reach for a
    real project.

    ``data_dir`` keeps accounts between runs (the dev command): imported at
    start when it holds an export, exported there on a clean stop (SIGTERM).
    Tests leave it unset and start empty."""
    if not project_id.startswith("demo-"):
        # A real id would make firebase-tools try to log in and call Google.
        raise ValueError(f"use a demo- project id for the emulator, not {project_id!r}")
    config_dir = Path(tempfile.mkdtemp(prefix="aksio-auth-emulator-"))
    config = write_firebase_json(
        config_dir, port=port, host=host, hub_port=free_port(), logging_port=free_port()
    )
    return AuthEmulatorProcess(
        name="firebase auth emulator",
        argv=[
            node_tool("firebase"),
            "emulators:start",
            "--only",
            "auth",
            "--project",
            project_id,
            "--config",
            str(config),
            "--non-interactive",
            *_persistence_args(data_dir),
        ],
        port=port,
        host=host,
        env={"CI": "1", "TMPDIR": str(config_dir)},  # CI: no prompts, no spinners
        cwd=config_dir,
        log_path=log_path,
        config_dir=config_dir,
    )


def _persistence_args(data_dir: Path | None) -> list[str]:
    if data_dir is None:
        return []
    # Absolute: the process runs in the temp config directory. A missing
    # directory is fine: firebase-tools skips the import and creates it on export.
    path = str(Path(data_dir).resolve())
    return ["--import", path, "--export-on-exit", path]


def start_auth_emulator(
    port: int | None = None,
    project_id: str = DEFAULT_PROJECT_ID,
    log_path: Path | None = None,
    timeout_s: float = START_TIMEOUT_S,
) -> tuple[AuthEmulatorProcess, float]:
    """Starts one (on a free port by default) and returns it with its start-up time."""
    proc = auth_emulator(port or free_port(), project_id, log_path)
    started = time.monotonic()
    proc.start(timeout_s=timeout_s)
    return proc, time.monotonic() - started


@dataclass(frozen=True)
class OobCode:
    email: str
    oob_code: str
    request_type: str
    oob_link: str = ""


@dataclass
class AuthEmulatorClient:
    """The emulator's own endpoints (``/emulator/v1/...``), which production lacks."""

    host: str  # host:port
    project_id: str = DEFAULT_PROJECT_ID
    session: requests.Session = field(default_factory=requests.Session)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}/emulator/v1/projects/{self.project_id}"

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        resp = self.session.request(
            method, f"{self.base_url}{path}", json=body, timeout=_HTTP_TIMEOUT_S
        )
        resp.raise_for_status()
        return resp.json()

    def oob_codes(self, email: str | None = None, request_type: str | None = None) -> list[OobCode]:
        """Pending out-of-band codes, oldest first (used codes disappear)."""
        data = self._call("GET", "/oobCodes")
        codes = [
            OobCode(
                email=str(item.get("email", "")),
                oob_code=str(item["oobCode"]),
                request_type=str(item.get("requestType", "")),
                oob_link=str(item.get("oobLink", "")),
            )
            for item in data.get("oobCodes", [])
        ]
        return [
            c
            for c in codes
            if (email is None or c.email == email.lower())
            and (request_type is None or c.request_type == request_type)
        ]

    def password_reset_code(self, email: str) -> str:
        """The newest pending PASSWORD_RESET code for this address."""
        codes = self.oob_codes(email, "PASSWORD_RESET")
        if not codes:
            raise LookupError(f"no pending password-reset code for {email}")
        return codes[-1].oob_code

    def clear_accounts(self) -> None:
        self._call("DELETE", "/accounts")

    def config(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/config")
        return result

    def set_email_privacy(self, enabled: bool) -> None:
        """Firebase's "email enumeration protection" (default on for projects
        created since September 2023, off in the emulator): sign-in answers
        INVALID_LOGIN_CREDENTIALS and password reset succeeds for unknown emails."""
        self._call(
            "PATCH", "/config", {"emailPrivacyConfig": {"enableImprovedEmailPrivacy": enabled}}
        )


def main() -> None:
    """``python -m aksio.devtools.auth_emulator``: run one on the usual port
    until interrupted (the dev command starts it the same way)."""
    port = int(os.environ.get("AKSIO_AUTH_EMULATOR_PORT", DEFAULT_PORT))
    proc, seconds = start_auth_emulator(port)
    print(f"Auth emulator on {proc.address} after {seconds:.1f}s; Ctrl-C stops it", flush=True)
    try:
        assert proc.proc is not None
        proc.proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        proc.stop()


if __name__ == "__main__":
    main()
