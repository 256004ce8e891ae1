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


def database_files(*, server_wal: bool = False) -> list[Path]:
    """The files the database keeps on disk (SQLite: the file and its WAL; PostgreSQL:
    every relation of this database, after a checkpoint wrote the buffers out, and with
    ``server_wal`` the server's write-ahead log, which holds every change sent)."""
    if connection.vendor == "sqlite":
        name = Path(str(connection.settings_dict["NAME"]))
        return [p for p in (name, Path(f"{name}-wal")) if p.exists()]
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
        cursor.execute("SELECT current_setting('data_directory')")
        root = Path(cursor.fetchone()[0])
        cursor.execute(
            "SELECT pg_relation_filepath(c.oid) FROM pg_class c "
            "WHERE c.relkind IN ('r', 't', 'i') AND pg_relation_filepath(c.oid) IS NOT NULL"
        )
        relations = [root / row[0] for row in cursor.fetchall()]
    files = {f for r in relations for f in r.parent.glob(f"{r.name}*") if f.is_file()}
    if server_wal:
        files |= {f for f in (root / "pg_wal").iterdir() if f.is_file()}
    return sorted(files)


def files_holding(text: str, files: list[Path]) -> list[str]:
    """The files holding ``text``, each with its table's name on PostgreSQL."""
    needle = text.lower().encode()
    return [_named(f) for f in files if needle in f.read_bytes().lower()]


def _named(path: Path) -> str:
    if connection.vendor == "sqlite" or not path.name.split(".")[0].isdigit():
        return str(path)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE pg_relation_filenode(oid) = %s",
            [int(path.name.split(".")[0].split("_")[0])],
        )
        row = cursor.fetchone()
    return f"{path} ({row[0] if row else '?'})"
