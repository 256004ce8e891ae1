"""``beacon restore FILE``: replace the database with a backup, then verify the audit trail.

Refuses (exit 2) to replace a database that holds data without ``--replace``, and to
discard audit events the backup does not hold without ``--discard-newer``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from beacon.core.commands import BeaconCommand
from beacon.resilience import backup


class Command(BeaconCommand):
    help = "Restore the whole database from FILE written by `beacon backup`; audited."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a file written by `beacon backup`")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace a database that already holds data (back it up first)",
        )
        parser.add_argument(
            "--discard-newer",
            action="store_true",
            help="confirm that audit events written after the backup may be discarded",
        )

    def handle_command(self, *args: Any, **options: Any) -> None:
        try:
            result = backup.restore(
                options["file"],
                self.actor,
                replace=options["replace"],
                discard_newer=options["discard_newer"],
            )
        except backup.BackupFailed as exc:
            raise CommandError(str(exc), returncode=1) from None
        chain = result.chain
        if not chain.ok:
            for problem in chain.problems:
                self.stderr.write(problem)
            raise CommandError(f"restored, but {chain.describe()}", returncode=1)
        discarded = (
            f"; {result.discarded} newer audit event(s) discarded" if result.discarded else ""
        )
        self.stdout.write(f"restored from {options['file']}; {chain.describe()}{discarded}")
