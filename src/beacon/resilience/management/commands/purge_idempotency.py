"""``beacon purge_idempotency``: delete idempotency records past their retry window."""

from __future__ import annotations

from typing import Any

from beacon.core.commands import BeaconCommand
from beacon.resilience import purge


class Command(BeaconCommand):
    help = (
        "Delete stored Idempotency-Key responses older than BEACON_IDEMPOTENCY_KEEP_HOURS "
        "(24 h by default); audited. Servers also sweep after writes."
    )

    def handle_command(self, *args: Any, **options: Any) -> None:
        deleted = purge.purge_expired(via="cli")
        self.stdout.write(f"deleted {deleted:,} idempotency records older than {purge.keep()}")
