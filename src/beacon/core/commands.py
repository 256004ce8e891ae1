"""Base class for Beacon's management commands: domain errors become exit codes."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from beacon.core import dberrors
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
            cause = dberrors.storage_full_cause(exc)
            if cause is not None:
                dberrors.log_storage_full(f"beacon {self.command_name()}", cause)
                raise CommandError(
                    f"{dberrors.STORAGE_FULL_MESSAGE} ({cause})", returncode=EX_IOERR
                ) from None
            if dberrors.is_database_outage(exc):
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
        actor = _user_actor(username) if _user_actor is not None else None
        if actor is None:
            raise CommandError(
                f"BEACON_CLI_USER={username}: no active account with that name", returncode=2
            )
        return actor


# How a user's name becomes their Actor. Accounts live above core, so the access app
# supplies this when Django starts (beacon.access.apps); core never imports access.
_user_actor: Callable[[str], Actor | None] | None = None


def set_user_actor(lookup: Callable[[str], Actor | None]) -> None:
    """Called once by the access app: ``lookup(username)`` -> that user's CLI actor."""
    global _user_actor
    _user_actor = lookup
