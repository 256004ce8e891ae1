from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


class OperationsConfig(AppConfig):
    name = "beacon.operations"
    label = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        from beacon.operations.visibility import records_reached
        from beacon.records.models import RecordQuerySet

        # A registry record travels to the agencies of the operations targeting it (the
        # registry, a floor below, applies its TLP marking): records never import us.
        RecordQuerySet.reached_through(records_reached)
        post_migrate.connect(_install_stamps, sender=self, dispatch_uid="operations_stamps")


def _install_stamps(using: str = "default", **_kwargs: Any) -> None:
    """A migration that rebuilt a table dropped its triggers: put them back (stamps.py)."""
    from beacon.operations import stamps

    stamps.install(connections[using])
