"""``beacon report OPERATION [--format json|md|html|pdf] [--lang LANG] [--output FILE]``
(LANG: one of settings.LANGUAGES)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from beacon.core.commands import BeaconCommand
from beacon.core.errors import ValidationFailed
from beacon.operations.reports.compute import build_report
from beacon.operations.reports.languages import report_languages
from beacon.operations.reports.render import FORMATS, render
from beacon.operations.services import find_operation_code


class Command(BeaconCommand):
    help = "Print an operation's results report (computed from records)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", help="Operation code, e.g. RESCUE-ME-2021")
        parser.add_argument("--format", choices=FORMATS, default="md")
        parser.add_argument("--lang", choices=report_languages(), default="en")
        parser.add_argument("--output", help="Write to this file instead of standard output")

    def handle_command(self, *args: Any, **options: Any) -> None:
        fmt, lang = options["format"], options["lang"]
        code = find_operation_code(self.actor(), options["operation"])
        report = build_report(self.actor(), code, lang=lang)
        body = render(report, fmt, lang)
        if options["output"]:
            try:
                Path(options["output"]).write_bytes(body)
            except OSError as exc:
                raise ValidationFailed.on(
                    "output", f"cannot write {options['output']}: {exc.strerror}"
                ) from None
            self.stderr.write(f"Wrote {options['output']} ({len(body)} bytes).")
        elif fmt == "pdf":
            sys.stdout.buffer.write(body)
        else:
            self.stdout.write(body.decode(), ending="")
