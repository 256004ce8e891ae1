from __future__ import annotations

import pytest
from django.db import transaction

from beacon.audit import services
from beacon.audit.chain import GENESIS_HASH, event_hash, payload_of
from beacon.audit.chainer import chain_pending
from beacon.audit.models import AuditEvent, ChainHead
from beacon.audit.triggers import CHAIN_COLUMNS, FIXED_COLUMNS
from beacon.core.actor import Actor


@pytest.mark.django_db
def test_each_event_carries_the_hash_of_the_one_before(system: Actor) -> None:
    first = services.record(system, "test.first", object_type="thing", object_id=1)
    second = services.record(system, "test.second", detail={"fields": ["name"]})
    assert chain_pending() == 2
    first, second = AuditEvent.objects.get(pk=first.pk), AuditEvent.objects.get(pk=second.pk)
    assert first.seq == 1
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
    assert event_hash(str(stored.prev_hash), payload_of(**fields)) == stored.hash


@pytest.mark.django_db
def test_an_event_is_written_unchained_in_the_callers_transaction(system: Actor) -> None:
    with transaction.atomic():
        event = services.record(system, "test.inside")
        assert AuditEvent.objects.filter(pk=event.pk, seq=None, hash=None).exists()
        transaction.set_rollback(True)
    assert not AuditEvent.objects.filter(pk=event.pk).exists()  # rolled back with the change
    assert chain_pending() == 0


@pytest.mark.django_db
def test_chaining_twice_chains_each_event_once(system: Actor) -> None:
    for i in range(3):
        services.record(system, "test.once", object_id=i)
    assert chain_pending() == 3
    assert chain_pending() == 0
    services.record(system, "test.once", object_id=3)
    assert chain_pending() == 1
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [1, 2, 3, 4]
    assert ChainHead.objects.get(id=1).seq == 4


def test_the_append_only_triggers_cover_every_column() -> None:
    columns = {f.column for f in AuditEvent._meta.concrete_fields}
    assert columns == set(FIXED_COLUMNS) | set(CHAIN_COLUMNS)


@pytest.mark.django_db
def test_audit_events_cannot_be_changed_or_deleted_through_the_model(system: Actor) -> None:
    event = services.record(system, "test.event")
    event.action = "edited"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
