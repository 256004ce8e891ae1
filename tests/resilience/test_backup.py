"""`beacon backup FILE` and `beacon restore FILE`: a restored database is the same database."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from beacon.agencies.models import Agency
from beacon.audit import services as audit
from beacon.core.actor import system_actor
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
    after = _run(["-m", "tests.resilience.snapshot"], empty_database)
    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout) == json.loads(json.dumps(before, default=str))


def test_restore_refuses_to_overwrite_a_database_that_holds_data(tmp_path: Path) -> None:
    _populate(3)
    backup_file = tmp_path / "beacon.backup"
    call_command("backup", str(backup_file))
    with pytest.raises(CommandError, match="already holds data") as refused:
        call_command("restore", str(backup_file))
    assert refused.value.returncode == 2


def test_restore_with_replace_brings_back_the_backed_up_state(tmp_path: Path) -> None:
    _populate(3)
    backup_file = tmp_path / "beacon.backup"
    call_command("backup", str(backup_file))
    Agency.objects.create(ori="NM9999999", name="written after the backup", kind="local")
    audit.record(system_actor(), "test.after-backup")
    call_command("restore", str(backup_file), "--replace")
    assert not Agency.objects.filter(ori="NM9999999").exists()
    assert Agency.objects.filter(ori__startswith="NM000000").count() == 3
    assert take()["chain"]["ok"]


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
    assert "audit chain BROKEN at event #" in restored.stderr
    assert "Traceback" not in restored.stderr
