"""Cold-start import cost of every function entry point (`nox -s bench`).

For each ``functions/<name>/main.py`` (and a bare functions-framework
hello-world in ``bench/hello_world/`` as the baseline) this imports the module
in a fresh interpreter the way functions-framework does (function directory on
``sys.path``, module loaded from its file as ``main``), N times, and reports the
median and p90 import time, the ratio to the baseline, and which heavy SDKs
the import pulled in.

It exits non-zero when an entry point fails to import or imports an SDK that
its function must not load (see ``ALLOWED_IMPORTERS``): heavy SDKs are paid by
every cold start, so only the functions that really call them may import them
at module level. Results also go to ``build/bench/import_times.json``.

Usage: ``python bench/import_times.py [--runs 15] [--config local|production] [names...]``
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
BASELINE = REPO_ROOT / "bench" / "hello_world" / "main.py"
DEFAULT_OUT = REPO_ROOT / "build" / "bench" / "import_times.json"

# Modules whose presence in sys.modules after the import we report: the SDKs
# that dominate cold starts, plus their transports.
WATCHED_MODULES: tuple[str, ...] = (
    "google.cloud.firestore",
    "google.cloud.storage",
    "google.cloud.tasks_v2",
    "firebase_admin",
    "google.auth",
    "google.api_core",
    "google.protobuf",
    "grpc",
    "openai",
    "stripe",
    "httpx",
    "fitz",
    "pypdfium2",
    "pypdf",
    "numpy",
    "tiktoken",
)

# SDK -> the only functions allowed to import it at module level. Everyone else
# must import it lazily (or not at all): an HTTP function for accounts must not
# pay for OpenAI or Stripe on every cold start.
ALLOWED_IMPORTERS: dict[str, frozenset[str]] = {
    "openai": frozenset({"chat", "assessments"}),
    "stripe": frozenset({"billing", "stripe_webhook"}),
}

# Adapter selection as deployed (terraform sets the same variables), for
# --config production: an import that depends on configuration shows up here.
PRODUCTION_ENV: dict[str, str] = {
    "AKSIO_ENVIRONMENT": "production",
    "AKSIO_DOCUMENT_STORE": "firestore",
    "AKSIO_BLOB_STORE": "gcs",
    "AKSIO_TASK_QUEUE": "cloudtasks",
    "AKSIO_PROJECT_ID": "demo-aksio",
}

# Runs in the child interpreter. Mirrors functions_framework's loader
# (_function_registry.load_function_module): directory first on sys.path,
# spec_from_file_location, registered in sys.modules before exec.
_PROBE = r"""
import importlib.util, json, os, sys, time
source, watched = sys.argv[1], json.loads(sys.argv[2])
before = set(sys.modules)
t0 = time.perf_counter()
directory, filename = os.path.split(source)
name = os.path.splitext(filename)[0]
sys.path.insert(0, directory)
spec = importlib.util.spec_from_file_location(name, source)
module = importlib.util.module_from_spec(spec)
sys.modules[name] = module
spec.loader.exec_module(module)
elapsed = time.perf_counter() - t0
loaded = set(sys.modules) - before
print("@@BENCH@@" + json.dumps({
    "import_s": elapsed,
    "watched": [m for m in watched if m in sys.modules],
    "new_modules": len(loaded),
}))
"""
_MARKER = "@@BENCH@@"


@dataclass
class Result:
    name: str
    source: str
    runs: int = 0
    median_ms: float | None = None
    p90_ms: float | None = None
    min_ms: float | None = None
    process_median_ms: float | None = None
    ratio_to_baseline: float | None = None
    new_modules: int | None = None
    sdks: dict[str, str | None] = field(default_factory=dict)
    """Watched module -> the distribution (name==version) that provides it."""
    violations: list[str] = field(default_factory=list)
    error: str | None = None


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: with 15 samples p90 is the 14th smallest."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def distribution_of(module: str) -> str | None:
    """The installed distribution that ships ``module``. Top-level names such as
    ``google`` are shared by many distributions, so those are settled by the
    files each one installs."""
    top = module.split(".", maxsplit=1)[0]
    candidates = list(dict.fromkeys(importlib.metadata.packages_distributions().get(top, [])))
    chosen: str | None = candidates[0] if len(candidates) == 1 else None
    if chosen is None:
        rel = module.replace(".", "/")
        for dist in candidates:
            files = importlib.metadata.distribution(dist).files or []
            if any(str(f).startswith(rel + "/") or str(f) == rel + ".py" for f in files):
                chosen = dist
                break
    if chosen is None:
        return None
    try:
        return f"{chosen}=={importlib.metadata.version(chosen)}"
    except importlib.metadata.PackageNotFoundError:
        return chosen


def child_env(config: str) -> dict[str, str]:
    env = dict(os.environ)
    # Production has no PYTHONPATH: aksio must come from the installed package.
    env.pop("PYTHONPATH", None)
    # The warm-up run must leave .pyc files behind, as a deployed image has them.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if config == "production":
        env.update(PRODUCTION_ENV)
    return env


def probe_once(source: Path, env: dict[str, str]) -> tuple[dict[str, Any], float]:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, str(source), json.dumps(WATCHED_MODULES)],
        cwd=source.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    wall = time.perf_counter() - start
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(_MARKER)]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-8:]
        raise RuntimeError("import failed:\n    " + "\n    ".join(tail))
    data: dict[str, Any] = json.loads(lines[-1][len(_MARKER) :])
    return data, wall


def measure(name: str, source: Path, runs: int, env: dict[str, str]) -> Result:
    result = Result(name=name, source=str(source.relative_to(REPO_ROOT)))
    try:
        probe_once(source, env)  # warm-up: writes .pyc files, fills the OS cache
        samples: list[float] = []
        walls: list[float] = []
        last: dict[str, Any] = {}
        for _ in range(runs):
            last, wall = probe_once(source, env)
            samples.append(float(last["import_s"]) * 1000)
            walls.append(wall * 1000)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        result.error = str(exc)
        return result
    result.runs = runs
    result.median_ms = statistics.median(samples)
    result.p90_ms = percentile(samples, 90)
    result.min_ms = min(samples)
    result.process_median_ms = statistics.median(walls)
    result.new_modules = int(last["new_modules"])
    result.sdks = {m: distribution_of(m) for m in last["watched"]}
    for sdk, allowed in ALLOWED_IMPORTERS.items():
        if sdk in result.sdks and name not in allowed:
            result.violations.append(
                f"{name} imports {sdk} at module level (only {', '.join(sorted(allowed))} may)"
            )
    return result


def discover(names: list[str]) -> tuple[list[tuple[str, Path]], list[str]]:
    found = {p.parent.name: p for p in sorted((REPO_ROOT / "functions").glob("*/main.py"))}
    if not names:
        return list(found.items()), []
    return [(n, found[n]) for n in names if n in found], [n for n in names if n not in found]


def _fmt(value: float | None, spec: str = ".1f") -> str:
    return "-" if value is None else format(value, spec)


def print_table(results: list[Result]) -> None:
    header = ("entry point", "median ms", "p90 ms", "x base", "modules", "status")
    rows = [
        (
            r.name,
            _fmt(r.median_ms),
            _fmt(r.p90_ms),
            _fmt(r.ratio_to_baseline, ".2f"),
            "-" if r.new_modules is None else str(r.new_modules),
            "ERROR" if r.error else ("FAIL" if r.violations else "ok"),
        )
        for r in results
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]

    def render(cells: tuple[str, ...]) -> str:
        # Names and status read left to right; numbers line up on the right.
        padded = (
            c.ljust(w) if i in (0, len(cells) - 1) else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )
        return "  ".join(padded).rstrip()

    print(render(header))
    print("-" * len(render(header)))
    for row in rows:
        print(render(row))
    print()
    for r in results:
        if r.error:
            print(f"{r.name}: {r.error}")
            continue
        sdks = ", ".join(f"{m} ({d or '?'})" for m, d in r.sdks.items()) or "none"
        print(f"{r.name}: SDKs imported: {sdks}")
        for v in r.violations:
            print(f"  VIOLATION: {v}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Import time of each function entry point.")
    parser.add_argument("names", nargs="*", help="functions to measure (default: all)")
    parser.add_argument("--runs", type=int, default=15, help="measured runs per module")
    parser.add_argument("--config", choices=("local", "production"), default="local")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    env = child_env(args.config)
    targets, missing = discover(args.names)
    for name in missing:
        print(f"skip {name}: functions/{name}/main.py does not exist", file=sys.stderr)
    if not targets:
        print("no function entry points found; measuring the baseline only", file=sys.stderr)

    print(f"python {platform.python_version()}, {args.runs} runs each, config={args.config}\n")
    baseline = measure("(baseline) hello_world", BASELINE, args.runs, env)
    if baseline.error or not baseline.median_ms:
        print(f"baseline failed: {baseline.error}", file=sys.stderr)
        return 2
    baseline.ratio_to_baseline = 1.0
    results = [baseline]
    for name, source in targets:
        r = measure(name, source, args.runs, env)
        if r.median_ms is not None:
            r.ratio_to_baseline = r.median_ms / baseline.median_ms
        results.append(r)
    print_table(results)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "python": platform.python_version(),
        "runs": args.runs,
        "config": args.config,
        "watched_modules": list(WATCHED_MODULES),
        "allowed_importers": {k: sorted(v) for k, v in ALLOWED_IMPORTERS.items()},
        "skipped": missing,
        "baseline": asdict(baseline),
        "functions": {r.name: asdict(r) for r in results[1:]},
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")

    failed = [r for r in results[1:] if r.error or r.violations]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
