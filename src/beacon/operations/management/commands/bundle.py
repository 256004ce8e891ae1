"""``beacon bundle export OPERATION [--output FILE]``, ``beacon bundle import FILE
[--amend --reason TEXT]`` and ``beacon bundle history OPERATION``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from beacon.core.commands import BeaconCommand
from beacon.core.errors import ValidationFailed
from beacon.operations.bundles.exporter import export_bundle
from beacon.operations.bundles.importer import amendments, import_bundle, parse_json
from beacon.operations.services import find_operation_code


class Command(BeaconCommand):
    help = "Export an operation as a bundle, or import a bundle (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help="Write an operation as a JSON bundle")
        export.add_argument("operation")
        export.add_argument("--output", help="File to write (default: standard output)")
        load = actions.add_parser("import", help="Import a JSON bundle (- for standard input)")
        load.add_argument("file")
        load.add_argument(
            "--amend",
            action="store_true",
            help="Replace rows that changed (each kept in the history, audited)",
        )
        load.add_argument("--reason", default="", help="Why the rows are amended")
        history = actions.add_parser("history", help="Amendments of an operation's rows")
        history.add_argument("operation")

    def handle_command(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            code = find_operation_code(self.actor(), options["operation"])
            text = json.dumps(export_bundle(self.actor(), code), indent=1, ensure_ascii=False)
            if options["output"]:
                try:
                    Path(options["output"]).write_text(text + "\n", encoding="utf-8")
                except OSError as exc:
                    raise ValidationFailed.on("output", f"cannot write: {exc.strerror}") from None
                self.stderr.write(f"Wrote {options['output']}.")
            else:
                self.stdout.write(text)
            return
        if options["action"] == "history":
            code = find_operation_code(self.actor(), options["operation"])
            for a in amendments(self.actor(), code):
                self.stdout.write(
                    f"{a['at']}  {a['by']}  {a['section']} {a['key']}: {a['reason'] or '-'}"
                )
                self.stdout.write(f"  before: {json.dumps(a['before'], ensure_ascii=False)}")
                self.stdout.write(f"  after:  {json.dumps(a['after'], ensure_ascii=False)}")
            return
        name = options["file"]
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationFailed.on("file", f"cannot read {name}: {exc}") from None
        report = import_bundle(
            self.actor(), parse_json(text), amend=options["amend"], reason=options["reason"]
        )
        created = ", ".join(f"{k} {v}" for k, v in report.created.items() if v) or "nothing"
        unchanged = ", ".join(f"{k} {v}" for k, v in report.unchanged.items() if v) or "nothing"
        self.stdout.write(f"Imported {', '.join(report.operations) or 'no operation'}.")
        self.stdout.write(f"  created: {created}")
        self.stdout.write(f"  already present: {unchanged}")
