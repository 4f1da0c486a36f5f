"""Every developer command. On a fresh machine with Python 3.11+ and Node 20:

    python3 -m pip install nox==2026.10.20 && python3 -m nox -s dev     # run locally
    python3 -m pip install nox==2026.10.20 && python3 -m nox -s tests   # all tests

Sessions install what they need (pinned by requirements/lock.txt and
package-lock.json) and skip the install when nothing changed since last time.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import nox

ROOT = Path(__file__).parent
LOCK = ROOT / "requirements" / "lock.txt"
ALL_EXTRAS = "firestore,gcs,tasks,identity,extract,search,openai,fsrs,keyterms"

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "tests"]


def _digest(*files: Path, extra: str = "") -> str:
    h = hashlib.sha256(extra.encode())
    for f in files:
        h.update(f.read_bytes())
    return h.hexdigest()


def _install(session: nox.Session, extras: str) -> None:
    """pip install the project with ``extras``, pinned by the lock; skipped
    when pyproject.toml and the lock are unchanged since the last install."""
    stamp = Path(session.virtualenv.location) / ".aksio-install"
    digest = _digest(ROOT / "pyproject.toml", LOCK, extra=extras)
    if stamp.exists() and stamp.read_text() == digest:
        return
    session.install("--upgrade", "pip==25.3")
    session.install("-c", str(LOCK), "-e", f".[{extras}]")
    stamp.write_text(digest)


def _npm_ci(session: nox.Session) -> None:
    """Install the pinned Node emulators (Auth, Firestore wire) and Swagger UI."""
    if not shutil.which("npm"):
        session.error("Node 20 with npm is needed for the Firebase Auth emulator.")
    stamp = ROOT / "node_modules" / ".aksio-install"
    digest = _digest(ROOT / "package-lock.json")
    if stamp.exists() and stamp.read_text() == digest:
        return
    session.run("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", external=True)
    stamp.write_text(digest)


@nox.session(python=None)
def dev(session: nox.Session) -> None:
    """Run the product locally: API gateway, Auth emulator, local stores, demo data.

    ``PORT`` changes the gateway's port (default 8080). Ctrl-C stops everything.
    """
    _install(session, ALL_EXTRAS)
    _npm_ci(session)
    session.run("python", "-m", "aksio.devtools.dev", *session.posargs)


@nox.session(python=None)
def tests(session: nox.Session) -> None:
    """The whole test suite: unit, contract (SQLite, Firestore wire emulator,
    GCS emulator) and integration over HTTP against the Auth emulator."""
    _install(session, f"{ALL_EXTRAS},dev")
    _npm_ci(session)
    workers = os.environ.get("AKSIO_TEST_WORKERS", "2")
    # Exit code 5 is "no tests collected": not a failure for CI on an empty selection.
    session.run("pytest", "-n", workers, *session.posargs, success_codes=[0, 5])


@nox.session(python=None)
def lint(session: nox.Session) -> None:
    """ruff (lint and format) and mypy --strict."""
    _install(session, f"{ALL_EXTRAS},dev")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")


@nox.session(python=None)
def bench(session: nox.Session) -> None:
    """Benchmarks: cold-start import cost and SDKs per function, retrieval
    recall@5 and reads per search, ingestion speed and memory, dev start-up,
    FSRS fitted vs default, reads/writes per review and due queue, plan
    generation time, and examples of the embedded model's drafts."""
    _install(session, f"{ALL_EXTRAS},dev")
    _npm_ci(session)
    session.run("python", "bench/import_times.py", *session.posargs)
    session.run("python", "bench/retrieval.py")
    session.run("python", "bench/ingestion.py")
    session.run("python", "bench/dev_startup.py")
    session.run("python", "bench/fsrs_fit.py")
    session.run("python", "bench/assessments.py")
    session.run("python", "bench/planning.py")
    session.run("python", "bench/progress.py")
    session.run("python", "bench/llm_examples.py")


@nox.session(python=None)
def package(session: nox.Session) -> None:
    """Build build/<function>.zip for Terraform to deploy."""
    _install(session, f"{ALL_EXTRAS}")
    session.run("python", "-m", "aksio.devtools.package", *session.posargs)
