"""Fast, backend-aware bulk inserts for the importer (inside the caller's transaction).

Django's ``bulk_create`` builds a model instance and a parameter list per row; at a
million records with half a dozen index rows each, that alone costs more than the
20,000 records/s the registry must reach. Here rows are plain tuples: ``executemany``
on SQLite, ``COPY ... FROM STDIN`` on PostgreSQL. IDs of the records are allocated up
front so the dependent rows (names, keys, history) can point at them.

For an import that at least doubles a table, ``deferred_indexes`` drops the table's
non-unique secondary indexes and rebuilds them after the rows are in (a sorted build
is several times faster than a million random B-tree inserts); on SQLite only, where
readers keep reading their WAL snapshot meanwhile (on PostgreSQL dropping an index
would block every reader of the table until commit).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db import connection, models
from django.db.models import Model

CHUNK = 20_000
Convert = Callable[[Any], Any]


def columns_of(model: type[Model], *, with_id: bool) -> list[str]:
    return [
        str(f.column)
        for f in model._meta.concrete_fields
        if with_id or not getattr(f, "primary_key", False)
    ]


def allocate_ids(model: type[Model], count: int) -> list[int]:
    """``count`` unused primary keys (the write lock or the sequence makes them ours)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [int(r[0]) for r in cursor.fetchall()]
        # SQLite: Beacon opens transactions IMMEDIATE, so the write lock is held from the
        # start of the import's transaction; nobody else can take these ids meanwhile.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        start = int(cursor.fetchone()[0]) + 1
        return list(range(start, start + count))


def _datetime_adapter() -> Convert:
    @lru_cache(maxsize=64)
    def adapt(value: datetime) -> Any:
        return connection.ops.adapt_datetimefield_value(value)

    return adapt


def converters(
    model: type[Model], columns: Sequence[str], json_text: Sequence[str] = ()
) -> list[Convert | None]:
    """How each column's Python values go to this database (None: as they are).

    Columns named in ``json_text`` already hold JSON text.
    """
    by_column = {f.column: f for f in model._meta.concrete_fields}
    sqlite = connection.vendor == "sqlite"
    out: list[Convert | None] = []
    for column in columns:
        field = by_column[column]
        if isinstance(field, models.JSONField):
            out.append(None if column in json_text else json.dumps)
        elif sqlite and isinstance(field, models.DateTimeField):
            out.append(_datetime_adapter())
        elif sqlite and isinstance(field, models.DateField):
            out.append(_iso)
        else:
            out.append(None)
    return out


def _iso(value: Any) -> Any:
    return value.isoformat()


def _converted(rows: Iterable[Sequence[Any]], convert: list[Convert | None]) -> Iterator[Any]:
    active = [(i, c) for i, c in enumerate(convert) if c is not None]
    if not active:
        yield from rows
        return
    for row in rows:
        out = list(row)
        for i, c in active:
            if out[i] is not None:
                out[i] = c(out[i])
        yield out


def insert(
    model: type[Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    json_text: Sequence[str] = (),
) -> int:
    """Insert ``rows`` (sequences in ``columns`` order) into ``model``'s table."""
    table = model._meta.db_table
    count = 0
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    prepared = _converted(rows, converters(model, columns, json_text))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in prepared:
                    copy.write_row(row)
                    count += 1
            return count
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
        batch: list[Any] = []
        for row in prepared:
            batch.append(row)
            if len(batch) >= CHUNK:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
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
