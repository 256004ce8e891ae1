"""Idempotency records are kept as long as a client may retry, then deleted.

A key answers retries of one request: a client retries within minutes (a phone coming
back online, a timed-out sync), so a record is kept ``BEACON_IDEMPOTENCY_KEEP_HOURS``
(24 h by default, as Stripe does) and then purged, by ``beacon purge_idempotency`` and by
a sweep after writes (at most once per ``SWEEP_SECONDS`` in each server process, one
bounded batch, after the write has committed). A retry after the window runs again as a
new request. Each purge that deleted anything is audited.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from beacon.audit import services as audit
from beacon.core.actor import system_actor
from beacon.resilience.models import IdempotencyRecord

SWEEP_SECONDS = 600
BATCH = 1000
_last_sweep = 0.0
_sweep_lock = threading.Lock()


def keep() -> timedelta:
    return timedelta(hours=float(getattr(settings, "BEACON_IDEMPOTENCY_KEEP_HOURS", 24)))


def purge_expired(
    *, now: datetime | None = None, batches: int | None = None, via: str = "cli"
) -> int:
    """Delete the records older than the window, ``BATCH`` at a time (short locks);
    all of them, or at most ``batches`` batches. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - keep()
    deleted, done = 0, 0
    while batches is None or done < batches:
        with transaction.atomic():
            ids = list(
                IdempotencyRecord.objects.filter(created_at__lt=cutoff)
                .order_by("created_at")
                .values_list("pk", flat=True)[:BATCH]
            )
            if ids:
                IdempotencyRecord.objects.filter(pk__in=ids).delete()
                audit.record(
                    system_actor(via=via),
                    "resilience.idempotency_purged",
                    object_type="idempotency_record",
                    detail={"deleted": len(ids), "older_than": cutoff.isoformat()},
                )
        deleted += len(ids)
        done += 1
        if len(ids) < BATCH:
            break
    return deleted


def sweep_after_write() -> None:
    """One batch, at most once per SWEEP_SECONDS in this process (run after a commit)."""
    global _last_sweep
    now = time.monotonic()
    with _sweep_lock:
        if _last_sweep and now - _last_sweep < SWEEP_SECONDS:
            return
        _last_sweep = now
    purge_expired(batches=1, via="job")
