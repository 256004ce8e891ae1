from __future__ import annotations

import pytest

from beacon.audit import services
from beacon.audit.chain import GENESIS_HASH, event_hash, payload_of
from beacon.audit.models import AuditEvent
from beacon.core.actor import Actor


@pytest.mark.django_db
def test_each_event_carries_the_hash_of_the_one_before(system: Actor) -> None:
    first = services.record(system, "test.first", object_type="thing", object_id=1)
    second = services.record(system, "test.second", detail={"fields": ["name"]})
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert second.seq == first.seq + 1
    stored = AuditEvent.objects.get(pk=second.pk)
    fields = {
        f: getattr(stored, f)
        for f in (
            "seq",
            "at",
            "actor",
            "user_id",
            "agency_ori",
            "role",
            "action",
            "object_type",
            "object_id",
            "outcome",
            "source_address",
            "via",
            "detail",
        )
    }
    assert event_hash(stored.prev_hash, payload_of(**fields)) == stored.hash


@pytest.mark.django_db
def test_audit_events_cannot_be_changed_or_deleted_through_the_model(system: Actor) -> None:
    event = services.record(system, "test.event")
    event.action = "edited"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
