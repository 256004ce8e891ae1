"""DATABASE_URL=sqlite:///path: the same durable SQLite settings as the default, or a
clear refusal (no traceback) for what cannot be durable."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

PROBE = (
    "import django; django.setup()\n"
    "from django.db import connection\n"
    "connection.ensure_connection()\n"
    "print(connection.settings_dict['NAME'])\n"
    "print(connection.connection.execute('PRAGMA journal_mode').fetchone()[0])\n"
    "print(connection.connection.execute('PRAGMA synchronous').fetchone()[0])\n"
)


def _env(tmp_path: Path, url: str) -> dict[str, str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("BEACON_") and k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    return {
        **clean,
        "BEACON_MODE": "demo",
        "BEACON_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SETTINGS_MODULE": "beacon.settings",
        "DATABASE_URL": url,
    }


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_a_sqlite_url_opens_that_file_in_wal_with_synchronous_full(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere" / "beacon.sqlite3"
    path.parent.mkdir()
    env = _env(tmp_path, f"sqlite:///{path}")
    checked = _run(["-m", "beacon.cli", "check"], env)
    assert checked.returncode == 0, checked.stderr
    probe = _run(["-c", PROBE], env)
    assert probe.returncode == 0, probe.stderr
    name, journal, synchronous = probe.stdout.split()
    assert (name, journal, synchronous) == (str(path), "wal", "2")
    with sqlite3.connect(path) as raw:  # WAL is a property of the file itself
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_an_in_memory_sqlite_url_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    for url in ("sqlite://:memory:", "sqlite://"):
        result = _run(["-m", "beacon.cli", "check"], _env(tmp_path, url))
        assert result.returncode == 2, (url, result.stderr)
        assert "in-memory SQLite" in result.stderr
        assert "Traceback" not in result.stderr


def test_a_sqlite_url_in_a_missing_folder_is_refused_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "beacon.sqlite3"
    result = _run(["-m", "beacon.cli", "check"], _env(tmp_path, f"sqlite:///{missing}"))
    assert result.returncode == 2, result.stderr
    assert f"{missing}, but its folder does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unsupported_database_url_is_refused_naming_the_scheme(tmp_path: Path) -> None:
    result = _run(["-m", "beacon.cli", "check"], _env(tmp_path, "mysql://u@localhost/b"))
    assert result.returncode == 2, result.stderr
    assert "postgres://... or sqlite:///path, not mysql://" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_relative_sqlite_path_is_refused_not_created_in_the_current_folder(
    tmp_path: Path,
) -> None:
    """sqlite:///beacon.sqlite3 (three slashes) used to open, and create, a file in the
    folder the process started in: the CLI then reported an empty database as "unreachable,
    retry", and a server started elsewhere used another file."""
    result = subprocess.run(
        [sys.executable, "-m", "beacon.cli", "check"],
        env=_env(tmp_path, "sqlite:///beacon.sqlite3"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "relative SQLite path 'beacon.sqlite3'" in result.stderr
    assert "four slashes" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "beacon.sqlite3").exists()
