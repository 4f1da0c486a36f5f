"""Firestore's write semantics on plain dicts: what a create, set, merge or
update (with transforms) turns a document into. Used by the SQLite store,
where no server does this for us."""

from __future__ import annotations

import copy
import itertools
from datetime import datetime
from typing import Any

from aksio.adapters.sqlite_codec import values_equal
from aksio.ports.documents import (
    DELETE_FIELD,
    SERVER_TIMESTAMP,
    AlreadyExists,
    ArrayRemove,
    ArrayUnion,
    Data,
    Increment,
    InvalidArgument,
    NotFound,
    Write,
)

Transform = Increment | ArrayUnion | ArrayRemove | Any  # Any: SERVER_TIMESTAMP
Path = tuple[str, ...]


def field_path(dotted: str) -> Path:
    parts = tuple(dotted.split("."))
    if not all(parts):
        raise InvalidArgument(f"bad field path: {dotted!r}")
    return parts


def _is_transform(value: Any) -> bool:
    return value is SERVER_TIMESTAMP or isinstance(value, Increment | ArrayUnion | ArrayRemove)


def _check_plain(value: Any, where: str) -> None:
    """Sentinels are not allowed inside arrays (Firestore rejects them too)."""
    if value is DELETE_FIELD or _is_transform(value):
        raise InvalidArgument(f"{value!r} is not allowed {where}")
    if isinstance(value, list | tuple):
        for v in value:
            _check_plain(v, "inside an array")
    elif isinstance(value, dict):
        for v in value.values():
            _check_plain(v, where)


def _split(
    value: Any, prefix: Path, transforms: list[tuple[Path, Any]], deletes: list[Path] | None
) -> tuple[bool, Any]:
    """Strip transforms (collected with their paths) out of ``value``.

    Returns (keep, plain): keep is False when the value was only transforms
    (or a delete), so nothing plain should be written at ``prefix``.
    """
    if _is_transform(value):
        transforms.append((prefix, value))
        return False, None
    if value is DELETE_FIELD:
        if deletes is None:
            raise InvalidArgument(f"DELETE_FIELD is not allowed here ({'.'.join(prefix)})")
        deletes.append(prefix)
        return False, None
    if isinstance(value, dict):
        if not value:
            return True, {}
        plain: dict[str, Any] = {}
        for k, v in value.items():
            keep, p = _split(v, (*prefix, k), transforms, deletes)
            if keep:
                plain[k] = p
        return bool(plain), plain
    _check_plain(value, "inside an array")
    return True, copy.deepcopy(value)


def get_at(doc: Data, path: Path) -> tuple[bool, Any]:
    node: Any = doc
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def set_at(doc: Data, path: Path, value: Any) -> None:
    node = doc
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[path[-1]] = value


def delete_at(doc: Data, path: Path) -> None:
    found, parent = get_at(doc, path[:-1])
    if found and isinstance(parent, dict):
        parent.pop(path[-1], None)


def _transformed(current: tuple[bool, Any], t: Any, now: datetime) -> Any:
    found, old = current
    if t is SERVER_TIMESTAMP:
        return now
    if isinstance(t, Increment):
        numeric = found and isinstance(old, int | float) and not isinstance(old, bool)
        return old + t.amount if numeric else t.amount
    base = list(old) if found and isinstance(old, list) else []
    if isinstance(t, ArrayUnion):
        for v in t.values:
            _check_plain(v, "in ArrayUnion")
            if not any(values_equal(v, b) for b in base):
                base.append(copy.deepcopy(v))
        return base
    assert isinstance(t, ArrayRemove)
    return [b for b in base if not any(values_equal(v, b) for v in t.values)]


def _apply_transforms(doc: Data, transforms: list[tuple[Path, Any]], now: datetime) -> None:
    for path, t in transforms:
        set_at(doc, path, _transformed(get_at(doc, path), t, now))


def _leaves(value: dict[str, Any], prefix: Path) -> list[tuple[Path, Any]]:
    out: list[tuple[Path, Any]] = []
    for k, v in value.items():
        if isinstance(v, dict) and v:
            out.extend(_leaves(v, (*prefix, k)))
        else:
            out.append(((*prefix, k), v))
    return out


def _check_no_prefix_conflicts(paths: list[Path]) -> None:
    ordered = sorted(paths)
    for a, b in itertools.pairwise(ordered):
        if b[: len(a)] == a:
            raise InvalidArgument(f"conflicting field paths: {'.'.join(a)} and {'.'.join(b)}")


def apply_write(current: Data | None, write: Write, now: datetime) -> Data | None:
    """The document after ``write`` (None: deleted). Preconditions are the caller's."""
    if write.kind == "delete":
        return None
    if write.kind == "create" and current is not None:
        raise AlreadyExists(write.path)
    if write.kind == "update" and current is None:
        raise NotFound(write.path)
    transforms: list[tuple[Path, Any]] = []
    doc: Data
    if write.kind == "create" or (write.kind == "set" and not write.merge):
        _, stripped = _split(dict(write.data), (), transforms, None)
        doc = stripped or {}
    elif write.kind == "set":
        deletes: list[Path] = []
        _, plain = _split(dict(write.data), (), transforms, deletes)
        doc = copy.deepcopy(current) if current else {}
        for path, value in _leaves(plain or {}, ()):
            set_at(doc, path, value)
        for path in deletes:
            delete_at(doc, path)
    else:
        assert current is not None
        doc = copy.deepcopy(current)
        paths = [field_path(k) for k in write.data]
        _check_no_prefix_conflicts(paths)
        for path, value in zip(paths, write.data.values(), strict=True):
            if value is DELETE_FIELD:
                delete_at(doc, path)
                continue
            keep, plain = _split(value, path, transforms, None)
            if keep:
                set_at(doc, path, plain)
    _apply_transforms(doc, transforms, now)
    return doc
