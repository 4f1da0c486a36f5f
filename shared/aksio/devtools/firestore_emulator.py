"""Start the npm ``@firestore-emulator/server`` (a Node gRPC Firestore).

The package has no CLI; it exports ``FirestoreServer`` with
``start(port)``, so we run a two-line Node script that starts it and stops
it on SIGTERM. Point the SDK at it with ``FIRESTORE_EMULATOR_HOST``.
Limits (cursors, preconditions, transaction isolation...) are listed in
``tests/contract/test_document_store.py``.

    python -m aksio.devtools.firestore_emulator --port 8080
"""

from __future__ import annotations

import argparse
import contextlib
import os
import time
from pathlib import Path

from aksio.devtools.process import REPO_ROOT, ManagedProcess, free_port, which

PACKAGE = "@firestore-emulator/server"
PROJECT_ID = "demo-aksio"  # demo- prefix: Firebase tools never touch a real project
_SCRIPT = f"""
const {{ FirestoreServer }} = require({PACKAGE!r});
const server = new FirestoreServer();
server.start(Number(process.argv[1])).then(
  () => console.log("firestore emulator listening on " + process.argv[1]),
  (err) => {{ console.error(err); process.exit(1); }},
);
const stop = () => {{ server.stop(); process.exit(0); }};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
// Exit with the Python process that started us, even if it was killed
// before it could stop us (a test run hitting a timeout).
const owner = Number(process.argv[2]);
setInterval(() => {{ try {{ process.kill(owner, 0); }} catch {{ stop(); }} }}, 1000);
"""


def firestore_emulator(port: int | None = None, log_path: Path | None = None) -> ManagedProcess:
    """A not-yet-started emulator process; ``with`` it or call start()/stop()."""
    if not (REPO_ROOT / "node_modules" / PACKAGE).is_dir():
        raise RuntimeError(f"{PACKAGE} is missing: run `npm ci` in {REPO_ROOT}")
    port = port or free_port()
    return ManagedProcess(
        name="firestore-emulator",
        # `node -e` resolves require() from the working directory's node_modules.
        argv=[which("node"), "-e", _SCRIPT, str(port), str(os.getpid())],
        port=port,
        cwd=REPO_ROOT,
        log_path=log_path,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    with firestore_emulator(args.port) as proc:
        print(f"FIRESTORE_EMULATOR_HOST={proc.address} GOOGLE_CLOUD_PROJECT={PROJECT_ID}")
        with contextlib.suppress(KeyboardInterrupt):
            while proc.proc is not None and proc.proc.poll() is None:
                time.sleep(0.5)


if __name__ == "__main__":
    main()
