"""``beacon keys rotate`` re-wraps agency data keys; ``beacon keys destroy ORI`` shreds one."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from beacon.agencies.models import Agency
from beacon.audit import services as audit
from beacon.core.commands import BeaconCommand
from beacon.core.errors import NotVisible
from beacon.vault import sealing, services


class Command(BeaconCommand):
    help = (
        "Manage the encryption keys: rotate (re-wrap under the current master key), "
        "seal-existing (seal free text stored in clear), destroy (crypto-shred an agency)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rotate", help="re-wrap every agency data key under BEACON_MASTER_KEY")
        sub.add_parser(
            "seal-existing", help="seal free text stored in clear (bulk imports, old rows)"
        )
        destroy = sub.add_parser("destroy", help="delete an agency's data key (crypto-shred)")
        destroy.add_argument("ori")
        destroy.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")

    def handle_command(self, *args: Any, **options: Any) -> None:
        actor = self.actor()
        if options["action"] == "rotate":
            try:
                count = services.rotate(actor)
            except services.Unreadable as exc:
                raise CommandError(f"Nothing was changed: {exc}", returncode=2) from None
            self.stdout.write(f"Re-wrapped {count} agency data key(s) under the current key.")
            return
        if options["action"] == "seal-existing":
            count = sealing.seal_existing()
            scrubbed = sealing.scrub_history()
            audit.record(
                actor,
                "vault.seal_existing",
                object_type="vault",
                detail={"rows": count, "history_scrubbed": scrubbed},
            )
            self.stdout.write(
                f"Sealed the free text of {count} row(s); removed sealed text copied into "
                f"{scrubbed} history entr{'y' if scrubbed == 1 else 'ies'}."
            )
            return
        if not options["yes"]:
            self.stderr.write(
                "Refusing without --yes: the agency's sealed data becomes unreadable."
            )
            raise SystemExit(2)
        try:
            agency = Agency.objects.get(ori=str(options["ori"]).upper())
        except Agency.DoesNotExist:
            raise NotVisible(f"No agency with ORI {options['ori']}.") from None
        services.destroy_agency_key(actor, agency)
        self.stdout.write(f"Destroyed the data key of {agency.ori}; its sealed data is gone.")
