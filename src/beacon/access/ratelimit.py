"""A per-account limit on API requests (fixed one-minute windows, in this process).

Sign-in attempts have their own, database-backed limit (beacon.access.signin); this one
guards the API from a runaway integration or a scraper with a valid token. It is counted
per server process: with N workers an account may make up to N times the limit.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings

from beacon.access.errors import RateLimited
from beacon.audit import services as audit
from beacon.core.actor import Actor

_lock = threading.Lock()
_windows: dict[str, tuple[int, int]] = {}  # account -> (minute, requests in it)


def check_api_rate(actor: Actor, *, now: float | None = None) -> None:
    """Count one API request for the actor's account; 429 past the per-minute limit."""
    if actor.is_system:
        return
    limit = int(settings.BEACON_API_RATE_PER_MINUTE)
    minute = int((time.time() if now is None else now) // 60)
    key = f"{actor.user_id}:{actor.name}"
    with _lock:
        window, count = _windows.get(key, (minute, 0))
        count = count + 1 if window == minute else 1
        _windows[key] = (minute, count)
        if len(_windows) > 10_000:  # old windows of idle accounts
            for stale in [k for k, (m, _c) in _windows.items() if m < minute]:
                del _windows[stale]
    if count > limit:
        if count == limit + 1:  # audit the first refusal of the window, not every one
            audit.record(
                actor, "access.rate_limited", outcome="denied", detail={"per_minute": limit}
            )
        raise RateLimited("Too many API requests for this account; wait a minute.")
