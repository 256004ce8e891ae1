"""Migration audit 0004 proves a trail written before the audit key existed: the old chain
is checked, every event proven and re-linked, and the upgrade itself recorded."""

from __future__ import annotations

import hashlib
import importlib

import pytest
from django.apps import apps

from beacon.audit import services
from beacon.audit.chain import EVENT_FIELDS, GENESIS_HASH, canonical, payload_of
from beacon.audit.chainer import chain_pending
from beacon.audit.models import AuditEvent
from beacon.audit.verify import verify
from beacon.core.actor import Actor
from tests.audit.conftest import raw, tampering

pytestmark = pytest.mark.django_db
migration = importlib.import_module("beacon.audit.migrations.0004_events_proven")
T = "audit_auditevent"


def _legacy_trail(system: Actor, *, edit_after: bool) -> None:
    """Three events chained the old way (plain SHA-256, no proof) and one not chained yet,
    in a trail that holds nothing else (tests that commit may have left events behind, or a
    flushed, empty head table)."""
    with tampering():
        raw(f"DELETE FROM {T}")
        # A transactional test's flush may have emptied the head table: make its one row.
        raw("DELETE FROM audit_chainhead")
        raw("INSERT INTO audit_chainhead (id, seq, hash) VALUES (1, 0, %s)", [GENESIS_HASH])
    written = [services.record(system, "test.legacy", object_id=i) for i in range(4)]
    prev = GENESIS_HASH
    with tampering():
        for seq, event in enumerate(written[:3], start=1):
            stored = AuditEvent.objects.get(pk=event.pk)
            payload = payload_of(**{f: getattr(stored, f) for f in EVENT_FIELDS})
            old = hashlib.sha256(
                f"{prev}|{canonical({'seq': seq, **payload}).decode()}".encode()
            ).hexdigest()
            raw(
                f"UPDATE {T} SET mac = %s, seq = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [f"legacy-{event.pk}", seq, prev, old, event.pk],
            )
            prev = old
        raw(f"UPDATE {T} SET mac = 'legacy-pending' WHERE id = %s", [written[3].pk])
        raw("UPDATE audit_chainhead SET seq = 3, hash = %s", [prev])
        if edit_after:
            raw(f"UPDATE {T} SET object_id = 'edited' WHERE seq = 2")
    assert not verify().ok  # no proofs yet


@pytest.mark.parametrize("edited", [False, True], ids=["intact", "broken"])
def test_the_upgrade_proves_the_old_trail_and_records_how_it_stood(
    system: Actor, edited: bool
) -> None:
    _legacy_trail(system, edit_after=edited)
    with tampering():
        migration.prove_existing(apps, None)  # type: ignore[arg-type]
    report = verify()
    assert report.ok, report.problems
    assert (report.checked, report.unchained) == (3, 2)
    keyed = AuditEvent.objects.get(action="audit.keyed")
    assert keyed.detail["previous_chain"] == ("broken" if edited else "intact")
    assert keyed.detail["events"] == 3
    assert chain_pending() == 2
    assert verify().ok


def test_an_empty_trail_is_left_empty() -> None:
    migration.prove_existing(apps, None)  # type: ignore[arg-type]
    assert not AuditEvent.objects.exists()
