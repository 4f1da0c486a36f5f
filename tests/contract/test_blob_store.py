"""One contract for every blob store adapter: the local folder and Cloud Storage
(through the real SDK against ``gcp-storage-emulator``)."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from aksio.adapters.gcs_blobs import GcsBlobStore
from aksio.adapters.local_blobs import LocalBlobStore
from aksio.ports.blobs import DEFAULT_CONTENT_TYPE, BlobInfo, BlobNotFound, BlobStore
from tests.fixtures.storage_emulator import StorageEmulator


@pytest.fixture(params=["local", "gcs"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "local":
        return LocalBlobStore(tmp_path, "test-bucket")
    emulator: StorageEmulator = request.getfixturevalue("storage_emulator")
    return GcsBlobStore(emulator.create_bucket())


def test_put_then_get_and_info(store: BlobStore) -> None:
    put = store.put("users/u1/notes.txt", b"hello", content_type="text/plain")
    assert put == BlobInfo(
        name="users/u1/notes.txt",
        size=5,
        content_type="text/plain",
        generation=put.generation,
        updated=put.updated,
    )
    assert isinstance(put.updated, datetime) and put.updated.tzinfo is not None
    assert store.get("users/u1/notes.txt") == b"hello"
    assert store.info("users/u1/notes.txt") == put


def test_binary_data_round_trips(store: BlobStore) -> None:
    data = bytes(range(256)) * 64 + os.urandom(1000)
    store.put("bin/all-bytes", data, content_type="application/pdf")
    assert store.get("bin/all-bytes") == data
    info = store.info("bin/all-bytes")
    assert info is not None and info.size == len(data) and info.content_type == "application/pdf"


def test_empty_object(store: BlobStore) -> None:
    assert store.put("empty", b"").size == 0
    assert store.get("empty") == b""


def test_default_content_type(store: BlobStore) -> None:
    assert store.put("x/untyped", b"\x00\x01").content_type == DEFAULT_CONTENT_TYPE
    info = store.info("x/untyped")
    assert info is not None and info.content_type == DEFAULT_CONTENT_TYPE


def test_overwrite_replaces_data_and_increases_generation(store: BlobStore) -> None:
    first = store.put("doc", b"one", content_type="text/plain")
    second = store.put("doc", b"second", content_type="text/markdown")
    assert second.generation > first.generation
    assert store.get("doc") == b"second"
    info = store.info("doc")
    assert info is not None
    assert (info.size, info.content_type, info.generation) == (
        6,
        "text/markdown",
        second.generation,
    )


def test_missing_object(store: BlobStore) -> None:
    with pytest.raises(BlobNotFound):
        store.get("nope/missing.pdf")
    assert store.info("nope/missing.pdf") is None
    assert store.delete("nope/missing.pdf") is False


def test_delete(store: BlobStore) -> None:
    store.put("a/b/c", b"1")
    assert store.delete("a/b/c") is True
    assert store.info("a/b/c") is None
    with pytest.raises(BlobNotFound):
        store.get("a/b/c")
    assert store.delete("a/b/c") is False
    assert list(store.list("")) == []


def test_object_and_prefix_with_the_same_name_coexist(store: BlobStore) -> None:
    store.put("a", b"file")
    store.put("a/b", b"nested")
    assert (store.get("a"), store.get("a/b")) == (b"file", b"nested")
    assert [i.name for i in store.list("a")] == ["a", "a/b"]
    assert store.delete("a") is True
    assert store.get("a/b") == b"nested"


def test_list_by_prefix_in_name_order(store: BlobStore) -> None:
    for name in ["u/2/z", "u/1/b", "u/1/a", "u/10/a", "v/1", "u/1", "u-x"]:
        store.put(name, name.encode(), content_type="text/plain")
    assert [i.name for i in store.list("u/1/")] == ["u/1/a", "u/1/b"]
    assert [i.name for i in store.list("u/1")] == ["u/1", "u/1/a", "u/1/b", "u/10/a"]
    assert [i.name for i in store.list("u")] == [
        "u-x",
        "u/1",
        "u/1/a",
        "u/1/b",
        "u/10/a",
        "u/2/z",
    ]
    assert [i.name for i in store.list("w/")] == []
    listed = {i.name: i for i in store.list("")}
    assert len(listed) == 7
    assert listed["v/1"] == store.info("v/1")


def test_delete_prefix_many_objects(store: BlobStore) -> None:
    # More than one Cloud Storage batch (100 calls) and more than one list page.
    names = [f"users/u1/docs/{i:03d}" for i in range(150)]
    for name in names:
        store.put(name, b"x")
    store.put("users/u10/keep", b"k")
    store.put("users/u2/keep", b"k")
    assert store.delete_prefix("users/u1/") == 150
    assert [i.name for i in store.list("users/")] == ["users/u10/keep", "users/u2/keep"]
    assert store.delete_prefix("users/u1/") == 0


def test_unicode_names(store: BlobStore) -> None:
    store.put("kurs/økonomi/forelesning 1 (utkast).pdf", b"%PDF", content_type="application/pdf")
    assert [i.name for i in store.list("kurs/ø")] == ["kurs/økonomi/forelesning 1 (utkast).pdf"]
    assert store.get("kurs/økonomi/forelesning 1 (utkast).pdf") == b"%PDF"


@pytest.mark.parametrize("bad", ["", "/abs/path", "a/../b", "..", "a//b", "a/./b", "x\ny"])
def test_rejects_unsafe_names(store: BlobStore, bad: str) -> None:
    op: Callable[[], object]
    for op in (
        lambda: store.put(bad, b"x"),
        lambda: store.get(bad),
        lambda: store.info(bad),
        lambda: store.delete(bad),
    ):
        with pytest.raises(ValueError):
            op()


def test_ping(store: BlobStore) -> None:
    store.ping()


def test_gcs_ping_fails_for_a_missing_bucket(storage_emulator: StorageEmulator) -> None:
    from google.api_core.exceptions import NotFound

    with pytest.raises(NotFound):
        GcsBlobStore("no-such-bucket").ping()


def test_local_store_never_writes_outside_its_folder(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "root", "b")
    store.put("a/b.txt", b"1", content_type="text/plain")
    store.put("a", b"2")
    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert files == [
        "root/b/a.blob",
        "root/b/a.d/b.txt.blob",
        "root/b/a.d/b.txt.meta.json",
        "root/b/a.meta.json",
    ]
    store.delete_prefix("")
    assert list((tmp_path / "root" / "b").iterdir()) == []  # empty folders pruned too


def test_local_store_survives_a_new_instance(tmp_path: Path) -> None:
    first = LocalBlobStore(tmp_path, "b").put("k", b"v", content_type="text/plain")
    again = LocalBlobStore(tmp_path, "b")
    assert again.info("k") == first
    assert again.put("k", b"w").generation > first.generation


def test_importing_the_port_and_adapters_does_not_import_the_sdk() -> None:
    import subprocess
    import sys

    code = (
        "import sys, aksio.ports.blobs, aksio.adapters.gcs_blobs, aksio.adapters.local_blobs\n"
        "assert 'google.cloud.storage' not in sys.modules, 'SDK imported eagerly'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
