"""``beacon demo``: load the four seed operations (and demo accounts, when they exist)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser

from beacon.core.commands import BeaconCommand
from beacon.core.errors import ValidationFailed
from beacon.operations.demo.loader import load_demo

DEMO_MODES = ("demo", "development", "test")


class Command(BeaconCommand):
    help = "Load the four seed operations through the bundle importer (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bundles",
            default=None,
            help="Directory to write the seed bundles to (default: DATA_DIR/demo-bundles).",
        )

    def handle_command(self, *args: Any, **options: Any) -> None:
        if settings.MODE not in DEMO_MODES:
            raise ValidationFailed.on(
                "BEACON_MODE",
                f"the demo loads synthetic data: run it with BEACON_MODE=demo, not {settings.MODE}",
            )
        started = time.monotonic()
        directory = Path(options["bundles"] or Path(settings.DATA_DIR) / "demo-bundles")
        for path, report in load_demo(self.actor(), directory):
            created = sum(report.created.values())
            unchanged = sum(report.unchanged.values())
            subs = len(report.operations) - 1
            extra = f" (+{subs} sub-operations)" if subs else ""
            self.stdout.write(
                f"{path.name}: {report.operations[0]}{extra}: "
                f"{created} rows created, {unchanged} already present"
            )
        self._print_logins()
        self.stdout.write(f"Demo loaded in {time.monotonic() - started:.1f} s.")

    def _print_logins(self) -> None:
        """Create and print the demo accounts when the access app provides them."""
        import importlib

        try:
            access_services = importlib.import_module("beacon.access.services")
        except ImportError:
            return
        create = getattr(access_services, "create_demo_users", None)
        if create is None:
            return
        logins = create()
        seed = getattr(access_services, "demo_totp_seed_base32", lambda: "")()
        self.stdout.write("Demo logins (demo mode only; one per role):")
        for username, password, role, agency in logins:
            self.stdout.write(f"  {username:<20} {password}  {role:<16} {agency}")
        if seed:
            self.stdout.write(f"  TOTP seed for every demo account: {seed}")
