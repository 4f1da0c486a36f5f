"""Contract suite plumbing: one ``store`` per adapter, unique collection names,
and ``firestore_gap(reason)``, which turns a case into a strict xfail for the
Firestore emulator param only (the case stays a real test on SQLite)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aksio.adapters.sqlite_store import SqliteDocumentStore
from aksio.ports.documents import DocumentStore

EMULATOR = "@firestore-emulator/server"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "firestore_gap(reason): the Firestore emulator cannot show this case"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        gap = item.get_closest_marker("firestore_gap")
        callspec = getattr(item, "callspec", None)
        if gap is None or callspec is None or callspec.params.get("store") != "firestore":
            continue
        reason = f"{EMULATOR} {gap.kwargs.get('reason') or gap.args[0]}"
        item.add_marker(pytest.mark.xfail(reason=reason, strict=True))


@pytest.fixture(
    params=["sqlite", pytest.param("firestore", marks=pytest.mark.emulator)],
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DocumentStore]:
    if request.param == "sqlite":
        sqlite = SqliteDocumentStore(tmp_path / "store.db")
        yield sqlite
        sqlite.close()
        return
    from aksio.adapters.firestore_store import FirestoreDocumentStore

    client: Any = request.getfixturevalue("firestore_client")
    yield FirestoreDocumentStore(client)  # the session owns the client


@pytest.fixture
def col() -> str:
    """A collection id no other test uses (the emulator keeps all data)."""
    return f"c{uuid.uuid4().hex[:12]}"
