"""Django's PostgreSQL backend, with a persistent connection's health check made free.

``CONN_HEALTH_CHECKS`` keeps a restarted database from failing the first request of each
persistent connection: Django sends ``SELECT 1`` before the connection's first use in
every request. That is one more round trip per request (for a dashboard poll answered
from the session, a third of its statements) to learn, nearly always, nothing.

A server that drops a connection (a restart, ``pg_terminate_backend``, an idle timeout)
says so on the socket: it sends its FATAL message and closes, so the socket turns
readable. An idle connection in good health has nothing to read (Beacon never LISTENs).
So the check first asks the operating system, without waiting, whether the socket has
anything to read; only then does it run Django's ``SELECT 1`` (and reconnect when that
fails). A connection the network lost silently (no FIN) still fails its first statement;
the request then answers 503 (beacon.resilience) and the connection is replaced.

``companion()`` is a second connection of the same thread, in autocommit, for the few
statements that must not wait for the request's transaction to commit (the API rate
count, beacon.access.ratelimit: a row lock held until a write's commit would queue the
account's other requests). It lives as long as the main connection (CONN_MAX_AGE) and is
closed with it: opening one per request cost a PostgreSQL backend each time (about
30 ms and 2 ms of the worker's CPU per write on the load bench).
"""

from __future__ import annotations

import select

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.postgresql import base


def server_spoke(raw: object) -> bool:
    """True when the connection is closed or broken, or its socket has unread data."""
    if getattr(raw, "closed", True) or getattr(raw, "broken", False):
        return True
    try:
        readable, _, _ = select.select([raw.fileno()], [], [], 0)  # type: ignore[attr-defined]
    except (OSError, ValueError):
        return True
    return bool(readable)


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        due = getattr(self, "health_check_enabled", False) and not getattr(
            self, "health_check_done", True
        )
        quiet = due and self.connection is not None and not self.pool
        if quiet and not server_spoke(self.connection):
            self.health_check_done: bool = True  # a quiet socket: no SELECT 1
            return
        super().close_if_health_check_failed()

    _companion: BaseDatabaseWrapper | None = None

    def companion(self) -> BaseDatabaseWrapper:
        """This thread's autocommit companion connection (opened on first use)."""
        if self._companion is None:
            self._companion = self.copy()
        return self._companion

    def close_companion(self) -> None:
        companion, self._companion = self._companion, None
        if companion is not None:
            companion.close()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.close_companion()
