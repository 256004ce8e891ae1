"""``beacon accounts ...``: create and administer accounts and API tokens from the CLI.

The CLI acts as the named system actor (or BEACON_CLI_USER); every change is audited like
the API's. An API token is printed only to its owner: ``token`` makes one for the account
the CLI acts as (BEACON_CLI_USER), never for someone else.

    beacon accounts create alice --agency NM0070100 --role investigator --password-stdin
    beacon accounts disable alice --reason "left the task force"
    beacon accounts unlock alice
    BEACON_CLI_USER=alice beacon accounts token --name "CAD sync" --days 30
    beacon accounts disable-inactive        # run daily (cron or systemd timer)
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import CommandParser

from beacon.access import services, tokens
from beacon.access.models import Membership
from beacon.access.permissions import LEAST_ROLE, ROLES_BY_POWER
from beacon.agencies.models import Agency
from beacon.core.commands import BeaconCommand
from beacon.core.errors import ValidationFailed


class Command(BeaconCommand):
    help = "Administer Beacon accounts: create, disable, enable, unlock, reset-mfa, tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a user of an agency with a role")
        create.add_argument("username")
        create.add_argument("--agency", required=True, help="the agency's ORI")
        create.add_argument("--role", default=LEAST_ROLE, choices=ROLES_BY_POWER)
        create.add_argument("--email", default="")
        create.add_argument(
            "--password-stdin", action="store_true", help="read the password from stdin"
        )
        disable = sub.add_parser("disable", help="disable: end sessions, revoke tokens")
        disable.add_argument("username")
        disable.add_argument("--reason", required=True)
        for name, text in (
            ("enable", "enable a disabled account"),
            ("unlock", "unlock an account locked after failed sign-ins"),
            ("reset-mfa", "remove the authenticator; the user enrols again at sign-in"),
        ):
            sub.add_parser(name, help=text).add_argument("username")
        role = sub.add_parser("role", help="change a user's role (and agency)")
        role.add_argument("username")
        role.add_argument("--role", required=True, choices=ROLES_BY_POWER)
        role.add_argument("--agency", help="the new agency's ORI")
        for name, text in (
            ("approve-role", "approve the role another administrator requested"),
            ("refuse-role", "refuse the role another administrator requested"),
        ):
            sub.add_parser(name, help=text).add_argument("username")
        sub.add_parser("disable-inactive", help="disable accounts idle for 90 days")
        token = sub.add_parser(
            "token", help="create an API token of your own (BEACON_CLI_USER), printed once"
        )
        token.add_argument("--name", required=True)
        token.add_argument("--role", choices=ROLES_BY_POWER)
        token.add_argument("--days", type=int, default=90)
        revoke = sub.add_parser("revoke", help="revoke an API token by its prefix")
        revoke.add_argument("prefix")
        sub.add_parser("list", help="list accounts")

    def handle_command(self, *args: Any, **options: Any) -> None:
        actor = self.actor()
        action = options["action"]
        if action == "create":
            password = (
                sys.stdin.readline().rstrip("\n")
                if options["password_stdin"]
                else getpass.getpass("Password: ")
            )
            agency = _agency(options["agency"])
            services.create_user(
                actor,
                options["username"],
                password,
                agency,
                options["role"],
                email=options["email"],
            )
            self.stdout.write(f"Created {options['username']} ({options['role']}, {agency.ori}).")
        elif action == "disable":
            user = services.get_user(actor, options["username"])
            services.disable_user(actor, user, options["reason"])
            self.stdout.write(f"Disabled {options['username']}: sessions ended, tokens revoked.")
        elif action == "enable":
            services.enable_user(actor, services.get_user(actor, options["username"]))
            self.stdout.write(f"Enabled {options['username']}.")
        elif action == "unlock":
            services.unlock_user(actor, services.get_user(actor, options["username"]))
            self.stdout.write(f"Unlocked {options['username']}.")
        elif action == "reset-mfa":
            services.reset_second_factor(actor, services.get_user(actor, options["username"]))
            self.stdout.write(f"Removed the authenticator of {options['username']}.")
        elif action == "role":
            user = services.get_user(actor, options["username"])
            new_agency = _agency(options["agency"]) if options["agency"] else None
            change = services.change_role(actor, user, options["role"], new_agency)
            m = change.membership
            if change.pending is not None:
                self.stdout.write(
                    f"Requested {options['role']} for {options['username']}: a second "
                    f"administrator approves it (still {m.role} at {m.agency.ori})."
                )
            else:
                self.stdout.write(f"{options['username']} is now {m.role} at {m.agency.ori}.")
        elif action in ("approve-role", "refuse-role"):
            user = services.get_user(actor, options["username"])
            approve = action == "approve-role"
            m = services.decide_role_request(actor, user, approve=approve).membership
            verdict = "Approved" if approve else "Refused"
            self.stdout.write(f"{verdict}: {options['username']} is {m.role} at {m.agency.ori}.")
        elif action == "disable-inactive":
            names = services.disable_inactive(actor)
            self.stdout.write(f"Disabled {len(names)} inactive account(s): {', '.join(names)}")
        elif action == "token":
            row, raw = tokens.create_token(
                actor, options["name"], role=options["role"], days=options["days"]
            )
            self.stdout.write(
                f"Token {row.prefix} for {actor.name} ({row.role}, {row.agency.ori}), "
                f"expires {row.expires_at:%Y-%m-%d}. Shown once:\n{raw}"
            )
        elif action == "revoke":
            tokens.revoke_token(actor, options["prefix"])
            self.stdout.write(f"Revoked token {options['prefix']}.")
        else:
            for m in Membership.objects.select_related("user", "agency").order_by("user__username"):
                state = "disabled" if m.disabled_at else "locked" if m.locked_at else "active"
                self.stdout.write(f"{m.user.username}\t{m.role}\t{m.agency.ori}\t{state}")


def _agency(ori: str) -> Agency:
    agency = Agency.objects.filter(ori=ori.upper()).first()
    if agency is None:
        raise ValidationFailed.on("agency", f"No agency with ORI {ori}.")
    return agency
