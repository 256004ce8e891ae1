"""``beacon interchange import|export FORMAT ...``: PFIF 1.4, HTCDS v2, NCIC messages, NIBRS.

    beacon interchange import ncic FILE --operation CODE
    beacon interchange import pfif FILE --operation CODE --ori ORI [--domain D]
    beacon interchange import htcds FILE
    beacon interchange import nibrs FILE --operation CODE
    beacon interchange export ncic (--nic NIC ... | --operation CODE) [-o FILE]
    beacon interchange export pfif [--operation CODE] [--since 2021-06-01T00:00:00Z] [-o FILE]
    beacon interchange export htcds --operation CODE [-o FILE]
    beacon interchange export nibrs --operation CODE [--summary] [-o FILE]

An import writes everything or nothing: any problem prints every line (or JSON path),
field and reason, and the exit code is 2. Formats: docs/formats/.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from beacon.core.commands import BeaconCommand
from beacon.core.errors import ValidationFailed
from beacon.core.progress import phase_bar
from beacon.interchange import htcds, htcds_rows, ncic, nibrs, pfif
from beacon.interchange.targets import ImportResult

FORMATS = ("pfif", "htcds", "ncic", "nibrs")


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed.on("since", "a date and time, e.g. 2021-06-01T00:00:00Z") from None
    if moment.tzinfo is None:
        raise ValidationFailed.on("since", "give a time zone, e.g. 2021-06-01T00:00:00Z")
    return moment


def _need(options: dict[str, Any], name: str, fmt: str) -> str:
    value = options.get(name)
    if not value:
        raise ValidationFailed.on(name, f"--{name} is required for {fmt}")
    return str(value)


class Command(BeaconCommand):
    help = "Import or export PFIF 1.4, IOM HTCDS v2, NCIC messages, NIBRS incidents."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="read a partner's file (all or nothing)")
        load.add_argument("format", choices=FORMATS)
        load.add_argument("file", type=Path)
        load.add_argument(
            "--operation", help="operation code (ncic, pfif, nibrs; htcds case rows or XLSX)"
        )
        load.add_argument("--ori", default="", help="agency the PFIF records are entered for")
        load.add_argument("--domain", default=pfif.DEFAULT_DOMAIN, help="our PFIF domain")
        load.add_argument(
            "--skip-invalid",
            action="store_true",
            help="PFIF: leave out (and list) persons and notes that break the spec",
        )
        load.add_argument("--quiet", action="store_true", help="no progress bar")
        dump = sub.add_parser("export", help="write a file for a partner")
        dump.add_argument("format", choices=FORMATS)
        dump.add_argument("--operation", help="operation code")
        dump.add_argument("--nic", action="append", default=[], help="NCIC: a record's NIC")
        dump.add_argument("--since", help="PFIF: only what changed since (ISO 8601, with zone)")
        dump.add_argument("--domain", default=pfif.DEFAULT_DOMAIN, help="our PFIF domain")
        dump.add_argument(
            "--record-domain", default="", help="PFIF: only records whose ids are in this domain"
        )
        dump.add_argument("--summary", action="store_true", help="NIBRS: the report's counts")
        dump.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")

    def handle_command(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self._import(options)
        else:
            self._export(options)

    # ------------------------------------------------------------------ import

    def _import(self, options: dict[str, Any]) -> None:
        fmt, path = options["format"], options["file"]
        if not path.is_file():
            raise ValidationFailed.on("file", f"{path}: no such file")
        data = path.read_bytes()
        bar, progress = phase_bar(quiet=options["quiet"])
        actor = self.actor()
        with bar:  # an ImportRejected lists every bad line and field (BeaconCommand prints it)
            result: ImportResult
            if fmt == "ncic":
                result = ncic.import_ncic(
                    actor,
                    _need(options, "operation", fmt),
                    data,
                    source=path.name,
                    progress=progress,
                )
            elif fmt == "pfif":
                result = pfif.import_pfif(
                    actor,
                    _need(options, "operation", fmt),
                    data,
                    source=path.name,
                    ori=_need(options, "ori", fmt),
                    domain=options["domain"],
                    skip_invalid=options["skip_invalid"],
                    progress=progress,
                )
            elif fmt == "htcds" and (options["operation"] or data.startswith(b"PK")):
                result = htcds_rows.import_htcds_cases(
                    actor, _need(options, "operation", fmt), data, source=path.name
                )
            elif fmt == "htcds":
                result = htcds.import_htcds_updates(
                    actor, data, source=path.name, progress=progress
                )
            else:
                result = nibrs.import_nibrs(
                    actor,
                    _need(options, "operation", fmt),
                    data,
                    source=path.name,
                    progress=progress,
                )
        for line in result.skipped:
            self.stderr.write(line)
        counts = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in sorted(result.counts.items()))
        self.stdout.write(f"Imported {path.name} ({fmt}): {counts or 'nothing to do'}.")

    # ------------------------------------------------------------------ export

    def _export(self, options: dict[str, Any]) -> None:
        fmt = options["format"]
        actor = self.actor()
        summary = ""
        if fmt == "ncic":
            file = ncic.export_ncic(
                actor, nics=options["nic"] or None, operation=options["operation"]
            )
            data = file.text.encode()
            summary = (
                f"{len(file.nics)} record(s), {len(file.withheld)} withheld by their TLP marking"
            )
        elif fmt == "pfif":
            data, counts = pfif.export_pfif(
                actor,
                operation=options["operation"],
                since=_since(options["since"]),
                domain=options["domain"],
                record_domain=options["record_domain"],
            )
            summary = (
                f"{counts['persons']} person(s), {counts['notes']} note(s), "
                f"{counts['withheld_tlp']} withheld by their TLP marking, "
                f"{counts.get('expired', 0)} expired, "
                f"{counts.get('other_domains', 0)} of other domains left out"
            )
        elif fmt == "htcds":
            code = _need(options, "operation", fmt)
            document = htcds.export_htcds(actor, code)
            data = json.dumps(document, indent=2, ensure_ascii=False).encode()
            output_path: Path | None = options["output"]
            if output_path is not None and output_path.suffix.lower() == ".xlsx":
                data = htcds_rows.export_htcds_xlsx(actor, code)
            withheld = document["withheld"]["noDataConsent"]
            summary = (
                f"{len(document['cases'])} case(s), "
                f"{withheld} withheld without consent to manage personal data, "
                f"{document['withheld']['tlp']} withheld by their TLP marking"
            )
        elif options["summary"]:
            counts_doc = nibrs.offense_summary(actor, _need(options, "operation", fmt)).as_dict()
            data = json.dumps(counts_doc, indent=2, default=str).encode()
            summary = "the report's counts"
        else:
            document = nibrs.export_nibrs(actor, _need(options, "operation", fmt))
            data = json.dumps(document, indent=2).encode()
            incidents = document["incidents"]
            summary = (
                f"{len(incidents)} incident(s), "
                f"{sum(len(i['offenses']) for i in incidents)} offence(s), "
                f"{document['withheld']['tlp']} incident(s) withheld by a TLP marking"
            )
        output: Path | None = options["output"]
        if output is None:
            self.stdout.write(data.decode(), ending="" if data.endswith(b"\n") else "\n")
            return
        output.write_bytes(data)
        self.stderr.write(f"Wrote {output} ({fmt}): {summary}.")
