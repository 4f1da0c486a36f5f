"""The SQLite value encoding: lossless, and ordered like Firestore's values."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aksio.adapters import sqlite_codec as codec
from aksio.adapters.sqlite_store import SqliteDocumentStore
from aksio.ports.documents import collection

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=codec.INT64_MIN, max_value=codec.INT64_MAX),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
    st.binary(),
    st.datetimes(timezones=st.just(UTC)),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(min_size=1), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(derandomize=True)  # deterministic runs
@given(st.dictionaries(st.text(min_size=1), values, max_size=6))
def test_documents_round_trip(doc: dict[str, Any]) -> None:
    assert codec.decode_doc(codec.encode_doc(doc)) == doc


def test_timestamps_sort_as_text_across_eras() -> None:
    times = [
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(999, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(2024, 1, 1, tzinfo=UTC) + timedelta(microseconds=1),
        datetime(9999, 12, 31, tzinfo=UTC),
    ]
    encoded = [codec.encode(t) for t in times]
    assert encoded == sorted(encoded)
    assert [codec.decode(e) for e in encoded] == times


def test_type_prefixes_follow_firestore_type_order() -> None:
    assert codec.encode(datetime(9999, 1, 1, tzinfo=UTC)) < codec.encode("") < codec.encode(b"")


def test_values_equal_follows_firestore() -> None:
    assert codec.values_equal(1, 1.0)
    assert not codec.values_equal(True, 1)
    assert codec.values_equal({"a": [1, {"b": 2}]}, {"a": [1.0, {"b": 2}]})
    assert not codec.values_equal("1", 1)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteDocumentStore]:
    s = SqliteDocumentStore(tmp_path_factory.mktemp("codec") / "s.db")
    yield s
    s.close()


def _sort_key(v: Any) -> tuple[int, Any]:
    return (codec.rank(v), v)


same_type_lists = st.one_of(
    st.lists(st.integers(-(10**12), 10**12) | st.floats(-1e12, 1e12), min_size=1, max_size=12),
    st.lists(st.text(max_size=6), min_size=1, max_size=12),
    st.lists(st.binary(max_size=6), min_size=1, max_size=12),
    st.lists(st.datetimes(timezones=st.just(UTC)), min_size=1, max_size=12),
)


@settings(
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    deadline=None,
    derandomize=True,
)
@given(same_type_lists, st.data())
def test_sql_order_and_range_match_python(
    store: SqliteDocumentStore, items: list[Any], data: st.DataObject
) -> None:
    col = f"c{uuid.uuid4().hex}"  # the store is shared across examples
    batch = store.batch()
    for i, v in enumerate(items):
        batch.set(f"{col}/d{i:02d}", {"v": v})
    batch.commit()
    got = [s.data["v"] for s in store.query(collection(col).order_by("v"))]
    assert got == sorted(items, key=_sort_key)
    pivot = data.draw(st.sampled_from(items))
    above = [s.data["v"] for s in store.query(collection(col).where("v", ">", pivot))]
    assert sorted(above, key=_sort_key) == sorted((v for v in items if v > pivot), key=_sort_key)
