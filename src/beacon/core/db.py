"""Durability guarantees checked on every new database connection.

SQLite must run in WAL mode with synchronous=FULL: an acknowledged write must
survive a power cut. The pragmas are set by the connection's init_command; here
we assert they took effect, so a misconfigured deployment fails loudly instead
of silently losing data.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.signals import connection_created
from django.dispatch import receiver

SQLITE_SYNCHRONOUS_FULL = 2


def check_sqlite_durability(connection: Any) -> None:
    raw = connection.connection  # the sqlite3 connection, below Django's wrapper
    journal = str(raw.execute("PRAGMA journal_mode").fetchone()[0]).lower()
    synchronous = int(raw.execute("PRAGMA synchronous").fetchone()[0])
    if journal != "wal" or synchronous != SQLITE_SYNCHRONOUS_FULL:
        raise ImproperlyConfigured(
            f"SQLite must use journal_mode=WAL and synchronous=FULL "
            f"(got journal_mode={journal}, synchronous={synchronous})"
        )


@receiver(connection_created)
def _on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"] != ":memory:":
        check_sqlite_durability(connection)
