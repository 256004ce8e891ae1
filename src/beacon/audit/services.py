"""Writing audit events. Call ``record`` inside the transaction of the change it records."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.utils import timezone

from beacon.audit.chain import event_hash, payload_of
from beacon.audit.models import AuditEvent, ChainHead
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
    """Append one event to the chain.

    Runs in the caller's transaction (a savepoint when one is open), so the event
    and the change it records commit or roll back together. The chain head row is
    locked for the rest of that transaction: concurrent writers queue, one chain.
    """
    # Round-trip through JSON so the hash is computed over exactly what is stored.
    clean_detail: dict[str, Any] = json.loads(json.dumps(detail or {}, default=str))
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(id=1)
        at = timezone.now()
        seq = head.seq + 1
        fields: dict[str, Any] = {
            "seq": seq,
            "at": at,
            "actor": actor.name,
            "user_id": actor.user_id,
            "agency_ori": actor.agency.ori,
            "role": actor.role,
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "outcome": str(outcome),
            "source_address": actor.source_address,
            "via": actor.via,
            "detail": clean_detail,
        }
        digest = event_hash(head.hash, payload_of(**fields))
        event = AuditEvent.objects.create(prev_hash=head.hash, hash=digest, **fields)
        ChainHead.objects.filter(id=1).update(seq=seq, hash=digest)
    return event
