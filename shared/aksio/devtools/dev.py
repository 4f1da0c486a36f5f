"""``nox -s dev``: the whole product on embedded defaults.

Starts the Firebase Auth emulator (accounts kept in .local/auth between runs),
points every adapter at .local/ (SQLite documents, a blob folder, the
in-process task queue), seeds the demo user, and serves the dev gateway until
Ctrl-C, then stops everything it started.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import FrameType

from aksio.devtools.process import REPO_ROOT, ManagedProcess, port_open

# Everything the dev command keeps between runs; AKSIO_LOCAL_DIR moves it (tests).
LOCAL = Path(os.environ.get("AKSIO_LOCAL_DIR") or REPO_ROOT / ".local")


def _configure_env(port: int, auth_port: int) -> None:
    os.environ.setdefault("AKSIO_ENVIRONMENT", "local")
    os.environ.setdefault("AKSIO_SQLITE_PATH", str(LOCAL / "aksio.sqlite3"))
    os.environ.setdefault("AKSIO_BLOB_DIR", str(LOCAL / "blobs"))
    os.environ.setdefault("AKSIO_TASK_WORKER_URL", f"http://127.0.0.1:{port}/tasks/")
    # Both names: Settings prefers AKSIO_'s, firebase-admin reads FIREBASE_'s.
    for name in ("AKSIO_AUTH_EMULATOR_HOST", "FIREBASE_AUTH_EMULATOR_HOST"):
        os.environ[name] = f"127.0.0.1:{auth_port}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
    parser.add_argument("--auth-port", type=int, default=9099)
    args = parser.parse_args(argv)

    if port_open("127.0.0.1", args.port):
        print(f"Port {args.port} is in use; set PORT to another one.", file=sys.stderr)
        return 1
    if port_open("127.0.0.1", args.auth_port):
        print(
            f"Port {args.auth_port} (Auth emulator) is in use; stop what runs there.",
            file=sys.stderr,
        )
        return 1
    LOCAL.mkdir(exist_ok=True)
    _configure_env(args.port, args.auth_port)

    from aksio import logs
    from aksio.devtools.auth_emulator import auth_emulator

    logs.configure(os.environ.get("AKSIO_LOG_LEVEL", "INFO"))
    # Our own request log has one JSON line per request; werkzeug's would repeat it.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    emulator = auth_emulator(
        args.auth_port, data_dir=LOCAL / "auth", log_path=LOCAL / "auth-emulator.log"
    )

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    # Ctrl-C must stop us even when started with SIGINT ignored (a background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return _serve(args.port, args.auth_port, emulator)
    except KeyboardInterrupt:
        return 0
    finally:
        print("Stopping the Auth emulator (accounts saved to .local/auth)...", flush=True)
        emulator.stop()


def _serve(port: int, auth_port: int, emulator: ManagedProcess) -> int:
    # The emulator takes seconds to boot (it is Node); load the functions meanwhile.
    with ThreadPoolExecutor(max_workers=1) as pool:
        booting = pool.submit(emulator.start)
        from werkzeug.serving import run_simple

        from aksio.composition import get_services
        from aksio.devtools.gateway import build_gateway
        from aksio.devtools.seed import DEMO_EMAIL, DEMO_PASSWORD, seed_demo

        gateway = build_gateway()
        booting.result()
    services = get_services()
    seed_demo(services)
    base = f"http://127.0.0.1:{port}"
    print(
        "\n".join(
            [
                "",
                "Aksio is running on embedded defaults:",
                f"  API            {base}/api/v1/  (health: {base}/api/health/)",
                f"  Swagger UI     {base}/api/docs/",
                f"  OpenAPI        {base}/api/openapi.json",
                f"  Auth emulator  http://127.0.0.1:{auth_port}",
                f"  Data           {services.settings.sqlite_path}, {services.settings.blob_dir}",
                f"  Demo user      {DEMO_EMAIL} / {DEMO_PASSWORD}",
                "",
                "Try:",
                f"  curl -s -X POST {base}/api/v1/accounts/login/ \\",
                "       -H 'Content-Type: application/json' \\",
                f'       -d \'{{"email": "{DEMO_EMAIL}", "password": "{DEMO_PASSWORD}"}}\'',
                "",
                "Ctrl-C stops everything.",
                "",
            ]
        ),
        flush=True,
    )
    run_simple("127.0.0.1", port, gateway, threaded=True, use_reloader=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
