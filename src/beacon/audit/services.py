"""Writing audit events. Call ``record`` inside the transaction of the change it records."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.utils import timezone

from beacon.audit import wake
from beacon.audit.models import AuditEvent
from beacon.core.actor import Actor


def record(
    actor: Actor,
    action: str,
    *,
    object_type: str = "",
    object_id: object = "",
    outcome: str = AuditEvent.Outcome.SUCCESS,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one event in the caller's transaction (one INSERT, no lock).

    The event and the change it records commit or roll back together. Its place in
    the hash chain (seq, prev_hash, hash) is given after commit by the chainer
    (beacon.audit.chainer); until then those fields are None.
    """
    # Round-trip through JSON so the hash is computed over exactly what is stored.
    clean_detail: dict[str, Any] = json.loads(json.dumps(detail or {}, default=str))
    event = AuditEvent.objects.create(
        at=timezone.now(),
        actor=actor.name,
        user_id=actor.user_id,
        agency_ori=actor.agency.ori,
        role=actor.role,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        outcome=str(outcome),
        source_address=actor.source_address,
        via=actor.via,
        detail=clean_detail,
    )
    transaction.on_commit(wake.after_commit)
    return event
