"""``beacon backup FILE``: a full, consistent copy of the database, safe while serving."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from beacon.core.commands import BeaconCommand
from beacon.resilience import backup


class Command(BeaconCommand):
    help = "Back up the whole database to FILE (SQLite backup API or pg_dump); audited."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="where to write the backup")

    def handle_command(self, *args: Any, **options: Any) -> None:
        try:
            result = backup.backup(self.actor(), options["file"])
        except backup.BackupFailed as exc:
            raise CommandError(str(exc), returncode=1) from None
        self.stdout.write(
            f"backed up {result.engine} database to {result.path} ({result.size:,} bytes); "
            f"{result.chain.describe()}"
        )
        if not result.chain.ok:
            for problem in result.chain.problems:
                self.stderr.write(problem)
            raise CommandError(
                "the backup was written, but the audit trail it holds is broken", returncode=1
            )
