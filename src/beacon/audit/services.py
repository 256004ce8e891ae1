"""Writing audit events. Call ``record`` inside the transaction of the change it records."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from beacon.audit import wake
from beacon.audit.chain import event_mac, payload_of
from beacon.audit.models import AuditEvent
from beacon.core.actor import Actor

_MICROSECOND = timedelta(microseconds=1)
_SAME_INSTANT_TRIES = 8


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

    The event and the change it records commit or roll back together, and it carries its
    proof (``mac``, beacon.audit.chain) from the start. Its place in the chain (seq,
    prev_hash, hash) is given after commit by the chainer (beacon.audit.chainer); until
    then those fields are None.
    """
    # Round-trip through JSON so the proof is computed over exactly what is stored.
    text = json.dumps(detail or {}, default=str)
    stored_detail = json.loads(text)
    fields: dict[str, Any] = {
        "at": timezone.now(),
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
    }
    for _attempt in range(_SAME_INSTANT_TRIES):
        content = {k: v for k, v in fields.items() if k != "mac"}
        fields["mac"] = event_mac(payload_of(**content, detail=stored_detail))
        stored = _insert(fields, text)
        if stored is not None:
            break
        # The same event (same content, same microsecond) is already stored: two identical
        # requests at one instant, legitimately. The mac must stay unique (a copied row is
        # refused), so this one is told a microsecond later, and proven as such.
        fields["at"] += _MICROSECOND
    else:
        raise DatabaseError("the audit event was not stored: identical events kept colliding")
    event = AuditEvent(detail=stored_detail, **fields)
    event.pk = stored
    event._state.adding, event._state.db = False, connection.alias
    transaction.on_commit(wake.after_commit)
    return event


def _insert(fields: dict[str, Any], detail: str) -> int | None:
    """One INSERT statement (every request writes one: no ORM save machinery).

    The new row's id, or None when an identical event (same mac) is already stored."""
    postgresql = connection.vendor == "postgresql"
    columns = [*fields, "detail"]
    values = [*(["%s"] * len(fields)), "CAST(%s AS jsonb)" if postgresql else "%s"]
    params = [
        connection.ops.adapt_datetimefield_value(v) if k == "at" else v for k, v in fields.items()
    ]
    # No conflict target: an attacker who drops the mac's UNIQUE constraint must not stop
    # Beacon writing (verify then reports the copies); the only unique column set at
    # insert is mac (seq and hash are NULL until chained).
    sql = (
        f"INSERT INTO {AuditEvent._meta.db_table} ({', '.join(columns)}) "
        f"VALUES ({', '.join(values)}) ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        if connection.features.can_return_columns_from_insert:
            cursor.execute(sql + " RETURNING id", [*params, detail])
            row = cursor.fetchone()
            stored = None if row is None else row[0]
        else:
            cursor.execute(sql, [*params, detail])
            stored = cursor.lastrowid if cursor.rowcount == 1 else None
    if stored is not None:
        return int(stored)
    if AuditEvent.objects.filter(mac=fields["mac"]).exists():
        return None  # the same event at the same instant: the caller tells it a µs later
    # A trigger or rule that is not Beacon's swallowed the event: the action must not go
    # on unrecorded (its transaction is rolled back); verify names the culprit.
    raise DatabaseError("the audit event was not stored: run beacon audit verify")
