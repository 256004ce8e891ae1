"""A per-account limit on API requests (fixed one-minute windows, every application node).

Sign-in attempts have their own, database-backed limit (beacon.access.signin); this one
guards the API from a runaway integration or a scraper with a valid token. The count is
one row per account in the database (ApiRateWindow), moved by a single
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` (SQLite >= 3.35 and PostgreSQL): a new
minute restarts the count at 1, the same minute adds 1, and the statement returns the
count. Every worker of every node on the database shares it, so neither N workers nor
N nodes multiply the limit.

The count must not hold the row's lock for the length of a request: a write with an
Idempotency-Key runs in one transaction (beacon.resilience.idempotency), and a lock kept
until its commit would queue every other request of the account behind it. On
PostgreSQL a count asked for inside a transaction therefore runs on a connection of its
own (in autocommit: the thread's companion connection, beacon.core.postgresql, kept and
closed with the main one), so the row is locked for one statement only; outside a transaction it runs on the request's connection. SQLite has
one writer at a time anyway: the count runs on the request's connection; outside a
transaction it commits with synchronous=NORMAL (no fsync for a counter, the next
durable commit syncs it).
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.core.signals import request_finished
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from beacon.access.errors import RateLimited
from beacon.access.models import ApiRateWindow
from beacon.audit import services as audit
from beacon.core.actor import Actor

TABLE = ApiRateWindow._meta.db_table
UPSERT = (
    f"INSERT INTO {TABLE} (account, minute, count) VALUES (%s, %s, 1) "
    f"ON CONFLICT (account) DO UPDATE SET "
    f"count = CASE WHEN {TABLE}.minute < excluded.minute THEN 1 ELSE {TABLE}.count + 1 END, "
    f"minute = CASE WHEN {TABLE}.minute < excluded.minute "
    f"THEN excluded.minute ELSE {TABLE}.minute END "
    f"RETURNING count"
)

_local = threading.local()


def _side_connection() -> BaseDatabaseWrapper:
    """This thread's own autocommit connection to the default database (PostgreSQL)."""
    companion = getattr(connection, "companion", None)
    if companion is not None:  # beacon.core.postgresql: kept as long as the main one
        side_of_main: BaseDatabaseWrapper = companion()
        return side_of_main
    side: BaseDatabaseWrapper | None = getattr(_local, "connection", None)
    if side is None:
        side = connections.create_connection(DEFAULT_DB_ALIAS)
        side.settings_dict["NAME"] = connection.settings_dict["NAME"]  # test databases
        _local.connection = side
    return side


def close_side_connection(*, at_request_end: bool = False, **_: object) -> None:
    """Close this thread's side connection (a companion only when asked outside the end
    of a request: it is closed with the main connection)."""
    close_companion = getattr(connection, "close_companion", None)
    if close_companion is not None and not at_request_end:
        close_companion()
    side: BaseDatabaseWrapper | None = getattr(_local, "connection", None)
    if side is not None:
        _local.connection = None
        side.close()


def _at_request_end(**_: object) -> None:
    close_side_connection(at_request_end=True)


request_finished.connect(_at_request_end, dispatch_uid="beacon.access.ratelimit")


def _count_on(conn: BaseDatabaseWrapper, account: str, minute: int) -> int:
    with conn.cursor() as cursor:
        cursor.execute(UPSERT, [account, minute])
        row = cursor.fetchone()
    return int(row[0])


def hit(account: str, minute: int) -> int:
    """Count one request of ``account`` in ``minute``; the count so far in that minute."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        try:
            return _count_on(_side_connection(), account, minute)
        except DatabaseError:
            # A dropped connection (database restart): one retry on a fresh one.
            close_side_connection()
            return _count_on(_side_connection(), account, minute)
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return _count_on(connection, account, minute)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous=NORMAL")
        try:
            return _count_on(connection, account, minute)
        finally:
            cursor.execute("PRAGMA synchronous=FULL")


class _Windows:
    """Kept for callers that reset the limit between tests (``_windows.clear()``)."""

    def clear(self) -> None:
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            with _side_connection().cursor() as cursor:  # where the counts were made
                cursor.execute(f"DELETE FROM {TABLE}")
            close_side_connection()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")


_windows = _Windows()


def check_api_rate(actor: Actor, *, now: float | None = None) -> None:
    """Count one API request for the actor's account; 429 past the per-minute limit."""
    if actor.is_system:
        return
    limit = int(settings.BEACON_API_RATE_PER_MINUTE)
    minute = int((time.time() if now is None else now) // 60)
    count = hit(f"{actor.user_id}:{actor.name}", minute)
    if count > limit:
        if count == limit + 1:  # audit the first refusal of the window, not every one
            audit.record(
                actor, "access.rate_limited", outcome="denied", detail={"per_minute": limit}
            )
        raise RateLimited("Too many API requests for this account; wait a minute.")
