"""Base class for Beacon's management commands: domain errors become exit codes."""

from __future__ import annotations

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
        """The actor the CLI acts as (the named system actor until users sign in)."""
        return system_actor(via="cli")
