"""The API rate window in the database (beacon.access.ratelimit): one row per account."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections, connection, transaction

from beacon.access import ratelimit
from beacon.access.errors import RateLimited
from beacon.core.actor import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _close_side_connection() -> Iterator[None]:
    """Counts asked for inside the test's transaction run on a side connection on
    PostgreSQL (closed at the end of a request; here, at the end of the test)."""
    yield
    ratelimit.close_side_connection()


def test_a_minute_counts_up_a_new_minute_restarts_and_a_late_minute_does_not_reset() -> None:
    ratelimit._windows.clear()
    assert [ratelimit.hit("7:alice", 1000) for _ in range(3)] == [1, 2, 3]
    assert ratelimit.hit("8:bob", 1000) == 1  # another account has its own count
    assert ratelimit.hit("7:alice", 1001) == 1  # the next minute starts again
    # A node whose clock lags still counts in the newest window, never resets it.
    assert ratelimit.hit("7:alice", 1000) == 2
    assert ratelimit.hit("7:alice", 1001) == 3


def test_the_limit_refuses_past_the_count_in_one_minute(
    settings: object, investigator_a: Actor
) -> None:
    settings.BEACON_API_RATE_PER_MINUTE = 2  # type: ignore[attr-defined]
    ratelimit._windows.clear()
    actor = replace(investigator_a, user_id=41)  # an API account: counted per account
    ratelimit.check_api_rate(actor, now=60_000.0)
    ratelimit.check_api_rate(actor, now=60_030.0)
    with pytest.raises(RateLimited):
        ratelimit.check_api_rate(actor, now=60_059.0)
    ratelimit.check_api_rate(actor, now=60_060.0)  # the next minute


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the side connection is PostgreSQL's (SQLite counts on the request's connection)",
)
def test_a_count_inside_a_transaction_reuses_the_threads_companion_connection() -> None:
    """One PostgreSQL backend per thread for the counts of keyed writes, not one per
    request (each new one cost ~30 ms and ~2 ms of the worker's CPU); closed with the
    main connection."""

    def companion_pid() -> int:
        with connection.companion().cursor() as cursor:  # type: ignore[attr-defined]
            cursor.execute("SELECT pg_backend_pid()")
            return int(cursor.fetchone()[0])

    ratelimit._windows.clear()
    with transaction.atomic():
        assert ratelimit.hit("9:dave", 2000) == 1
    first = companion_pid()
    assert first != connection.cursor().connection.info.backend_pid
    # The end of a request keeps it (as the test client does, Django's closing of the
    # main connection is left out: this test's transaction holds it).
    request_finished.disconnect(close_old_connections)
    try:
        request_finished.send(sender=None)
    finally:
        request_finished.connect(close_old_connections)
    with transaction.atomic():
        assert ratelimit.hit("9:dave", 2000) == 2
    assert companion_pid() == first
    companion = connection.companion()  # type: ignore[attr-defined]
    connection.close_companion()  # type: ignore[attr-defined]
    assert companion.connection is None
