"""Every event carries a proof under the audit key; links are keyed (docs/decisions/0007).

Events written before this migration were linked with a plain SHA-256 anyone could
recompute. This migration checks that old chain, then proves every existing event and
re-links the chain under ``BEACON_AUDIT_KEY``, and writes one ``audit.keyed`` event
saying how the old chain stood and what its head was, so the upgrade itself is on the
record. On an empty table (a new installation) it only changes the schema.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.utils import timezone

from beacon.audit.chain import (
    EVENT_FIELDS,
    GENESIS_HASH,
    audit_key,
    canonical,
    event_mac,
    link_hash,
    payload_of,
)
from beacon.audit.triggers import create_sql, drop_sql


def drop_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def create_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in create_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def _old_hash(prev: str, seq: int, payload: dict[str, Any]) -> str:
    """The link hash before this migration (SHA-256, no key)."""
    return hashlib.sha256(
        f"{prev}|{canonical({'seq': seq, **payload}).decode()}".encode()
    ).hexdigest()


def prove_existing(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    event_model = apps.get_model("audit", "AuditEvent")
    head_model = apps.get_model("audit", "ChainHead")
    events = event_model.objects.order_by("seq", "id")
    if not events.exists():
        return
    key = audit_key()
    old_prev, old_ok, new_prev, seq = GENESIS_HASH, True, GENESIS_HASH, 0
    for event in events.filter(seq__isnull=False).iterator(chunk_size=2000):
        payload = payload_of(**{name: getattr(event, name) for name in EVENT_FIELDS})
        if event.seq != seq + 1 or event.prev_hash != old_prev:
            old_ok = False
        if _old_hash(str(event.prev_hash), int(event.seq), payload) != event.hash:
            old_ok = False
        old_prev = str(event.hash)
        mac = event_mac(payload, key)
        seq += 1
        digest = link_hash(new_prev, seq, mac, key)
        event_model.objects.filter(pk=event.pk).update(
            mac=mac, seq=seq, prev_hash=new_prev, hash=digest
        )
        new_prev = digest
    head = head_model.objects.filter(id=1).first()
    old_head = {"seq": head.seq, "hash": head.hash} if head else {"seq": 0, "hash": GENESIS_HASH}
    if (old_head["seq"], old_head["hash"]) != (seq, old_prev):
        old_ok = False
    head_model.objects.update_or_create(id=1, defaults={"seq": seq, "hash": new_prev})
    for event in events.filter(seq__isnull=True).iterator(chunk_size=2000):
        payload = payload_of(**{name: getattr(event, name) for name in EVENT_FIELDS})
        event_model.objects.filter(pk=event.pk).update(mac=event_mac(payload, key))
    detail = {
        "previous_chain": "intact" if old_ok else "broken",
        "previous_head": old_head,
        "events": seq,
    }
    fields: dict[str, Any] = {
        "at": timezone.now(),
        "actor": "beacon-migration",
        "user_id": None,
        "agency_ori": "",
        "role": "system",
        "action": "audit.keyed",
        "object_type": "audit",
        "object_id": "",
        "outcome": "success",
        "source_address": "",
        "via": "job",
        "detail": json.loads(json.dumps(detail)),
    }
    event_model.objects.create(mac=event_mac(payload_of(**fields), key), **fields)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_chained_after_commit")]

    operations = [
        migrations.RunPython(drop_triggers, create_triggers),
        migrations.AddField(
            model_name="auditevent",
            name="mac",
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.RunPython(prove_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="mac",
            field=models.CharField(max_length=64, unique=True),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
