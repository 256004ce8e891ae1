"""Fast, backend-aware bulk inserts for the importer (inside the caller's transaction).

Django's ``bulk_create`` builds a model instance and a parameter list per row; at a
million records with half a dozen index rows each, that alone costs more than the
20,000 records/s the registry must reach. Here rows are plain tuples already in the
database's form: multi-row INSERTs on SQLite, ``COPY ... FROM STDIN`` on PostgreSQL
(binary, built with numpy, for the key table). IDs of the records are allocated before
each chunk so the dependent rows (names, keys, history) can point at them.

For an import that at least doubles a table, ``deferred_indexes`` drops the table's
non-unique secondary indexes and rebuilds them after the rows are in (a sorted build
is several times faster than a million random B-tree inserts); on SQLite only, where
readers keep reading their WAL snapshot meanwhile (on PostgreSQL dropping an index
would block every reader of the table until commit).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from itertools import chain
from typing import Any

import numpy as np
from django.apps import apps
from django.db import connection
from django.db.models import Model


def columns_of(model: type[Model], *, with_id: bool) -> list[str]:
    return [
        str(f.column)
        for f in model._meta.concrete_fields
        if with_id or not getattr(f, "primary_key", False)
    ]


@cache
def _sequence_of(table: str) -> str:
    """The PostgreSQL sequence behind ``table``'s id, as an SQL literal."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT quote_literal(pg_get_serial_sequence(%s, 'id'))", [table])
        return str(cursor.fetchone()[0])


def allocate_ids(model: type[Model], count: int) -> list[int]:
    """``count`` unused primary keys (the write lock or the sequence makes them ours).

    PostgreSQL: each id is a ``nextval`` of the table's sequence (so no concurrent insert
    can be given one of them), drawn in one statement; the server answers with the
    first and last id when they are consecutive (the usual case) and with the array of
    ids only when another session drew from the sequence meanwhile. The sequence is a
    constant in the SQL: ``nextval`` of a per-row expression (``pg_get_serial_sequence``
    in the call) cost 7 us an id instead of 1, and sending one row per id back cost as
    much again.
    """
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH drawn AS (SELECT nextval({_sequence_of(table)}::regclass) AS id "
                "FROM generate_series(1, %s)) SELECT min(id), max(id), CASE WHEN "
                "max(id) - min(id) + 1 = count(*) THEN NULL ELSE array_agg(id) "
                "END FROM drawn",
                [count],
            )
            first, last, scattered = cursor.fetchone()
            if scattered is not None:
                return sorted(int(i) for i in scattered)
            return list(range(int(first), int(last) + 1))
        # SQLite: Beacon opens transactions IMMEDIATE, so the write lock is held from the
        # start of the import's transaction; nobody else can take these ids meanwhile.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        start = int(cursor.fetchone()[0]) + 1
        return list(range(start, start + count))


SQLITE_VARIABLES = 32_766  # SQLite's limit on parameters per statement (3.32+)
SQLITE_ROWS = 500  # rows per multi-row INSERT on SQLite


def _sqlite_insert(table: str, columns: Sequence[str], flat: list[Any]) -> None:
    """Multi-row ``INSERT ... VALUES (...), (...)`` statements over ``flat`` (the rows'
    values one after the other): one statement step per few hundred rows instead of one
    per row (about a third cheaper than ``executemany`` of single rows)."""
    width = len(columns)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    one = "(" + ", ".join(["?"] * width) + ")"
    per = max(1, min(SQLITE_ROWS, SQLITE_VARIABLES // width))
    step = per * width
    whole = len(flat) - len(flat) % step
    cursor = connection.connection.cursor()  # the raw sqlite3 cursor: parameters as they are
    try:
        if whole:
            full = f"INSERT INTO {table} ({names}) VALUES " + ", ".join([one] * per)
            cursor.executemany(full, (flat[i : i + step] for i in range(0, whole, step)))
        if whole < len(flat):
            rest = (len(flat) - whole) // width
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES " + ", ".join([one] * rest), flat[whole:]
            )
    finally:
        cursor.close()


@contextmanager
def _copy(sql: str) -> Iterator[Any]:
    """A psycopg COPY on the connection's own cursor (inside its transaction)."""
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        yield copy


def _json_as_given(value: Any) -> str:
    """JSON columns arrive as JSON text already (made in the workers): written as is."""
    return value if isinstance(value, str) else json.dumps(value)


@cache
def _pg_types(table: str, columns: tuple[str, ...]) -> list[str] | None:
    """The PostgreSQL type names of ``table``'s ``columns`` for a binary COPY, from the
    model's fields; None when a column's type has no binary dumper (then text COPY)."""
    fields = next(
        (
            {str(f.column): f for f in m._meta.concrete_fields}
            for m in apps.get_models()
            if m._meta.db_table == table
        ),
        {},
    )
    import psycopg  # the PostgreSQL driver, only on PostgreSQL

    names: list[str] = []
    for column in columns:
        field = fields.get(column)
        db_type = field.db_type(connection) if field is not None else None
        info = psycopg.adapters.types.get(db_type.split("(")[0]) if db_type else None
        if info is None:
            return None
        names.append(info.name)
    return names


def insert_ready(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Insert rows whose values are already in the database's form (SQLite: dates and
    times as text; PostgreSQL: Python values, JSON as text), inside the caller's
    transaction.

    PostgreSQL: a binary COPY typed from the model's fields (the server parses no text:
    about a quarter of the record table's COPY time went to parsing 29 text columns)."""
    if not rows:
        return 0
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        types = _pg_types(table, tuple(columns))
        binary = " (FORMAT binary)" if types else ""
        from psycopg.types.json import set_json_dumps

        with connection.cursor() as cursor:
            raw = cursor.cursor
            set_json_dumps(_json_as_given, context=raw)  # this cursor only
            with raw.copy(f"COPY {table} ({names}) FROM STDIN{binary}") as copy:
                if types:
                    copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
        return len(rows)
    _sqlite_insert(table, columns, list(chain.from_iterable(rows)))
    return len(rows)


PG_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
_PAIR = np.dtype(
    [("fields", ">i2"), ("len_a", ">i4"), ("a", ">i8"), ("len_b", ">i4"), ("b", ">i8")]
)


def insert_pairs(table: str, columns: Sequence[str], a: Any, b: Any) -> int:
    """Insert rows of two BIGINT columns from two numpy int64 arrays, without a Python
    object per row: PostgreSQL binary COPY built as one numpy record array; on SQLite,
    multi-row INSERTs from a flat list."""
    count = len(a)
    if not count:
        return 0
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        step = 1_000_000
        with _copy(f"COPY {table} ({names}) FROM STDIN (FORMAT binary)") as copy:
            copy.write(PG_BINARY_HEADER)
            for i in range(0, count, step):
                part = np.empty(min(step, count - i), dtype=_PAIR)
                part["fields"], part["len_a"], part["len_b"] = 2, 8, 8
                part["a"], part["b"] = a[i : i + step], b[i : i + step]
                copy.write(part.tobytes())
            copy.write((-1).to_bytes(2, "big", signed=True))
        return count
    step = 500_000  # rows per slice: a flat list of Python ints for all keys would be large
    for i in range(0, count, step):
        pairs = np.column_stack((a[i : i + step], b[i : i + step]))
        _sqlite_insert(table, columns, pairs.ravel().tolist())
    return count


def row_count(model: type[Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {model._meta.db_table}")
        return int(cursor.fetchone()[0])


def _secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of a SQLite table's non-unique, non-primary indexes."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%'",
            [table],
        )
        return [(str(n), str(s)) for n, s in cursor.fetchall()]


@contextmanager
def deferred_indexes(tables: Sequence[type[Model]], *, enabled: bool) -> Iterator[None]:
    """Drop the tables' secondary indexes for the block and rebuild them after it.

    Runs inside the caller's transaction, so the indexes are back before anyone else
    sees the table (SQLite); a no-op elsewhere or when not ``enabled``.
    """
    if not enabled or connection.vendor != "sqlite":
        yield
        return
    dropped: list[str] = []
    with connection.cursor() as cursor:
        for model in tables:
            for name, create in _secondary_indexes(model._meta.db_table):
                cursor.execute(f'DROP INDEX "{name}"')
                dropped.append(create)
    yield
    with connection.cursor() as cursor:
        for create in dropped:
            cursor.execute(create)


@contextmanager
def large_cache(megabytes: int = 256) -> Iterator[None]:
    """A bigger SQLite page cache for this connection while a bulk write runs."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-megabytes * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {before}")
