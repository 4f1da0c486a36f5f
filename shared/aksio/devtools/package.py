"""Build deployable sources for every function (`nox -s package`).

For each ``functions/<name>/`` this writes ``build/<name>/`` (the function's
files, a copy of ``shared/aksio`` and a ``requirements.txt``) and
``build/<name>.zip``, which Terraform uploads and Cloud Functions builds.

Why copy the package instead of ``pip install .``: the Python buildpack only
installs ``requirements.txt`` from PyPI, so the repo's own package must ship
inside the zip; the requirements then name only third-party pins, and each
function gets just the extras it uses (smaller image, faster cold start).

Never imported by a deployed function (``devtools`` is left out of the copy).
"""

from __future__ import annotations

import argparse
import logging
import re
import shutil
import sys
import tomllib
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("aksio.package")

REPO_ROOT = Path(__file__).resolve().parents[3]

# Which optional-dependency groups of pyproject.toml each function needs.
# Extras that pyproject does not define yet (openai, stripe, ...) are skipped
# with a warning, so this table can name them before the adapters land.
FUNCTION_EXTRAS: Mapping[str, tuple[str, ...]] = {
    "accounts": ("firestore", "gcs", "identity"),
    "courses": ("firestore", "gcs", "tasks", "identity", "search", "openai"),
    "learning": ("firestore", "tasks", "identity", "fsrs"),
    "assessments": ("firestore", "tasks", "identity", "fsrs"),
    "chat": ("firestore", "identity", "openai"),
    "billing": ("firestore", "identity", "stripe"),
    "stripe_webhook": ("firestore", "stripe"),
    "document_uploaded": ("firestore", "gcs", "tasks", "extract", "search", "openai"),
    # Jobs: course deletion, generation (model, passages), fitting FSRS parameters.
    "task_worker": (
        *("firestore", "gcs", "tasks", "identity"),
        *("search", "openai", "fsrs", "keyterms"),
    ),
}
# A function missing from the table still deploys, with every cloud adapter.
DEFAULT_EXTRAS: tuple[str, ...] = ("firestore", "gcs", "tasks", "identity")

# Extras that exist for developers only and never belong in a deployment.
NON_RUNTIME_EXTRAS = frozenset({"dev", "test", "lint", "docs", "bench"})

# Left out of the copied package: tooling, caches, compiled files.
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", "devtools", ".mypy_cache")

# Fixed timestamp inside the zip: identical inputs give a byte-identical zip, so
# its hash (used by Terraform in the object name) only changes with the code.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class Project:
    dependencies: tuple[str, ...]
    extras: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class BuiltFunction:
    name: str
    directory: Path
    archive: Path
    requirements: tuple[str, ...]
    skipped_extras: tuple[str, ...]


def read_project(pyproject: Path) -> Project:
    """The pinned runtime dependencies and extras declared in pyproject.toml."""
    with pyproject.open("rb") as fh:
        data = tomllib.load(fh)
    project = data.get("project", {})
    deps = tuple(str(d) for d in project.get("dependencies", []))
    extras = {
        str(name): tuple(str(d) for d in reqs)
        for name, reqs in project.get("optional-dependencies", {}).items()
    }
    return Project(dependencies=deps, extras=extras)


def _requirement_name(requirement: str) -> str:
    match = _NAME_RE.match(requirement.strip())
    return match.group(0).lower().replace("_", "-") if match else requirement


def _self_reference(requirement: str) -> str | None:
    """``aksio[firestore]`` inside an extra names other extras of ours."""
    req = requirement.replace(" ", "")
    if _requirement_name(req) != "aksio":
        return None
    inner = req[len("aksio") :]
    return inner[1 : inner.index("]")] if inner.startswith("[") else ""


def resolve_requirements(
    project: Project, extras: Iterable[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Core pins plus the pins of the wanted extras, in a stable order, without
    duplicates. Returns (requirements, extras that pyproject does not define)."""
    lines: list[str] = []
    seen: set[str] = set()
    missing: list[str] = []
    visited: set[str] = set()

    def add(requirement: str) -> None:
        ref = _self_reference(requirement)
        if ref is not None:
            for extra in filter(None, ref.split(",")):
                add_extra(extra)
            return
        key = _requirement_name(requirement)
        if key not in seen:
            seen.add(key)
            lines.append(requirement.strip())

    def add_extra(extra: str) -> None:
        if extra in visited:
            return
        visited.add(extra)
        if extra in NON_RUNTIME_EXTRAS:
            log.warning("extra %r is for development only; not deployed", extra)
            return
        if extra not in project.extras:
            missing.append(extra)
            return
        for requirement in project.extras[extra]:
            add(requirement)

    for requirement in project.dependencies:
        add(requirement)
    for extra in extras:
        add_extra(extra)
    return tuple(lines), tuple(missing)


def extras_for(name: str) -> tuple[str, ...]:
    if name in FUNCTION_EXTRAS:
        return FUNCTION_EXTRAS[name]
    log.warning("function %r has no entry in FUNCTION_EXTRAS; using %s", name, DEFAULT_EXTRAS)
    return DEFAULT_EXTRAS


def discover_functions(functions_dir: Path) -> list[str]:
    """Every functions/<name>/ that has a main.py, sorted."""
    if not functions_dir.is_dir():
        return []
    return sorted(p.parent.name for p in functions_dir.glob("*/main.py"))


def _write_zip(source_dir: Path, archive: Path) -> None:
    archive.parent.mkdir(parents=True, exist_ok=True)
    tmp = archive.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in source_dir.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(source_dir).as_posix(), _ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    tmp.replace(archive)


def build_function(
    name: str,
    *,
    repo_root: Path = REPO_ROOT,
    out_dir: Path | None = None,
    project: Project | None = None,
) -> BuiltFunction:
    """Build build/<name>/ and build/<name>.zip for one function."""
    out = out_dir or repo_root / "build"
    src = repo_root / "functions" / name
    if not (src / "main.py").is_file():
        raise FileNotFoundError(f"{src / 'main.py'} does not exist")
    project = project or read_project(repo_root / "pyproject.toml")
    requirements, missing = resolve_requirements(project, extras_for(name))
    for extra in missing:
        log.warning("%s: extra %r is not defined in pyproject.toml yet; skipped", name, extra)

    target = out / name
    if target.exists():
        shutil.rmtree(target)  # stale files from an earlier build must not ship
    shutil.copytree(src, target, ignore=_IGNORE)
    shutil.copytree(repo_root / "shared" / "aksio", target / "aksio", ignore=_IGNORE)
    header = (
        f"# Generated by aksio.devtools.package for {name}; do not edit.\n"
        f"# extras: {', '.join(e for e in extras_for(name) if e not in missing) or '-'}\n"
    )
    (target / "requirements.txt").write_text(
        header + "".join(f"{r}\n" for r in requirements), encoding="utf-8"
    )
    archive = out / f"{name}.zip"
    _write_zip(target, archive)
    return BuiltFunction(name, target, archive, requirements, missing)


def build_all(
    names: Sequence[str] | None = None,
    *,
    repo_root: Path = REPO_ROOT,
    out_dir: Path | None = None,
) -> list[BuiltFunction]:
    available = discover_functions(repo_root / "functions")
    wanted = list(names) if names else available
    unknown = sorted(set(wanted) - set(available))
    if unknown:
        raise FileNotFoundError(f"no functions/<name>/main.py for: {', '.join(unknown)}")
    project = read_project(repo_root / "pyproject.toml")
    return [
        build_function(n, repo_root=repo_root, out_dir=out_dir, project=project) for n in wanted
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("names", nargs="*", help="functions to build (default: all)")
    parser.add_argument("--out", type=Path, default=None, help="output dir (default: build/)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    try:
        built = build_all(args.names, out_dir=args.out)
    except FileNotFoundError as exc:
        log.error("%s", exc)
        return 1
    if not built:
        log.warning("no functions/<name>/main.py found; nothing to package")
    for fn in built:
        size_kib = fn.archive.stat().st_size / 1024
        log.info(
            "%s -> %s (%.0f KiB, %d requirements)",
            fn.name,
            fn.archive,
            size_kib,
            len(fn.requirements),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
