"""``beacon publishers CODE``: list, give or end the right to publish an operation."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandParser

from beacon.agencies.models import Agency
from beacon.core.commands import BeaconCommand
from beacon.core.errors import ValidationFailed
from beacon.operations import publishing


class Command(BeaconCommand):
    help = "List who may publish an operation's report; --user/--agency gives, --revoke ends."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="Operation code, e.g. RESCUE-ME-2021.")
        parser.add_argument("--user", default="", help="Give the right to this PIO account.")
        parser.add_argument("--agency", default="", help="Give it to an agency's PIOs (ORI).")
        parser.add_argument("--revoke", type=int, default=0, help="End the grant with this id.")

    def handle_command(self, *args: Any, **options: Any) -> None:
        actor = self.actor()
        code = str(options["code"])
        if options["revoke"]:
            publishing.revoke(actor, code, int(options["revoke"]))
        elif options["user"] or options["agency"]:
            publishing.grant(actor, code, **_grantee(options["user"], options["agency"]))
        operation = publishing.operation_to_publish(actor, code)
        for g in publishing.publishers_of(operation):
            who = g.user.get_username() if g.user else (g.agency.name if g.agency else "")
            ended = (
                f" ended {g.revoked_at:%Y-%m-%d %H:%M} by {g.revoked_by}" if g.revoked_at else ""
            )
            self.stdout.write(f"{g.pk}\t{who}\tgiven by {g.granted_by}{ended}")


def _grantee(username: str, ori: str) -> dict[str, Any]:
    if username and ori:
        raise ValidationFailed.on("--user", "a user or an agency, not both")
    if username:
        user = User.objects.select_related("membership").filter(username=username).first()
        if user is None:
            raise ValidationFailed.on("--user", f"no user named {username}")
        return {"user": user}
    agency = Agency.objects.filter(ori=ori.upper()).first()
    if agency is None:
        raise ValidationFailed.on("--agency", f"no agency with ORI {ori}")
    return {"agency": agency}
