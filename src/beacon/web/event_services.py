"""Calls from the event forms and the inbox into the operations services."""

from __future__ import annotations

from typing import Any

from beacon.core.actor import Actor
from beacon.operations import services as operations
from beacon.operations.models import Operation, Referral


def save(actor: Actor, operation: Operation, kind: str, data: dict[str, Any]) -> object:
    """Record one field event (or reported figure) of ``kind`` through its service."""
    return operations.record_event(actor, operation.code, kind, data)


def respond_to_referral(actor: Actor, referral: Referral, answer: str) -> object:
    return operations.respond_to_referral(actor, referral, answer)
