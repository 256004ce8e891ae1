"""``beacon audit verify [--anchor FILE]``, ``beacon audit anchor FILE``, ``beacon audit chain``.

``verify`` only reads (one snapshot; it never chains). Keep the anchor file outside the
database (another machine, write-once media): checked against it, ``verify`` also finds
a tail cut off the chain and events backdated into the past it covers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from beacon.audit import services
from beacon.audit.chainer import chain_pending
from beacon.audit.verify import current_anchor, read_anchor, verify, write_anchor
from beacon.core.commands import BeaconCommand


class Command(BeaconCommand):
    help = "Verify the audit trail, or write its latest hash to an anchor file."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("verify", help="check every event, proof and link (read only)")
        check.add_argument("--anchor", type=Path, help="an anchor file written earlier")
        anchor = sub.add_parser("anchor", help="write the latest event's hash to FILE")
        anchor.add_argument("file", type=Path)
        sub.add_parser("chain", help="chain the committed events not chained yet")

    def handle_command(self, *args: Any, **options: Any) -> None:
        if options["action"] == "chain":
            count = chain_pending()
            self.stdout.write(f"Chained {count} event(s); head #{current_anchor().seq}")
            return
        if options["action"] == "anchor":
            services.record(self.actor(), "audit.anchor", object_type="audit")
            written = write_anchor(options["file"])
            self.stdout.write(f"Anchored event #{written.seq} {written.hash} in {options['file']}")
            return
        anchor = read_anchor(options["anchor"]) if options["anchor"] else None
        report = verify(anchor)
        if report.ok:
            pending = f" ({report.unchained} recent event(s) not chained yet)" * bool(
                report.unchained
            )
            self.stdout.write(
                f"OK: {report.checked} events, chain intact up to #{report.last_seq}"
                + (f", anchor #{anchor.seq} matches" if anchor else "")
                + pending
            )
            return
        for problem in report.problems:
            self.stderr.write(problem)
        self.stderr.write(f"TAMPERED: {len(report.problems)} problem(s) in {report.checked} events")
        raise SystemExit(1)
