"""``beacon import records FILE``: all-or-nothing import of a CSV or XLSX file.

CSV separated by ``;`` or ``,``, UTF-8 with or without BOM, or an XLSX workbook
(first sheet). Columns: see docs/formats/records-import.md. A file with any bad row
imports nothing: every bad row, column and reason is printed and the exit code is 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from beacon.core.commands import BeaconCommand
from beacon.core.progress import phase_bar
from beacon.records.imports.importer import import_records


class Command(BeaconCommand):
    help = "Import records from a CSV or XLSX file (all rows or none)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True)
        records = sub.add_parser("records", help="missing-person records")
        records.add_argument("file", type=Path)
        records.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle_command(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        bar, progress = phase_bar(quiet=options["quiet"])
        with bar:  # an ImportFailed lists every bad line and column (BeaconCommand prints it)
            result = import_records(self.actor(), path, progress=progress)
        self.stdout.write(
            f"Imported {result.records:,} records from {result.file} "
            f"in {result.seconds:.1f}s ({result.records_per_s:,.0f} records/s)."
        )
