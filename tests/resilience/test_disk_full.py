"""A database whose storage is full is not "unreachable": the client is told the server
cannot save (507, no Retry-After, since retrying cannot help) and the operator's log
says exactly what failed and where.

SQLite: the file's free pages are used up and the connection's max_page_count lowered to
the file's size, so the next page the write needs fails with SQLITE_FULL, SQLite's real
"database or disk is full".
PostgreSQL: the record table is moved (inside the test's transaction) to a tablespace on
a tiny tmpfs that is then filled, so the insert fails with the server's real
"No space left on device" (disk_full, 53100).
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from beacon.agencies.models import Agency
from beacon.records.models import MissingPersonRecord
from beacon.resilience.outage import STORAGE_FULL_MESSAGE

TABLE = MissingPersonRecord._meta.db_table


def _entry(oca: str) -> dict[str, object]:
    return {
        "category": "EMJ",
        "last_name": "Fullerton",
        "first_name": "Ana",
        "sex": "F",
        "dob": "2010-03-05",
        "dlc": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "oca": oca,
        "originating_ori": "NM0070100",
        "notes": "x" * 10_000,  # several pages: the write needs new ones
    }


@contextlib.contextmanager
def _sqlite_full() -> Iterator[None]:
    with connection.cursor() as cursor:
        # Free pages left by earlier deletes would take the write: use them up first
        # (a table made and filled inside the test's transaction, rolled back with it).
        cursor.execute("PRAGMA freelist_count")
        free = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA page_size")
        size = int(cursor.fetchone()[0])
        cursor.execute("CREATE TABLE disk_full_filler (b BLOB)")
        cursor.execute("INSERT INTO disk_full_filler VALUES (zeroblob(%s))", [(free + 2) * size])
        cursor.execute("PRAGMA freelist_count")
        assert int(cursor.fetchone()[0]) == 0
        cursor.execute("PRAGMA page_count")
        pages = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA max_page_count = {pages}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA max_page_count = 1073741823")
            cursor.execute("DROP TABLE disk_full_filler")


def _admin_connection() -> psycopg.Connection[tuple[object, ...]]:
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=int(settings["PORT"] or 5432),
        user=settings["USER"],
        dbname=settings["NAME"],
        autocommit=True,
    )


@contextlib.contextmanager
def _postgres_full() -> Iterator[None]:
    # Not under pytest's tmp_path: the server's user must reach the folder.
    mount = Path(tempfile.mkdtemp(prefix="beacon-full-"))
    mount.chmod(0o755)
    mounted = subprocess.run(  # noqa: S603
        # 32 MB, filled below whatever it holds: the moved table's indexes keep the bloat
        # of every earlier test of this database (ALTER INDEX copies pages as they are),
        # and with 1 MB a bloated record index left no room even once space was freed.
        ["mount", "-t", "tmpfs", "-o", "size=32m,mode=755", "tmpfs", str(mount)],  # noqa: S607
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    space = f"beacon_full_{os.getpid()}"
    _pending_cleanups.append((space, mount))  # after the test's rollback moved the table back
    folder = mount / "pg"
    folder.mkdir()
    os.chown(folder, *_postgres_ids())
    with _admin_connection() as admin:
        admin.execute(f"CREATE TABLESPACE {space} LOCATION '{folder}'")
    with connection.cursor() as cursor:  # inside the test's transaction
        cursor.execute(f"ALTER TABLE {TABLE} SET TABLESPACE {space}")
        # Its indexes go too. Left behind, they kept the entries of the refused insert,
        # pointing into the tmpfs copy of the table; once the rollback put the old table
        # back, those entries pointed past the end of its pages, and a later test of the
        # same database failed with "heap tid from index tuple ... points past end of heap
        # page line pointer array" (a full CI run on PostgreSQL).
        for index in _indexes(cursor):
            cursor.execute(f'ALTER INDEX "{index}" SET TABLESPACE {space}')
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid "
            "WHERE i.indrelid = %s::regclass AND c.reltablespace <> "
            "(SELECT oid FROM pg_tablespace WHERE spcname = %s)",
            [TABLE, space],
        )
        assert cursor.fetchone()[0] == 0, "every index of the table moves with it"
    filler = mount / "filler"
    try:
        with contextlib.suppress(OSError), filler.open("wb") as out:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        yield
    finally:
        filler.unlink()


def _indexes(cursor: object) -> list[str]:
    cursor.execute(  # type: ignore[attr-defined]
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass",
        [TABLE],
    )
    return [row[0] for row in cursor.fetchall()]  # type: ignore[attr-defined]


_pending_cleanups: list[tuple[str, Path]] = []


def _postgres_ids() -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam("postgres")
    return entry.pw_uid, entry.pw_gid


@pytest.fixture(autouse=True)
def _drop_tablespaces() -> Iterator[None]:
    yield
    while _pending_cleanups:
        space, mount = _pending_cleanups.pop()
        with contextlib.suppress(psycopg.Error), _admin_connection() as admin:
            admin.execute(f"DROP TABLESPACE IF EXISTS {space}")
        subprocess.run(  # noqa: S603
            ["umount", str(mount)],  # noqa: S607
            capture_output=True,
            check=False,
        )
        mount.rmdir()


@pytest.fixture
def full() -> Callable[[], contextlib.AbstractContextManager[None]]:
    if connection.vendor == "sqlite":
        return _sqlite_full
    return _postgres_full


def test_a_full_database_answers_507_saying_so_and_logs_the_exact_cause(
    agency_a: Agency,
    api_client_as: Callable[..., Client],
    full: Callable[[], contextlib.AbstractContextManager[None]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = api_client_as("supervisor", agency_a)
    caplog.set_level(logging.ERROR, logger="beacon.resilience")
    with full():
        answer = api.post("/api/records", _entry("FULL-1"), content_type="application/json")
    assert answer.status_code == 507, answer.content
    body = answer.json()
    assert body["error"] == "database_storage_full"
    assert body["message"] == STORAGE_FULL_MESSAGE
    assert "unreachable" not in body["message"] and "Retry in" not in body["message"]
    assert "Retry-After" not in answer  # retrying cannot succeed until space is freed
    (line,) = [r for r in caplog.records if r.levelno == logging.CRITICAL]
    message = line.getMessage()
    assert "database storage full during POST /api/records" in message
    if connection.vendor == "sqlite":
        assert "database or disk is full" in message
        assert str(connection.settings_dict["NAME"]) in message and "bytes free" in message
    else:
        assert "No space left on device" in message
    assert not [r for r in caplog.records if "unavailable" in r.getMessage()]
    # Space back: the same request goes through (the refused one's key is free).
    again = api.post("/api/records", _entry("FULL-1"), content_type="application/json")
    assert again.status_code == 201, again.content
    again = api.post("/api/records", _entry("FULL-2"), content_type="application/json")
    assert again.status_code == 201, again.content


def test_a_browser_gets_a_page_saying_the_storage_is_full(
    agency_a: Agency,
    api_client_as: Callable[..., Client],
    full: Callable[[], contextlib.AbstractContextManager[None]],
) -> None:
    api = api_client_as("supervisor", agency_a)
    with full():
        answer = api.post(
            "/api/records",
            _entry("FULL-3"),
            content_type="application/json",
            headers={"Accept": "text/html"},
        )
    assert answer.status_code == 507
    page = answer.content.decode()
    assert "storage is full" in page and "Traceback" not in page


def test_the_command_line_on_a_full_database_says_so_without_a_traceback(
    agency_a: Agency,
    full: Callable[[], contextlib.AbstractContextManager[None]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    fields = [f"{k}={v}" for k, v in _entry("FULL-CLI").items()]
    caplog.set_level(logging.ERROR, logger="beacon.resilience")
    with full(), pytest.raises(CommandError) as refused:
        call_command("records", "enter", *fields)
    assert refused.value.returncode == 74  # EX_IOERR: retrying will not help
    assert "storage is full" in str(refused.value)
    assert any("during beacon records" in r.getMessage() for r in caplog.records)
    assert not MissingPersonRecord.objects.filter(oca="FULL-CLI").exists()
