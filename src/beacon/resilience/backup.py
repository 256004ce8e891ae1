"""Backing up and restoring the whole database.

SQLite: the online backup API copies a consistent snapshot while Beacon keeps serving;
the copy is written beside the target, flushed to disk, then renamed into place, so a
crash never leaves a half-written file under the backup's name.
PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --single-transaction``, so a
restore either applies whole or not at all.

A restore refuses to overwrite a database that holds data unless told to (``replace``),
and the audit chain is verified after every restore.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection

from beacon.core.errors import Conflict, ValidationFailed
from beacon.resilience.chaincheck import ChainStatus, verify_chain

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
PG_BIN_DIRS = (
    "/usr/lib/postgresql/17/bin",
    "/usr/lib/postgresql/16/bin",
    "/usr/lib/postgresql/15/bin",
)


class BackupFailed(Exception):
    """The backup or restore tool failed; the message says why."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    engine: str
    chain: ChainStatus


def _engine() -> str:
    return "sqlite" if connection.vendor == "sqlite" else "postgresql"


def _fsync_and_rename(tmp: Path, target: Path) -> None:
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, target)
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for folder in PG_BIN_DIRS:
        candidate = Path(folder) / name
        if candidate.exists():
            return str(candidate)
    raise BackupFailed(f"{name} is not installed (it comes with the PostgreSQL client).")


def _pg_env(settings: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if settings.get(key):
            env[var] = str(settings[key])
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    env["PGDATABASE"] = str(settings["NAME"])
    env["PGCONNECT_TIMEOUT"] = "5"
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    # A fixed argument list (no shell); the only variable parts are paths and names.
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupFailed(f"{Path(command[0]).name} failed: {done.stderr.strip()[-2000:]}")


def backup(target: Path) -> BackupResult:
    """Write a full, consistent copy of the database to ``target``."""
    target = target.resolve()
    if target.is_dir():
        raise ValidationFailed.on("file", f"{target} is a folder; name a file.")
    if not target.parent.is_dir():
        raise ValidationFailed.on("file", f"folder {target.parent} does not exist.")
    chain = verify_chain()
    tmp = target.with_name(f".{target.name}.partial")
    tmp.unlink(missing_ok=True)
    try:
        if _engine() == "sqlite":
            connection.ensure_connection()
            destination = sqlite3.connect(tmp)
            try:
                connection.connection.backup(destination)
                # A self-contained file: no -wal beside it.
                destination.execute("PRAGMA journal_mode=DELETE")
            finally:
                destination.close()
        else:
            settings = connection.settings_dict
            _run(
                [_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={tmp}"],
                _pg_env(settings),
            )
        _fsync_and_rename(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return BackupResult(target, target.stat().st_size, _engine(), chain)


def kind_of(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise ValidationFailed.on("file", f"{path} is not a Beacon backup (SQLite or pg_dump file).")


def _holds_data() -> bool:
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        if "audit_auditevent" not in tables:
            return False
        cursor.execute("SELECT 1 FROM audit_auditevent LIMIT 1")
        return cursor.fetchone() is not None


def restore(source: Path, *, replace: bool = False) -> ChainStatus:
    """Replace the database's content with the backup in ``source``; verify the chain."""
    source = source.resolve()
    if not source.is_file():
        raise ValidationFailed.on("file", f"{source} does not exist.")
    kind = kind_of(source)
    if kind != _engine():
        raise ValidationFailed.on(
            "file", f"{source} is a {kind} backup but this Beacon uses {_engine()}."
        )
    if not replace and _holds_data():
        raise Conflict(
            "The database already holds data; restoring would replace it. "
            "Back it up first, then restore with --replace."
        )
    if kind == "sqlite":
        connection.ensure_connection()
        origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            origin.backup(connection.connection)
        finally:
            origin.close()
    else:
        settings = connection.settings_dict
        connection.close()
        _run(
            [
                _pg_tool("pg_restore"),
                "--single-transaction",
                "--exit-on-error",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                f"--dbname={settings['NAME']}",
                str(source),
            ],
            _pg_env(settings),
        )
    connection.close()
    return verify_chain()
