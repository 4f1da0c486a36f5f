"""Document store port: Firestore's data model, independent of any SDK.

Paths alternate collection and document ids: ``users/u1`` is a document,
``users/u1/activity`` a collection. Values are JSON-like: None, bool, int,
float, str, bytes, datetime (timezone-aware, UTC), list and dict.

Adapters: ``aksio.adapters.sqlite_store`` (embedded default) and
``aksio.adapters.firestore_store`` (production). Both pass
``tests/contract/test_document_store.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol, TypeVar

Data = dict[str, Any]
T = TypeVar("T")

MAX_BATCH_WRITES = 500  # Firestore's limit per commit
MAX_IN_VALUES = 30  # Firestore's limit for `in`, `not-in`, `array-contains-any`


# ---------------------------------------------------------------- errors
class DocumentStoreError(Exception):
    """Base class of every error a document store raises."""


class AlreadyExists(DocumentStoreError):
    """create() found a document at the path."""


class NotFound(DocumentStoreError):
    """update() (or a precondition) needed a document that is not there."""


class PreconditionFailed(DocumentStoreError):
    """The document's update_time was not the one the write required."""


class Contention(DocumentStoreError):
    """A transaction kept conflicting after every retry."""


class InvalidArgument(DocumentStoreError):
    """The request is malformed (bad path, bad query, too many values)."""


class ReadAfterWrite(InvalidArgument):
    """A transaction read after it had written (Firestore requires reads first)."""


# ---------------------------------------------------------------- transforms
@dataclass(frozen=True)
class Increment:
    amount: int | float


@dataclass(frozen=True)
class ArrayUnion:
    values: tuple[Any, ...]

    def __init__(self, values: Sequence[Any]) -> None:
        object.__setattr__(self, "values", tuple(values))


@dataclass(frozen=True)
class ArrayRemove:
    values: tuple[Any, ...]

    def __init__(self, values: Sequence[Any]) -> None:
        object.__setattr__(self, "values", tuple(values))


class _Sentinel:
    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name


SERVER_TIMESTAMP: Any = _Sentinel("SERVER_TIMESTAMP")
"""Replaced by the commit time of the write."""
DELETE_FIELD: Any = _Sentinel("DELETE_FIELD")
"""Removes the field (update() and set(merge=True) only)."""


# ---------------------------------------------------------------- snapshots
@dataclass(frozen=True)
class Snapshot:
    path: str
    data: Data
    create_time: datetime
    update_time: datetime

    @property
    def id(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    def get(self, field_path: str, default: Any = None) -> Any:
        value: Any = self.data
        for part in field_path.split("."):
            if not isinstance(value, dict) or part not in value:
                return default
            value = value[part]
        return value


# ---------------------------------------------------------------- queries
Op = Literal[
    "==", "!=", "<", "<=", ">", ">=", "in", "not-in", "array-contains", "array-contains-any"
]
Direction = Literal["asc", "desc"]
DOCUMENT_ID = "__name__"
"""Field path of the document id, usable in order_by and filters (value: full path)."""
INEQUALITY_OPS: frozenset[str] = frozenset({"!=", "<", "<=", ">", ">=", "not-in"})
LIST_OPS: frozenset[str] = frozenset({"in", "not-in", "array-contains-any"})


@dataclass(frozen=True)
class Filter:
    field: str
    op: Op
    value: Any


@dataclass(frozen=True)
class Order:
    field: str
    direction: Direction = "asc"


@dataclass(frozen=True)
class Query:
    """A query over one collection (``parent``) or a collection group.

    ``parent`` is a collection path such as ``users/u1/activity``; with
    ``all_descendants=True`` it is a bare collection id (``activity``) and the
    query spans every collection of that id (a collection-group query).

    ``start_after`` is a keyset cursor: the values of the last document seen
    for each of ``normalized_orders()`` (explicit orders, implicit inequality
    orders, then ``__name__`` whose value is the document's path, last unless
    ordered explicitly). ``cursor_of`` builds it; ``Page.next_cursor`` uses
    that. A cursor of any other length is an InvalidArgument.

    Ordering follows Firestore: documents lacking an order-by field are left
    out; values of different types sort null < bool < number < timestamp <
    string < bytes < array < map; ``1 == 1.0`` but ``True != 1``.
    """

    parent: str
    filters: tuple[Filter, ...] = ()
    orders: tuple[Order, ...] = ()
    limit: int | None = None
    start_after: tuple[Any, ...] | None = None
    all_descendants: bool = False

    def where(self, field_path: str, op: Op, value: Any) -> Query:
        return _replace(self, filters=(*self.filters, Filter(field_path, op, value)))

    def order_by(self, field_path: str, direction: Direction = "asc") -> Query:
        return _replace(self, orders=(*self.orders, Order(field_path, direction)))

    def limit_to(self, n: int) -> Query:
        return _replace(self, limit=n)

    def after(self, cursor: Sequence[Any] | None) -> Query:
        return _replace(self, start_after=None if cursor is None else tuple(cursor))

    def normalized_orders(self) -> tuple[Order, ...]:
        """The orders Firestore really applies: the explicit ones, then every
        inequality field not yet ordered (by field path), then ``__name__``;
        implicit orders take the direction of the last explicit one."""
        orders = list(self.orders)
        direction: Direction = orders[-1].direction if orders else "asc"
        ordered = {o.field for o in orders}
        for name in sorted({f.field for f in self.filters if f.op in INEQUALITY_OPS}):
            if name not in ordered and name != DOCUMENT_ID:
                orders.append(Order(name, direction))
                ordered.add(name)
        if DOCUMENT_ID not in ordered:
            orders.append(Order(DOCUMENT_ID, direction))
        return tuple(orders)

    def cursor_of(self, snap: Snapshot) -> tuple[Any, ...]:
        """The keyset cursor that resumes this query after ``snap``: one value
        per normalized order (the path for ``__name__``, last unless ordered
        explicitly), so implicit inequality orders are covered too."""
        return tuple(
            snap.path if o.field == DOCUMENT_ID else snap.get(o.field)
            for o in self.normalized_orders()
        )


def collection(path: str) -> Query:
    return Query(parent=path)


def collection_group(collection_id: str) -> Query:
    return Query(parent=collection_id, all_descendants=True)


def validate_query(query: Query) -> None:
    """Reject what Firestore rejects, the same way in every adapter."""
    if not query.parent or (not query.all_descendants and len(query.parent.split("/")) % 2 == 0):
        raise InvalidArgument(f"not a collection path: {query.parent!r}")
    if query.all_descendants and "/" in query.parent:
        raise InvalidArgument(f"a collection group is a bare collection id: {query.parent!r}")
    if query.limit is not None and query.limit < 0:
        raise InvalidArgument("limit must not be negative")
    for f in query.filters:
        if f.op in LIST_OPS:
            if not isinstance(f.value, list | tuple) or not f.value:
                raise InvalidArgument(f"{f.op!r} needs a non-empty list of values")
            if len(f.value) > MAX_IN_VALUES:
                raise InvalidArgument(f"{f.op!r} takes at most {MAX_IN_VALUES} values")
    if query.start_after is not None and len(query.start_after) != len(query.normalized_orders()):
        raise InvalidArgument("the cursor does not match the query's orders (use cursor_of)")


def check_document_path(path: str) -> list[str]:
    """The segments of a document path; InvalidArgument if it is not one."""
    parts = path.split("/")
    if len(parts) % 2 or not all(parts):
        raise InvalidArgument(f"not a document path: {path!r}")
    return parts


def _replace(q: Query, **changes: Any) -> Query:
    from dataclasses import replace

    return replace(q, **changes)


# ---------------------------------------------------------------- writes
@dataclass(frozen=True)
class Write:
    kind: Literal["create", "set", "update", "delete"]
    path: str
    data: Data = field(default_factory=dict)
    merge: bool = False
    if_update_time: datetime | None = None


class WriteRecorder:
    """The four write methods of batches and transactions, each recorded as a
    Write; subclasses decide what recording means (buffer, forward, count)."""

    def _record(self, write: Write) -> None:
        raise NotImplementedError

    def create(self, path: str, data: Data) -> None:
        self._record(Write("create", path, data))

    def set(self, path: str, data: Data, *, merge: bool = False) -> None:
        self._record(Write("set", path, data, merge=merge))

    def update(self, path: str, data: Data, *, if_update_time: datetime | None = None) -> None:
        self._record(Write("update", path, data, if_update_time=if_update_time))

    def delete(self, path: str, *, if_update_time: datetime | None = None) -> None:
        self._record(Write("delete", path, if_update_time=if_update_time))


def replay(write: Write, target: WriteBatch | Transaction) -> None:
    """Apply a recorded Write to a batch or transaction."""
    if write.kind == "create":
        target.create(write.path, write.data)
    elif write.kind == "set":
        target.set(write.path, write.data, merge=write.merge)
    elif write.kind == "update":
        target.update(write.path, write.data, if_update_time=write.if_update_time)
    else:
        target.delete(write.path, if_update_time=write.if_update_time)


class WriteBatch(Protocol):
    """Writes applied atomically by commit(); at most MAX_BATCH_WRITES."""

    def create(self, path: str, data: Data) -> None: ...
    def set(self, path: str, data: Data, *, merge: bool = False) -> None: ...
    def update(self, path: str, data: Data, *, if_update_time: datetime | None = None) -> None: ...
    def delete(self, path: str, *, if_update_time: datetime | None = None) -> None: ...
    def commit(self) -> datetime: ...


class Transaction(Protocol):
    """Reads first, then writes (Firestore's rule); writes apply at commit.

    The function given to run_transaction may run more than once: it must not
    have side effects beyond the transaction's own reads and writes.
    """

    def get(self, path: str) -> Snapshot | None: ...
    def get_many(self, paths: Sequence[str]) -> list[Snapshot | None]: ...
    def query(self, query: Query) -> list[Snapshot]: ...
    def create(self, path: str, data: Data) -> None: ...
    def set(self, path: str, data: Data, *, merge: bool = False) -> None: ...
    def update(self, path: str, data: Data, *, if_update_time: datetime | None = None) -> None: ...
    def delete(self, path: str, *, if_update_time: datetime | None = None) -> None: ...


class DocumentStore(Protocol):
    """The document store every domain module talks to.

    ``update`` takes dotted field paths (``"stats.count"``) and transforms;
    ``set(merge=True)`` merges nested maps and accepts transforms;
    ``set(merge=False)`` replaces the document.
    """

    def get(self, path: str) -> Snapshot | None: ...
    def get_many(self, paths: Sequence[str]) -> list[Snapshot | None]: ...
    def create(self, path: str, data: Data) -> datetime: ...
    def set(self, path: str, data: Data, *, merge: bool = False) -> datetime: ...
    def update(
        self, path: str, data: Data, *, if_update_time: datetime | None = None
    ) -> datetime: ...
    def delete(self, path: str, *, if_update_time: datetime | None = None) -> None: ...
    def query(self, query: Query) -> list[Snapshot]: ...
    def stream(self, query: Query) -> Iterator[Snapshot]: ...
    def count(self, query: Query) -> int: ...
    def batch(self) -> WriteBatch: ...
    def run_transaction(self, fn: Callable[[Transaction], T], *, max_attempts: int = 10) -> T: ...
    def list_tree(self, path: str) -> Iterator[Snapshot]:
        """Every document below ``path`` (a document path), at any depth, not itself."""
        ...

    def delete_tree(self, path: str) -> int:
        """Delete ``path`` and every document below it, in batches; returns the count."""
        ...

    def ping(self) -> None:
        """Raise if the store cannot be reached (health checks)."""
        ...

    def close(self) -> None: ...
