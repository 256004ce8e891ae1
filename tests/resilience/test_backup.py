"""`beacon backup FILE` and `beacon restore FILE`: a restored database is the same database."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from beacon.agencies.models import Agency
from beacon.audit import services as audit
from beacon.audit.models import AuditEvent, ChainHead
from beacon.audit.verify import current_anchor, verify
from beacon.core.actor import system_actor
from beacon.resilience.backup import _engine
from tests.resilience.harness import BurstResult, Launcher, beacon_env, burst, free_port
from tests.resilience.snapshot import take

pytestmark = pytest.mark.django_db(transaction=True)
REPO = Path(__file__).resolve().parents[2]


def _populate(count: int = 25) -> None:
    actor = system_actor()
    for n in range(count):
        agency = Agency.objects.create(
            ori=f"NM{n:07d}", name=f"Backup test agency {n} \u00e9\u00e8 \u2603", kind="local"
        )
        audit.record(actor, "test.backup", object_type="agency", object_id=agency.ori)


def _checked(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _this_database() -> dict[str, str]:
    """The environment of a `beacon` command on the test run's own database."""
    env = beacon_env(
        DJANGO_SETTINGS_MODULE="tests.resilience.server_settings",
        BEACON_SERVER_DB_NAME=connection.settings_dict["NAME"],
        DATABASE_URL=None,
    )
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        env["DATABASE_URL"] = (
            f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT'] or 5432}/x"
        )
    return env


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a Beacon pointed at a brand-new, empty database."""
    env = {**os.environ, "BEACON_MODE": "test", "DJANGO_SETTINGS_MODULE": "beacon.settings"}
    if connection.vendor == "sqlite":
        env.pop("DATABASE_URL", None)
        env["BEACON_DATA_DIR"] = str(tmp_path / "restored")
        yield env
        return
    settings = connection.settings_dict
    name = f"restore_{uuid.uuid4().hex[:12]}"
    server = {
        "host": settings["HOST"],
        "port": settings["PORT"] or 5432,
        "user": settings["USER"],
        "password": settings["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    env["DATABASE_URL"] = (
        f"postgres://{settings['USER']}{password}@{settings['HOST']}:{server['port']}/{name}"
    )
    try:
        yield env
    finally:
        with psycopg.connect(**server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
def test_the_demo_restored_into_an_empty_database_gives_identical_tables_and_reports(
    tmp_path: Path, empty_database: dict[str, str]
) -> None:
    call_command("demo", bundles=str(tmp_path / "bundles"))
    _populate()
    backup_file = tmp_path / "beacon.backup"
    call_command("backup", str(backup_file))
    assert backup_file.stat().st_size > 0
    assert not list(tmp_path.glob(".*.partial"))
    before = take()
    assert before["chain"]["ok"]
    assert before["tables"]["agencies.Agency"]["rows"] >= 25
    assert before["tables"]["records.MissingPersonRecord"]["rows"] > 0
    assert len(before["reports"]) >= 8
    assert before["reports"]["RESCUE-ME-2021/en"]["totals"]["recovered"] == 3

    restored = _run(["-m", "beacon.cli", "restore", str(backup_file)], empty_database)
    assert restored.returncode == 0, restored.stderr
    assert "audit chain verified" in restored.stdout
    after = json.loads(_checked(_run(["-m", "tests.resilience.snapshot"], empty_database)))
    before = json.loads(json.dumps(before, default=str))
    # The restored trail is the backed-up one plus the record of the restore.
    audit_tables = ("audit.AuditEvent", "audit.ChainHead")
    after_chain, before_chain = after.pop("chain"), before.pop("chain")
    assert after_chain["ok"] and after_chain["events"] == before_chain["events"] + 1
    for table in audit_tables:
        after["tables"].pop(table), before["tables"].pop(table)
    assert after == before


def test_restore_refuses_to_overwrite_a_database_that_holds_data(tmp_path: Path) -> None:
    _populate(3)
    backup_file = tmp_path / "beacon.backup"
    call_command("backup", str(backup_file))
    with pytest.raises(CommandError, match="already holds data") as refused:
        call_command("restore", str(backup_file))
    assert refused.value.returncode == 2


def test_backup_and_restore_are_audited_and_the_backup_holds_its_own_event(
    tmp_path: Path,
) -> None:
    _populate(3)
    backup_file = tmp_path / "beacon.backup"
    call_command("backup", str(backup_file))
    made = AuditEvent.objects.get(action="backup.create")
    assert made.detail == {"file": str(backup_file.resolve()), "engine": _engine()}
    assert made.seq == ChainHead.objects.get(id=1).seq  # chained before the copy was taken
    head = current_anchor()
    call_command("restore", str(backup_file), "--replace")
    assert AuditEvent.objects.filter(action="backup.create", seq=made.seq).exists()
    restore = AuditEvent.objects.get(action="backup.restore")
    assert restore.via == "cli" and restore.actor == "beacon-system"
    assert restore.detail["discarded"] == 0
    assert restore.detail["replaced_head"] == {"seq": head.seq, "hash": head.hash}
    assert verify().ok


def test_a_restore_that_would_discard_newer_events_says_so_and_needs_confirmation(
    tmp_path: Path,
) -> None:
    _populate(3)
    backup_file = tmp_path / "beacon.backup"
    call_command("backup", str(backup_file))
    Agency.objects.create(ori="NM9999999", name="written after the backup", kind="local")
    audit.record(system_actor(), "test.after-backup")
    audit.record(system_actor(), "test.after-backup")
    head = current_anchor()
    with pytest.raises(CommandError, match="would discard 2 audit event") as refused:
        call_command("restore", str(backup_file), "--replace")
    assert refused.value.returncode == 2
    assert "--discard-newer" in str(refused.value)
    assert Agency.objects.filter(ori="NM9999999").exists()  # nothing was restored
    assert AuditEvent.objects.filter(action="test.after-backup").count() == 2

    call_command("restore", str(backup_file), "--replace", "--discard-newer")
    assert not Agency.objects.filter(ori="NM9999999").exists()
    assert Agency.objects.filter(ori__startswith="NM000000").count() == 3
    assert not AuditEvent.objects.filter(action="test.after-backup").exists()
    restore = AuditEvent.objects.get(action="backup.restore")
    assert restore.detail["discarded"] == 2
    assert restore.detail["replaced_head"] == {"seq": head.seq, "hash": head.hash}
    assert take()["chain"]["ok"]


def test_the_cli_restore_without_confirmation_exits_2_with_no_traceback(
    tmp_path: Path,
) -> None:
    _populate(2)
    backup_file = tmp_path / "beacon.backup"
    call_command("backup", str(backup_file))
    audit.record(system_actor(), "test.after-backup")
    refused = _run(["-m", "beacon.cli", "restore", str(backup_file), "--replace"], _this_database())
    assert refused.returncode == 2, refused.stderr
    assert "would discard 1 audit event(s)" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert AuditEvent.objects.filter(action="test.after-backup").exists()


def test_a_file_that_is_not_a_backup_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("=cmd|' /C calc'!A0\n", encoding="utf-8")
    with pytest.raises(CommandError, match="is not a Beacon backup") as refused:
        call_command("restore", str(bogus))
    assert refused.value.returncode == 2
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "missing.backup"))


def test_a_backup_of_the_other_engine_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.backup"
    if connection.vendor == "sqlite":
        other.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 64)
    else:
        sqlite3.connect(other).close()
        other.write_bytes(b"SQLite format 3\x00" + other.read_bytes()[16:])
    with pytest.raises(CommandError, match="backup but this Beacon uses"):
        call_command("restore", str(other))


def test_a_tampered_backup_restores_but_reports_the_broken_audit_chain(
    tmp_path: Path, empty_database: dict[str, str]
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("edits the backup file in place, which is an SQLite database")
    _populate(5)
    backup_file = tmp_path / "beacon.backup"
    call_command("backup", str(backup_file))
    tampered = sqlite3.connect(backup_file)
    triggers = tampered.execute(
        "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_auditevent'"
    ).fetchall()
    for (name,) in triggers:
        tampered.execute(f'DROP TRIGGER "{name}"')
    tampered.execute("UPDATE audit_auditevent SET object_id='forged' WHERE seq=3")
    tampered.commit()
    tampered.close()
    restored = _run(["-m", "beacon.cli", "restore", str(backup_file)], empty_database)
    assert restored.returncode == 1
    assert "audit chain BROKEN" in restored.stderr
    assert "event #3: no valid proof that Beacon wrote it" in restored.stderr
    assert "Traceback" not in restored.stderr


@pytest.mark.slow
def test_backups_taken_while_beacon_serves_writes_succeed(
    tmp_path: Path, launcher: Launcher
) -> None:
    """Served as in production (gunicorn workers, chainer threads) under a burst of writes,
    `beacon backup` verifies the live trail first: no false alarm, every backup exits 0."""
    port = free_port()
    pid = launcher.serve(port)
    result, stop = BurstResult(), threading.Event()
    try:
        threads = burst(port, "backup", stop, result, clients=3)
        backups = [
            _run(
                ["-m", "beacon.cli", "backup", str(tmp_path / f"live-{n}.backup")], _this_database()
            )
            for n in range(3)
        ]
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    finally:
        stop.set()
        launcher.kill(pid)
    assert len(result.acknowledged) > 10  # the backups ran while writes were landing
    for done in backups:
        assert done.returncode == 0, done.stderr
        assert "audit chain verified" in done.stdout
    assert AuditEvent.objects.filter(action="backup.create").count() == 3
    assert verify().ok
