"""Backing up and restoring the whole database.

SQLite: the online backup API copies a consistent snapshot while Beacon keeps serving;
the copy is written beside the target, flushed to disk, then renamed into place, so a
crash never leaves a half-written file under the backup's name.
PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --single-transaction``, so a
restore either applies whole or not at all.

Both are audited (``backup.create``, ``backup.restore``) and both check the audit trail
with its one verifier (beacon.audit.verify), which reads one snapshot and so never
raises a false alarm while Beacon serves. A backup's own ``backup.create`` event is
chained before the copy is taken, so every backup holds the record of its making.

A restore refuses to overwrite a database that holds data unless told to (``replace``),
and refuses to discard audit events written after the backup was taken unless told to
(``discard_newer``): they would be lost for good. The restored database records the
restore, with how many events it discarded and the head of the chain it replaced.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection

from beacon.audit import services as audit
from beacon.audit.chainer import chain_pending
from beacon.audit.models import AuditEvent
from beacon.audit.verify import Anchor, Report, current_anchor, verify
from beacon.core.actor import Actor
from beacon.core.errors import Conflict, ValidationFailed

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
    chain: Report


@dataclass(frozen=True)
class RestoreResult:
    chain: Report
    discarded: int  # audit events of the replaced database the backup did not hold


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


def backup(actor: Actor, target: Path) -> BackupResult:
    """Write a full, consistent copy of the database to ``target`` (audited)."""
    target = target.resolve()
    if target.is_dir():
        raise ValidationFailed.on("file", f"{target} is a folder; name a file.")
    if not target.parent.is_dir():
        raise ValidationFailed.on("file", f"folder {target.parent} does not exist.")
    detail = {"file": str(target), "engine": _engine()}
    audit.record(actor, "backup.create", object_type="database", detail=detail)
    chain_pending()  # the backup holds its own event, chained
    chain = verify()
    try:
        _copy_to(target)
    except (BackupFailed, OSError) as exc:
        audit.record(
            actor,
            "backup.create",
            object_type="database",
            outcome=AuditEvent.Outcome.FAILURE,
            detail={**detail, "reason": str(exc)[:500]},
        )
        raise
    return BackupResult(target, target.stat().st_size, _engine(), chain)


def _copy_to(target: Path) -> None:
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


def _backup_head(source: Path, kind: str) -> Anchor:
    """The audit chain head recorded in a backup file."""
    if kind == "sqlite":
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            row = backup_db.execute("SELECT seq, hash FROM audit_chainhead WHERE id = 1").fetchone()
        except sqlite3.DatabaseError:
            row = None
        finally:
            backup_db.close()
        return Anchor(int(row[0]), str(row[1])) if row else Anchor(0, "0" * 64)
    # The custom-format dump's data for that one table, as COPY text.
    done = subprocess.run(  # noqa: S603 (fixed argument list, no shell)
        [_pg_tool("pg_restore"), "--data-only", "--table=audit_chainhead", "--file=-", str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupFailed(f"pg_restore could not read {source}: {done.stderr.strip()[-2000:]}")
    lines = done.stdout.splitlines()
    for number, line in enumerate(lines):
        if line.startswith("COPY ") and number + 1 < len(lines) and lines[number + 1] != "\\.":
            _id, seq, digest = lines[number + 1].split("\t")
            return Anchor(int(seq), digest)
    return Anchor(0, "0" * 64)


def newer_events(backup_head: Anchor) -> int:
    """How many of this database's audit events a backup with that chain head lacks."""
    events = AuditEvent.objects.all()
    at_head = events.filter(seq=backup_head.seq).values_list("hash", flat=True).first()
    if backup_head.seq == 0 or at_head == backup_head.hash:
        return events.filter(seq__gt=backup_head.seq).count() + events.filter(seq=None).count()
    return events.count()  # another chain altogether: every event here would go


def restore(
    source: Path,
    actor: Callable[[], Actor],
    *,
    replace: bool = False,
    discard_newer: bool = False,
) -> RestoreResult:
    """Replace the database's content with the backup in ``source``; record the restore in
    the restored database (``actor`` is looked up there, after the restore) and verify."""
    source = source.resolve()
    if not source.is_file():
        raise ValidationFailed.on("file", f"{source} does not exist.")
    kind = kind_of(source)
    if kind != _engine():
        raise ValidationFailed.on(
            "file", f"{source} is a {kind} backup but this Beacon uses {_engine()}."
        )
    holds = _holds_data()
    if not replace and holds:
        raise Conflict(
            "The database already holds data; restoring would replace it. "
            "Back it up first, then restore with --replace."
        )
    replaced = current_anchor() if holds else Anchor(0, "0" * 64)
    discarded = newer_events(_backup_head(source, kind)) if holds else 0
    if discarded and not discard_newer:
        raise Conflict(
            f"Restoring {source.name} would discard {discarded} audit event(s) this database "
            f"holds and the backup does not (this chain is at #{replaced.seq}). They would be "
            "lost for good: back this database up first, then restore with --replace "
            "--discard-newer."
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
    audit.record(
        actor(),
        "backup.restore",
        object_type="database",
        detail={
            "file": str(source),
            "engine": kind,
            "discarded": discarded,
            "replaced_head": {"seq": replaced.seq, "hash": replaced.hash},
        },
    )
    chain_pending()
    return RestoreResult(verify(), discarded)
