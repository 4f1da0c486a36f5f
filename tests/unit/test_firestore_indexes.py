"""firestore.indexes.json must stay in the format the Firebase CLI and our
Terraform (jsondecode + google_firestore_index / google_firestore_field) read;
a malformed entry would only fail at deploy time otherwise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

INDEXES_PATH = Path(__file__).resolve().parents[2] / "firestore.indexes.json"

QUERY_SCOPES = {"COLLECTION", "COLLECTION_GROUP"}
ORDERS = {"ASCENDING", "DESCENDING"}
ARRAY_CONFIGS = {"CONTAINS"}
FIELD_KINDS = ("order", "arrayConfig", "vectorConfig")


def _load() -> dict[str, Any]:
    data = json.loads(INDEXES_PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _check_field_kind(where: str, entry: dict[str, Any]) -> None:
    kinds = [k for k in FIELD_KINDS if k in entry]
    assert len(kinds) == 1, f"{where}: exactly one of {FIELD_KINDS} expected, got {kinds}"
    if "order" in entry:
        assert entry["order"] in ORDERS, f"{where}: bad order {entry['order']!r}"
    if "arrayConfig" in entry:
        assert entry["arrayConfig"] in ARRAY_CONFIGS, f"{where}: bad arrayConfig"
    if "vectorConfig" in entry:
        vector = entry["vectorConfig"]
        assert isinstance(vector.get("dimension"), int) and vector["dimension"] > 0, where
        assert "flat" in vector, f"{where}: vectorConfig needs a 'flat' index type"


def test_top_level_shape() -> None:
    data = _load()
    assert set(data) <= {"indexes", "fieldOverrides"}
    assert isinstance(data.get("indexes"), list)
    assert isinstance(data.get("fieldOverrides", []), list)


def test_composite_indexes_are_well_formed() -> None:
    seen: set[str] = set()
    for i, index in enumerate(_load()["indexes"]):
        where = f"indexes[{i}]"
        assert isinstance(index.get("collectionGroup"), str) and index["collectionGroup"], where
        assert index.get("queryScope") in QUERY_SCOPES, f"{where}: bad queryScope"
        fields = index.get("fields")
        assert isinstance(fields, list) and fields, f"{where}: fields must be a non-empty list"
        # A single-field "composite" index is rejected by Firestore: those are automatic
        # (or field overrides). __name__ alone after one field is still single-field.
        real = [f for f in fields if f.get("fieldPath") != "__name__"]
        assert len(real) >= 2 or any("vectorConfig" in f for f in fields), (
            f"{where}: a composite index needs at least two fields"
        )
        for j, field in enumerate(fields):
            assert isinstance(field.get("fieldPath"), str) and field["fieldPath"], (
                f"{where}.fields[{j}]: fieldPath missing"
            )
            _check_field_kind(f"{where}.fields[{j}]", field)
        # Terraform keys indexes by their content; a duplicate would collide.
        key = json.dumps(index, sort_keys=True)
        assert key not in seen, f"{where}: duplicate index"
        seen.add(key)


def test_field_overrides_are_well_formed() -> None:
    for i, override in enumerate(_load().get("fieldOverrides", [])):
        where = f"fieldOverrides[{i}]"
        assert isinstance(override.get("collectionGroup"), str) and override["collectionGroup"]
        assert isinstance(override.get("fieldPath"), str) and override["fieldPath"], where
        if "ttl" in override:
            assert isinstance(override["ttl"], bool), f"{where}: ttl must be a boolean"
        for j, index in enumerate(override.get("indexes", [])):
            assert index.get("queryScope") in QUERY_SCOPES, f"{where}.indexes[{j}]"
            _check_field_kind(f"{where}.indexes[{j}]", index)


@pytest.mark.parametrize("scope", ["COLLECTION", "COLLECTION_GROUP"])
def test_feedback_is_queryable_across_users_by_created_at(scope: str) -> None:
    # Support staff list feedback across all users newest first: a collection-group
    # query, which single-field defaults (collection scope only) do not serve.
    overrides = {
        (o["collectionGroup"], o["fieldPath"]): o for o in _load().get("fieldOverrides", [])
    }
    feedback = overrides[("feedback", "created_at")]
    orders = {ix.get("order") for ix in feedback["indexes"] if ix["queryScope"] == scope}
    assert {"ASCENDING", "DESCENDING"} <= orders


def test_rate_limit_windows_expire_by_ttl() -> None:
    # Each window is a document (aksio.ratelimit); without the TTL policy on the
    # field it writes, old windows would pile up forever. Never queried, so not
    # indexed (an indexed timestamp field that only grows is a write hotspot).
    from aksio import ratelimit

    overrides = {
        (o["collectionGroup"], o["fieldPath"]): o for o in _load().get("fieldOverrides", [])
    }
    ttl = overrides[(ratelimit.COLLECTION, ratelimit.TTL_FIELD)]
    assert ttl["ttl"] is True and ttl["indexes"] == []


QUERYING_MODULES = (
    "aksio.courses.repository",
    "aksio.assessments.flashcards.repository",
    "aksio.assessments.quizzes.repository",
    "aksio.assessments.generation.jobs",
    "aksio.assessments.personalization",
    "aksio.learning.plans.repository",
    "aksio.learning.sessions.repository",
    "aksio.learning.progress.repository",
)


@pytest.mark.parametrize("module", QUERYING_MODULES)
def test_every_declared_query_index_is_deployed(module: str) -> None:
    # Each repository lists the composite indexes its queries need; Firestore
    # refuses such a query at runtime without one, which no local test shows.
    import importlib

    needed = importlib.import_module(module).QUERY_INDEXES
    deployed = {json.dumps(ix, sort_keys=True) for ix in _load()["indexes"]}
    missing = [ix for ix in needed if json.dumps(ix, sort_keys=True) not in deployed]
    assert not missing, f"{module} needs indexes missing from firestore.indexes.json: {missing}"
