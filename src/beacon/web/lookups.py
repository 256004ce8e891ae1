"""Fetching the objects a page is about, always through the need-to-know policy."""

from __future__ import annotations

from beacon.core.actor import Actor
from beacon.operations import services as operations
from beacon.operations.models import Operation


def visible_operation(actor: Actor, code: str) -> Operation:
    """One operation the actor may see, or NotVisible (404) — missing and hidden alike."""
    return operations.get_operation(actor, code)
