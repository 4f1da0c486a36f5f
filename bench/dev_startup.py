"""How long the dev command takes to serve, after its first run.

Starts ``python -m aksio.devtools.dev`` on free ports with its data in a
temporary folder: one first run (installs nothing, but seeds the demo data
and processes its document), then N restarts, each timed from launch to a
healthy ``/api/health/`` and stopped with Ctrl-C (SIGINT). Target: under 20 s.
Writes build/bench/dev_startup.json.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "shared"))

from aksio.devtools.process import free_port  # noqa: E402

TARGET_S = 20.0


def _start_and_time(local: Path) -> tuple[float, float]:
    port, auth_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AKSIO_", "FIREBASE_"))}
    env["AKSIO_LOCAL_DIR"] = str(local)
    started = time.monotonic()
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
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the dev command exited with {proc.returncode}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        ready = time.monotonic() - started
    finally:
        stopping = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=60)
    return ready, time.monotonic() - stopping


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aksio-dev-bench-") as tmp:
        first, _ = _start_and_time(Path(tmp))
        runs = [_start_and_time(Path(tmp)) for _ in range(args.runs)]
    ready = [r for r, _ in runs]
    stop = [s for _, s in runs]
    result = {
        "first_run_s": round(first, 2),
        "restart_ready_s_median": round(statistics.median(ready), 2),
        "restart_ready_s_max": round(max(ready), 2),
        "stop_s_median": round(statistics.median(stop), 2),
        "runs": args.runs,
        "target_s": TARGET_S,
    }
    print(f"\nDev command start-up ({args.runs} restarts after a first run)")
    for key, value in result.items():
        print(f"  {key:<26} {value}")
    out = ROOT / "build" / "bench" / "dev_startup.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    ok = result["restart_ready_s_median"] < TARGET_S
    print(f"  target {TARGET_S} s: {'OK' if ok else 'OVER'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
