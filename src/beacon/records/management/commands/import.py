"""``beacon import records FILE``: all-or-nothing import of a CSV or XLSX file.

CSV separated by ``;`` or ``,``, UTF-8 with or without BOM, or an XLSX workbook
(first sheet). Columns: see docs/formats/records-import.md. A file with any bad row
imports nothing: every bad row, column and reason is printed and the exit code is 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from beacon.core.commands import BeaconCommand
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
        bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:,}/{task.total:,}"),
            TimeRemainingColumn(),
            disable=options["quiet"],
            transient=True,
        )
        tasks: dict[str, TaskID] = {}

        def progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                label = "Validating" if phase == "validate" else "Writing"
                tasks[phase] = bar.add_task(label, total=total)
            bar.update(tasks[phase], completed=done, total=max(total, done))

        with bar:  # an ImportFailed lists every bad line and column (BeaconCommand prints it)
            result = import_records(self.actor(), path, progress=progress)
        self.stdout.write(
            f"Imported {result.records:,} records from {result.file} "
            f"in {result.seconds:.1f}s ({result.records_per_s:,.0f} records/s)."
        )
