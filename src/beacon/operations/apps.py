from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


class OperationsConfig(AppConfig):
    name = "beacon.operations"
    label = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        post_migrate.connect(_install_stamps, sender=self, dispatch_uid="operations_stamps")


def _install_stamps(using: str = "default", **_kwargs: Any) -> None:
    """A migration that rebuilt a table dropped its triggers: put them back (stamps.py)."""
    from beacon.operations import stamps

    stamps.install(connections[using])
