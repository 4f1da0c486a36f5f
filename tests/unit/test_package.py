"""The packager writes what Cloud Functions' Python buildpack needs: main.py at
the root, the aksio package beside it, and pinned requirements per function."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import pytest

from aksio.devtools import package

PYPROJECT = """
[project]
name = "aksio"
dependencies = ["functions-framework==3.10.2", "pydantic==2.14.3"]

[project.optional-dependencies]
firestore = ["google-cloud-firestore==2.34.1"]
gcs = ["google-cloud-storage==3.17.1"]
identity = ["firebase-admin==7.7.0", "pydantic==2.14.3"]
all = ["aksio[firestore,gcs]"]
dev = ["pytest==9.2.0"]
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    pkg = tmp_path / "shared" / "aksio"
    (pkg / "devtools").mkdir(parents=True)
    (pkg / "__pycache__").mkdir()
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "config.py").write_text("X = 1\n", encoding="utf-8")
    (pkg / "devtools" / "package.py").write_text("", encoding="utf-8")
    (pkg / "__pycache__" / "config.cpython-311.pyc").write_bytes(b"\0")
    for name in ("accounts", "chat"):
        fn = tmp_path / "functions" / name
        fn.mkdir(parents=True)
        (fn / "main.py").write_text(f"def {name}(request): return 'ok'\n", encoding="utf-8")
    (tmp_path / "functions" / "not_a_function").mkdir()
    return tmp_path


def test_resolve_requirements_core_then_extras_without_duplicates() -> None:
    project = package.read_project(Path(__file__).resolve().parents[2] / "pyproject.toml")
    reqs, missing = package.resolve_requirements(project, ["firestore", "identity", "nope"])
    assert reqs[: len(project.dependencies)] == project.dependencies
    assert any(r.startswith("google-cloud-firestore==") for r in reqs)
    assert any(r.startswith("firebase-admin==") for r in reqs)
    assert not any(r.startswith("google-cloud-storage") for r in reqs)
    assert missing == ("nope",)
    assert all("==" in r for r in reqs), "deployments install exact pins only"


def test_self_referencing_extra_and_dev_extra(repo: Path) -> None:
    project = package.read_project(repo / "pyproject.toml")
    reqs, missing = package.resolve_requirements(project, ["all", "identity", "dev"])
    names = [r.split("==")[0] for r in reqs]
    assert names == [
        "functions-framework",
        "pydantic",
        "google-cloud-firestore",
        "google-cloud-storage",
        "firebase-admin",
    ]
    assert missing == ()


def test_build_all_writes_dirs_and_zips(repo: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="aksio.package"):
        built = package.build_all(repo_root=repo)
    assert [b.name for b in built] == ["accounts", "chat"]

    chat = built[1]
    assert chat.skipped_extras == ("openai",)  # not in this pyproject: skipped, not fatal
    assert "'openai' is not defined" in caplog.text

    accounts = built[0]
    assert (accounts.directory / "main.py").is_file()
    assert (accounts.directory / "aksio" / "config.py").is_file()
    assert not (accounts.directory / "aksio" / "devtools").exists()
    assert not (accounts.directory / "aksio" / "__pycache__").exists()
    req = (accounts.directory / "requirements.txt").read_text(encoding="utf-8")
    assert "google-cloud-storage==3.17.1" in req
    assert "pytest" not in req

    with zipfile.ZipFile(accounts.archive) as zf:
        names = set(zf.namelist())
    assert {"main.py", "requirements.txt", "aksio/__init__.py", "aksio/config.py"} <= names


def test_zip_is_reproducible(repo: Path) -> None:
    first = package.build_function("accounts", repo_root=repo).archive.read_bytes()
    second = package.build_function("accounts", repo_root=repo).archive.read_bytes()
    assert first == second


def test_unknown_function_is_an_error(repo: Path) -> None:
    with pytest.raises(FileNotFoundError):
        package.build_all(["nope"], repo_root=repo)
    assert package.main(["--out", str(repo / "out"), "does_not_exist"]) == 1
