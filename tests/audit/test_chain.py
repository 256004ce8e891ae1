from __future__ import annotations

import base64

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings

from beacon.audit import services
from beacon.audit.chain import EVENT_FIELDS, GENESIS_HASH, event_mac, link_hash, payload_of
from beacon.audit.chainer import chain_pending
from beacon.audit.models import AuditEvent, ChainHead
from beacon.audit.triggers import CHAIN_COLUMNS, FIXED_COLUMNS
from beacon.core.actor import Actor


@pytest.mark.django_db
def test_each_event_is_proven_when_written_and_linked_to_the_one_before(system: Actor) -> None:
    first = services.record(system, "test.first", object_type="thing", object_id=1)
    second = services.record(system, "test.second", detail={"fields": ["name"], "n": 1.5})
    stored = AuditEvent.objects.get(pk=second.pk)
    payload = payload_of(**{f: getattr(stored, f) for f in EVENT_FIELDS})
    assert stored.seq is None and stored.mac == second.mac == event_mac(payload)
    assert chain_pending() == 2
    first, second = AuditEvent.objects.get(pk=first.pk), AuditEvent.objects.get(pk=second.pk)
    assert first.seq == 1
    assert first.prev_hash == GENESIS_HASH
    assert first.hash == link_hash(GENESIS_HASH, 1, first.mac)
    assert second.prev_hash == first.hash
    assert second.seq == first.seq + 1
    assert second.hash == link_hash(str(first.hash), 2, second.mac)


@pytest.mark.django_db
def test_the_proof_depends_on_the_audit_key(system: Actor) -> None:
    event = services.record(system, "test.keyed")
    stored = AuditEvent.objects.get(pk=event.pk)
    payload = payload_of(**{f: getattr(stored, f) for f in EVENT_FIELDS})
    real = link_hash(GENESIS_HASH, 1, stored.mac)
    other = base64.b64encode(b"another-32-byte-key-for-the-test").decode()
    assert other != settings.AUDIT_KEY
    with override_settings(AUDIT_KEY=other):
        assert event_mac(payload) != stored.mac
        assert link_hash(GENESIS_HASH, 1, stored.mac) != real


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


@pytest.mark.django_db
def test_two_identical_events_in_one_microsecond_are_both_stored_and_prove(
    system: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two identical searches answered in the same microsecond (seen under load): the
    second used to collide on the unique mac and fail its request with a 500. Both are
    stored now, the second told a microsecond later, and the chain verifies."""
    from datetime import UTC, datetime, timedelta

    from beacon.audit.verify import verify

    instant = datetime(2026, 12, 7, 21, 0, 0, 123456, tzinfo=UTC)
    monkeypatch.setattr(services.timezone, "now", lambda: instant)
    events = [services.record(system, "records.search", detail={"q": "reyes"}) for _ in range(3)]
    assert [e.at for e in events] == [instant + timedelta(microseconds=n) for n in range(3)]
    assert len({e.mac for e in events}) == 3
    stored = AuditEvent.objects.filter(action="records.search").order_by("id")
    assert [e.pk for e in stored] == [e.pk for e in events]
    for row in stored:
        assert row.mac == event_mac(payload_of(**{f: getattr(row, f) for f in EVENT_FIELDS}))
    chain_pending()
    report = verify()
    assert report.ok, report.problems
