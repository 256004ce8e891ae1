"""Telling database failures apart: an outage (retry later) or full storage (call someone).

Shared by the CLI's base command (exit codes) and resilience's HTTP answers (503, 507).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from django.db import InterfaceError, OperationalError, connection

logger = logging.getLogger("beacon.resilience")


def is_database_outage(exc: BaseException | None) -> bool:
    """True for connection loss, refused connections, locked or read-only databases.

    Django wraps the driver's errors in its own OperationalError and InterfaceError;
    the chain of causes is followed in case another layer wrapped them again.
    """
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


STORAGE_FULL_MESSAGE = (
    "The server's database storage is full, so this request could not be saved; nothing "
    "was saved. Retrying will not help until an administrator frees space: the problem "
    "has been reported in the server's log."
)
SQLITE_FULL = 13  # SQLITE_FULL: "database or disk is full" (also max_page_count reached)
POSTGRES_DISK_FULL = "53100"  # SQLSTATE disk_full


def storage_full_cause(exc: BaseException | None) -> BaseException | None:
    """The driver error saying the database's storage is full, if that is the cause:
    SQLite's SQLITE_FULL, PostgreSQL's disk_full (53100), or ENOSPC in the message."""
    seen = 0
    while exc is not None and seen < 10:
        if getattr(exc, "sqlite_errorcode", None) == SQLITE_FULL:
            return exc
        if getattr(exc, "sqlstate", None) == POSTGRES_DISK_FULL:
            return exc
        text = str(exc).lower()
        if "database or disk is full" in text or "no space left on device" in text:
            return exc
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def _where() -> str:
    """Where the database lives and the space left there (SQLite: the file's volume)."""
    if connection.vendor != "sqlite":
        settings = connection.settings_dict
        return f"PostgreSQL database {settings['NAME']} on {settings['HOST'] or 'localhost'}"
    path = Path(str(connection.settings_dict["NAME"]))
    try:
        usage = shutil.disk_usage(path.parent)
    except OSError:
        return f"SQLite file {path}"
    return f"SQLite file {path}, {usage.free:,} bytes free of {usage.total:,} on its volume"


def log_storage_full(during: str, cause: BaseException) -> None:
    """The operator's line: exactly what failed, where, and what to do."""
    logger.critical(
        "database storage full during %s: %s (%s): free space, or raise the database's "
        "size limit; every write fails until then",
        during,
        cause,
        _where(),
    )
