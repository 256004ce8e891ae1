"""``beacon restore FILE``: replace the database with a backup, then verify the audit chain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from beacon.core.commands import BeaconCommand
from beacon.resilience import backup


class Command(BeaconCommand):
    help = "Restore the whole database from FILE written by `beacon backup`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a file written by `beacon backup`")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace a database that already holds data (back it up first)",
        )

    def handle_command(self, *args: Any, **options: Any) -> None:
        try:
            chain = backup.restore(options["file"], replace=options["replace"])
        except backup.BackupFailed as exc:
            raise CommandError(str(exc), returncode=1) from None
        if not chain.ok:
            raise CommandError(f"restored, but {chain.describe()}", returncode=1)
        self.stdout.write(f"restored from {options['file']}; {chain.describe()}")
