"""Base class for Beacon's management commands: domain errors become exit codes."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from beacon.core.actor import Actor, system_actor
from beacon.core.errors import DomainError


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
