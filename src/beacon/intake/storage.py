"""Where imported list rows live: one Parquet file per list under BEACON_DATA_DIR/intake."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import duckdb
from django.conf import settings

from beacon.core.errors import Conflict

FOLDER = "intake"


def data_dir() -> Path:
    return Path(settings.DATA_DIR)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_rows(con: duckdb.DuckDBPyConnection, table: str, intake_id: int) -> tuple[str, str]:
    """Write ``table`` to a new Parquet file; returns (path relative to DATA_DIR, sha256)."""
    relative = Path(FOLDER) / str(intake_id) / f"list-{uuid.uuid4().hex}.parquet"
    target = data_dir() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    con.execute(f"COPY {table} TO {sql_literal(partial)} (FORMAT parquet)")
    partial.replace(target)
    return str(relative), sha256_of(target)


def sql_literal(path: Path) -> str:
    """A path as a quoted SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"


def rows_path(relative: str, expected_sha256: str) -> Path:
    """The stored file, refused if it was changed or removed since import."""
    path = data_dir() / relative
    if not path.is_file() or sha256_of(path) != expected_sha256:
        raise Conflict(f"The stored rows {relative} are missing or were altered; re-import.")
    return path


def remove(relative: str) -> None:
    (data_dir() / relative).unlink(missing_ok=True)
