"""Base class for Beacon's management commands: domain errors become exit codes."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from beacon.core.actor import Actor, system_actor
from beacon.core.errors import DomainError

# sysexits.h: what scripts around the CLI can tell apart (retry later, or call someone).
EX_IOERR = 74
EX_TEMPFAIL = 75


class BeaconCommand(BaseCommand):
    """Runs ``handle_command``; a DomainError prints its message (and field errors) and
    exits with the error's exit code (2 for bad input) instead of a traceback."""

    def handle(self, *args: Any, **options: Any) -> str | None:
        try:
            return self.handle_command(*args, **options)
        except DomainError as exc:
            lines = [exc.message]
            for field, messages in exc.fields.items():
                lines.extend(f"  {field}: {message}" for message in messages)
            raise CommandError("\n".join(lines), returncode=exc.exit_code) from None
        except DatabaseError as exc:
            # A full disk or an unreachable database is the operator's to fix, not a bug:
            # say which, without a traceback (the transaction was rolled back whole).
            from beacon.resilience import outage  # resilience sits above core

            cause = outage.storage_full_cause(exc)
            if cause is not None:
                outage.log_storage_full(f"beacon {self.command_name()}", cause)
                raise CommandError(
                    f"{outage.STORAGE_FULL_MESSAGE} ({cause})", returncode=EX_IOERR
                ) from None
            if outage.is_database_outage(exc):
                raise CommandError(
                    f"The database is unreachable ({exc}); nothing was saved. Retry when it "
                    "is back.",
                    returncode=EX_TEMPFAIL,
                ) from None
            raise

    def command_name(self) -> str:
        return type(self).__module__.rsplit(".", 1)[-1]

    def handle_command(self, *args: Any, **options: Any) -> str | None:
        raise CommandError(f"{type(self).__name__} defines no handle_command")

    def actor(self) -> Actor:
        """The actor the CLI acts as.

        With ``BEACON_CLI_USER=username`` the command acts as that user (their agency and
        role, the same need-to-know policy as on the web and the API); without it, as the
        named system actor that operators use for administration and imports.
        """
        username = os.environ.get("BEACON_CLI_USER", "").strip()
        if not username:
            return system_actor(via="cli")
        from django.contrib.auth.models import User

        from beacon.access.accounts import actor_of, membership_of

        user = User.objects.filter(username=username).first()
        membership = membership_of(user)
        if user is None or membership is None:
            raise CommandError(
                f"BEACON_CLI_USER={username}: no active account with that name", returncode=2
            )
        return actor_of(user, membership, via="cli")
