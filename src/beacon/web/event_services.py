"""Calls from the event forms and the inbox into the operations services."""

from __future__ import annotations

import importlib
from typing import Any

from beacon.core.actor import Actor
from beacon.operations.models import Operation, Referral


def save(actor: Actor, operation: Operation, kind: str, data: dict[str, Any]) -> object:
    """Record one field event (or reported figure) of ``kind`` through its service."""
    operations: Any = importlib.import_module("beacon.operations.services")
    return operations.record_event(actor, operation.code, kind, data)


def respond_to_referral(actor: Actor, referral: Referral, answer: str) -> object:
    operations: Any = importlib.import_module("beacon.operations.services")
    return operations.respond_to_referral(actor, referral, answer)
