from __future__ import annotations

import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from beacon.core.db import check_sqlite_durability


@pytest.mark.django_db
def test_every_sqlite_connection_runs_wal_with_synchronous_full() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite durability pragmas apply to the SQLite pass only")
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cursor.execute("PRAGMA synchronous").fetchone()[0] == 2


def test_a_connection_without_wal_and_full_sync_is_refused(tmp_path: Path) -> None:
    # A plain sqlite3 connection with SQLite's defaults (rollback journal, NORMAL/FULL by
    # build) stands in for a deployment whose init_command was lost.
    raw = sqlite3.connect(tmp_path / "plain.sqlite3")
    raw.execute("PRAGMA synchronous=NORMAL")
    try:
        with pytest.raises(ImproperlyConfigured, match="synchronous=FULL"):
            check_sqlite_durability(SimpleNamespace(connection=raw))
    finally:
        raw.close()
