"""Looking for a piece of text wherever Beacon keeps anything: every column of every
table (found by introspection, so a new table is scanned without anyone adding it here),
a backup file, captured output."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from django.db import connection

from beacon.resilience.backup import PG_BIN_DIRS


def _contains(value: object, needle: str) -> bool:
    if value is None:
        return False
    if isinstance(value, memoryview | bytes | bytearray):
        return needle.encode() in bytes(value).lower()
    return needle in str(value).lower()


def tables_holding(text: str) -> list[str]:
    """``table.column`` (with the row's first column) of every value holding ``text``
    (compared case-insensitively: a value upper-cased on the way still counts)."""
    needle = text.lower()
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        assert len(tables) > 40, tables  # the whole schema, not an empty test database
        for table in sorted(tables):
            cursor.execute(f"SELECT * FROM {quote(table)}")
            columns = [d[0] for d in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if _contains(value, needle):
                        found.append(f"{table}.{column} ({columns[0]}={row[0]})")
    return found


def backup_text(path: Path) -> bytes:
    """The backup's content as stored (SQLite), or as its SQL (PostgreSQL's custom
    format is compressed: the marker would not show in the raw bytes)."""
    raw = path.read_bytes()
    if raw.startswith(b"PGDMP"):
        tool = next(
            (str(Path(d) / "pg_restore") for d in PG_BIN_DIRS if (Path(d) / "pg_restore").exists()),
            shutil.which("pg_restore"),
        )
        assert tool, "pg_restore not found"
        return subprocess.run(  # noqa: S603
            [tool, "--file=-", str(path)], capture_output=True, check=True, timeout=120
        ).stdout
    return raw


def holds(data: bytes | str, text: str) -> bool:
    return _contains(data, text.lower())
