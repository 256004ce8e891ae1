"""A persistent PostgreSQL connection's health check costs no round trip when the server
kept the connection, and still replaces a connection the server dropped
(beacon.core.postgresql)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import psycopg
import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="the PostgreSQL backend's health check",
    ),
]


@pytest.fixture
def wrapper() -> Iterator[BaseDatabaseWrapper]:
    """A connection of its own to the test database, as a served thread holds one."""
    own = connections.create_connection(DEFAULT_DB_ALIAS)
    own.settings_dict["NAME"] = connection.settings_dict["NAME"]
    try:
        yield own
    finally:
        own.close()


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"] or "postgres",
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        autocommit=True,
    )


def _next_request(own: BaseDatabaseWrapper) -> None:
    """What Django does between two requests of a persistent connection."""
    own.close_if_unusable_or_obsolete()
    own.health_check_enabled = own.settings_dict["CONN_HEALTH_CHECKS"]


def _backend_pid(own: BaseDatabaseWrapper) -> int:
    with own.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def test_the_engine_is_beacons() -> None:
    assert connection.settings_dict["ENGINE"] == "beacon.core.postgresql"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_kept_connection_is_reused_without_select_1(wrapper: BaseDatabaseWrapper) -> None:
    pid = _backend_pid(wrapper)
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT 'last statement before the check'")
    _next_request(wrapper)
    assert wrapper.health_check_enabled and not wrapper.health_check_done
    wrapper.close_if_health_check_failed()
    assert wrapper.health_check_done
    with _admin() as admin:
        last = admin.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
    assert last is not None
    assert last[0] == "SELECT 'last statement before the check'"  # no SELECT 1 was sent
    assert _backend_pid(wrapper) == pid


def test_a_connection_the_server_dropped_is_replaced(wrapper: BaseDatabaseWrapper) -> None:
    pid = _backend_pid(wrapper)
    with _admin() as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)
        for _ in range(50):  # the backend is gone once pg_stat_activity forgets it
            if admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                admin.execute("SELECT pg_sleep(0.05)")
    _next_request(wrapper)
    # The first statement of the next request works, on a new connection.
    new_pid = _backend_pid(wrapper)
    assert new_pid != pid


def test_the_companion_connection_closes_with_the_main_one(wrapper: BaseDatabaseWrapper) -> None:
    main_pid = _backend_pid(wrapper)
    companion = wrapper.companion()  # type: ignore[attr-defined]
    assert _backend_pid(companion) != main_pid
    assert wrapper.companion() is companion  # one per connection, kept
    wrapper.close()  # as when CONN_MAX_AGE runs out at the end of a request
    assert companion.connection is None
    assert wrapper.companion() is not companion  # a new one on next use
