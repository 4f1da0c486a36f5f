"""Translate a port Query into one SQL statement over the ``docs`` table.

Every field expression is a pair: a type rank (Firestore's cross-type
order, computed from ``json_type`` and the string prefix) and the raw
``json_extract`` value. Filters compare both, so 1 never equals True and a
range on numbers never matches strings; orders sort by both, and a missing
field (rank NULL) drops the document, as Firestore's indexes do.
"""

from __future__ import annotations

from typing import Any

from aksio.adapters import sqlite_codec as codec
from aksio.adapters.sqlite_apply import field_path
from aksio.ports.documents import DOCUMENT_ID, Filter, InvalidArgument, Query, validate_query

_RANK_CASE = """CASE json_type({src}, {p})
 WHEN 'null' THEN 0 WHEN 'true' THEN 1 WHEN 'false' THEN 1
 WHEN 'integer' THEN 2 WHEN 'real' THEN 2
 WHEN 'text' THEN CASE substr(json_extract({src}, {p}), 1, 2)
   WHEN 'd:' THEN 3 WHEN 's:' THEN 4 ELSE 5 END
 WHEN 'array' THEN 6 WHEN 'object' THEN 7 END"""

_ELEM_RANK = """CASE je.type
 WHEN 'null' THEN 0 WHEN 'true' THEN 1 WHEN 'false' THEN 1
 WHEN 'integer' THEN 2 WHEN 'real' THEN 2
 WHEN 'text' THEN CASE substr(je.atom, 1, 2) WHEN 'd:' THEN 3 WHEN 's:' THEN 4 ELSE 5 END
 WHEN 'array' THEN 6 WHEN 'object' THEN 7 END"""

_ELEM_VALUE = "CASE WHEN je.type IN ('array', 'object') THEN je.value ELSE je.atom END"

_COMPARE = {"<": "<", "<=": "<=", ">": ">", ">=": ">="}


def json_path(field: str) -> str:
    parts = field_path(field)
    if any('"' in p for p in parts):
        raise InvalidArgument(f"field names with '\"' cannot be queried: {field!r}")
    return "$" + "".join(f'."{p}"' for p in parts)


class _Sql:
    """Collects SQL text and its parameters."""

    def __init__(self) -> None:
        # Named parameters: expressions are reused several times in the text.
        self.params: dict[str, Any] = {}

    def bind(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return ":" + name

    def field(self, name: str) -> tuple[str, str]:
        """(rank expression, value expression) of a field."""
        p = self.bind(json_path(name))
        return _RANK_CASE.format(src="data", p=p), f"json_extract(data, {p})"

    def value(self, v: Any) -> str:
        """A bound value as ``json_extract`` would return it."""
        if isinstance(v, list | tuple | dict):
            return f"json({self.bind(codec.sql_value(v))})"
        return self.bind(codec.sql_value(v))

    def equals(self, rank_expr: str, value_expr: str, v: Any) -> str:
        r = codec.rank(v)
        if r == codec.R_NULL:
            return f"({rank_expr}) = 0"
        return f"(({rank_expr}) = {r} AND {value_expr} = {self.value(v)})"

    def after(self, rank_expr: str, value_expr: str, v: Any, op: str) -> str:
        """Strictly after ``v`` in Firestore order (``op`` is '>' or '<')."""
        r = codec.rank(v)
        if r == codec.R_NULL:
            return f"({rank_expr}) {op} 0"
        return (
            f"(({rank_expr}) {op} {r} OR "
            f"(({rank_expr}) = {r} AND {value_expr} {op} {self.value(v)}))"
        )


def _name_filter(sql: _Sql, f: Filter) -> str:
    def key(v: Any) -> str:
        if not isinstance(v, str):
            raise InvalidArgument(f"{DOCUMENT_ID} filters take document paths: {v!r}")
        return sql.bind(codec.name_key(v))

    if f.op in ("==", "!="):
        return f"name_key {'=' if f.op == '==' else '<>'} {key(f.value)}"
    if f.op in _COMPARE:
        return f"name_key {_COMPARE[f.op]} {key(f.value)}"
    if f.op in ("in", "not-in"):
        keys = ", ".join(key(v) for v in f.value)
        return f"name_key {'IN' if f.op == 'in' else 'NOT IN'} ({keys})"
    raise InvalidArgument(f"{f.op!r} is not supported on {DOCUMENT_ID}")


def _filter(sql: _Sql, f: Filter) -> str:
    if f.field == DOCUMENT_ID:
        return _name_filter(sql, f)
    if f.op in ("array-contains", "array-contains-any"):
        p = sql.bind(json_path(f.field))
        values = [f.value] if f.op == "array-contains" else list(f.value)
        match = " OR ".join(sql.equals(_ELEM_RANK, _ELEM_VALUE, v) for v in values)
        return (
            f"(json_type(data, {p}) = 'array' AND "
            f"EXISTS (SELECT 1 FROM json_each(data, {p}) AS je WHERE {match}))"
        )
    rank_expr, value_expr = sql.field(f.field)
    if f.op == "==":
        return sql.equals(rank_expr, value_expr, f.value)
    if f.op == "in":
        return "(" + " OR ".join(sql.equals(rank_expr, value_expr, v) for v in f.value) + ")"
    if f.op in ("!=", "not-in"):
        # Firestore: the field must exist and not be null; a null in the list matches nothing.
        values = [f.value] if f.op == "!=" else list(f.value)
        if f.op == "not-in" and any(v is None for v in values):
            return "0"
        if f.op == "!=" and f.value is None:
            return f"({rank_expr}) > 0"
        others = " AND ".join(f"NOT {sql.equals(rank_expr, value_expr, v)}" for v in values)
        return f"(({rank_expr}) > 0 AND {others})"
    # Range: same type class only (Firestore never matches across types).
    r = codec.rank(f.value)
    if r == codec.R_NULL:
        return "0"
    return f"(({rank_expr}) = {r} AND {value_expr} {_COMPARE[f.op]} {sql.value(f.value)})"


def build(query: Query, columns: str) -> tuple[str, dict[str, Any]]:
    """SELECT ``columns`` for ``query``: (sql, params)."""
    validate_query(query)
    sql = _Sql()
    where: list[str] = []
    scope = "coll_id" if query.all_descendants else "parent"
    where.append(f"{scope} = {sql.bind(query.parent)}")
    where.extend(_filter(sql, f) for f in query.filters)

    orders = query.normalized_orders()
    keys: list[tuple[str, str | None, str]] = []  # (rank or name_key, value, direction)
    for o in orders:
        direction = "DESC" if o.direction == "desc" else "ASC"
        if o.field == DOCUMENT_ID:
            keys.append(("name_key", None, direction))
            continue
        rank_expr, value_expr = sql.field(o.field)
        where.append(f"({rank_expr}) IS NOT NULL")
        keys.append((rank_expr, value_expr, direction))

    if query.start_after is not None:
        where.append(_cursor(sql, keys, query.start_after))

    order_sql = ", ".join(
        f"{expr} {d}"
        for rank_expr, value_expr, d in keys
        for expr in (rank_expr, value_expr)
        if expr
    )
    text = f"SELECT {columns} FROM docs WHERE {' AND '.join(where)} ORDER BY {order_sql}"
    if query.limit is not None:
        text += f" LIMIT {sql.bind(query.limit)}"
    return text, sql.params


def _cursor(sql: _Sql, keys: list[tuple[str, str | None, str]], cursor: tuple[Any, ...]) -> str:
    """Keyset condition: after the cursor in the query's (mixed-direction) order."""
    branches: list[str] = []
    for i, (rank_expr, value_expr, direction) in enumerate(keys):
        op = ">" if direction == "ASC" else "<"
        same = [_equal_key(sql, r, v, cursor[j]) for j, (r, v, _) in enumerate(keys[:i])]
        if value_expr is None:
            if not isinstance(cursor[i], str):
                raise InvalidArgument("the cursor's document path must be a string")
            strict = f"name_key {op} {sql.bind(codec.name_key(cursor[i]))}"
        else:
            strict = sql.after(rank_expr, value_expr, cursor[i], op)
        branches.append("(" + " AND ".join([*same, strict]) + ")")
    return "(" + " OR ".join(branches) + ")"


def _equal_key(sql: _Sql, rank_expr: str, value_expr: str | None, v: Any) -> str:
    if value_expr is None:
        return f"name_key = {sql.bind(codec.name_key(v))}"
    return sql.equals(rank_expr, value_expr, v)
