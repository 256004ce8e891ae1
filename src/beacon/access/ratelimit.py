"""A per-account limit on API requests (fixed one-minute windows, all server processes).

Sign-in attempts have their own, database-backed limit (beacon.access.signin); this one
guards the API from a runaway integration or a scraper with a valid token. The count is
shared by every worker process of the server through a small memory-mapped file under
BEACON_DATA_DIR (beacon.resilience.counters): N workers do not multiply the limit, and
counting writes nothing to the database. One file per database, so two Beacons (or two
test runs) on one machine never count each other's accounts.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings

from beacon.access.errors import RateLimited
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.resilience.counters import SharedMinuteCounter, database_scoped_path

_counter: SharedMinuteCounter | None = None


def counter_path() -> Path:
    return database_scoped_path("api-rate")


def counter() -> SharedMinuteCounter:
    global _counter
    path = counter_path()
    if _counter is None or _counter.path != path:  # the test runner renames the database
        _counter = SharedMinuteCounter(path)
    return _counter


class _Windows:
    """Kept for callers that reset the limit between tests (``_windows.clear()``)."""

    def clear(self) -> None:
        counter().clear()


_windows = _Windows()


def check_api_rate(actor: Actor, *, now: float | None = None) -> None:
    """Count one API request for the actor's account; 429 past the per-minute limit."""
    if actor.is_system:
        return
    limit = int(settings.BEACON_API_RATE_PER_MINUTE)
    minute = int((time.time() if now is None else now) // 60)
    count = counter().hit(f"{actor.user_id}:{actor.name}", minute)
    if count > limit:
        if count == limit + 1:  # audit the first refusal of the window, not every one
            audit.record(
                actor, "access.rate_limited", outcome="denied", detail={"per_minute": limit}
            )
        raise RateLimited("Too many API requests for this account; wait a minute.")
