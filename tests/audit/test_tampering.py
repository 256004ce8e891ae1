"""Every kind of tampering with the stored audit trail is found by `beacon audit verify`."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction

from beacon.audit import services
from beacon.audit.chain import event_hash, payload_of
from beacon.audit.chainer import chain_pending
from beacon.audit.models import AuditEvent
from beacon.audit.verify import HASHED_FIELDS, read_anchor, verify, write_anchor
from beacon.core.actor import Actor
from tests.audit.conftest import raw, tampering

pytestmark = pytest.mark.django_db

T = "audit_auditevent"


def _chain(system: Actor, n: int = 6) -> list[AuditEvent]:
    """n events, chained (as the chainer does after their commit), read back as stored."""
    written = [
        services.record(system, f"test.event{i}", object_type="thing", object_id=i, detail={"i": i})
        for i in range(1, n + 1)
    ]
    assert chain_pending() == n
    return [AuditEvent.objects.get(pk=event.pk) for event in written]


def _rehash_from(seq: int) -> None:
    """What a careful attacker does after an edit: recompute every later hash and the head."""
    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else "0" * 64
    for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        digest = event_hash(prev, payload_of(**{f: getattr(event, f) for f in HASHED_FIELDS}))
        raw(f"UPDATE {T} SET prev_hash = %s, hash = %s WHERE id = %s", [prev, digest, event.pk])
        prev = digest
    raw(
        "UPDATE audit_chainhead SET seq = (SELECT MAX(seq) FROM audit_auditevent), hash = %s",
        [prev],
    )


def test_an_intact_chain_verifies(system: Actor) -> None:
    _chain(system)
    report = verify()
    assert report.ok, report.problems
    assert report.checked == 6


def test_an_edited_event_is_found(system: Actor) -> None:
    _chain(system)
    with tampering():
        raw(f"UPDATE {T} SET detail = %s WHERE seq = 3", ['{"i": 99}'])
    assert verify().problems == ["event #3: content does not match its hash (edited)"]


def test_a_deleted_event_is_found(system: Actor) -> None:
    _chain(system)
    with tampering():
        raw(f"DELETE FROM {T} WHERE seq = 4")
    problems = verify().problems
    assert any("missing (deleted)" in p for p in problems)
    assert any("event #5: does not link" in p for p in problems)


def test_an_inserted_event_is_found(system: Actor) -> None:
    events = _chain(system)
    with tampering():
        raw(f"UPDATE {T} SET seq = seq + 100 WHERE seq >= 4")
        raw(f"UPDATE {T} SET seq = seq - 99 WHERE seq >= 104")
        forged = {f: getattr(events[2], f) for f in HASHED_FIELDS} | {"seq": 4, "action": "forged"}
        digest = event_hash(events[2].hash, payload_of(**forged))
        AuditEvent.objects.create(prev_hash=events[2].hash, hash=digest, **forged)
    problems = verify().problems
    assert problems
    assert any("event #5" in p for p in problems)


def test_reordered_events_are_found(system: Actor) -> None:
    _chain(system)
    with tampering():
        raw(f"UPDATE {T} SET seq = 1000 WHERE seq = 2")
        raw(f"UPDATE {T} SET seq = 2 WHERE seq = 3")
        raw(f"UPDATE {T} SET seq = 3 WHERE seq = 1000")
    problems = verify().problems
    assert any("event #2" in p for p in problems) and any("event #3" in p for p in problems)


def test_a_cut_tail_is_found_by_the_chain_head(system: Actor) -> None:
    _chain(system)
    with tampering():
        raw(f"DELETE FROM {T} WHERE seq >= 5")
    assert verify().problems == [
        "chain head names event #6 but the last event is #4 (the tail was cut or the head edited)"
    ]


def test_a_cut_tail_with_a_forged_head_is_found_by_the_anchor(
    system: Actor, tmp_path: Path
) -> None:
    _chain(system)
    anchor = write_anchor(tmp_path / "anchor.json")
    with tampering():
        raw(f"DELETE FROM {T} WHERE seq >= 5")
        _rehash_from(5)
    assert verify().ok  # the database alone looks consistent
    problems = verify(read_anchor(tmp_path / "anchor.json")).problems
    assert problems == [f"anchored event #{anchor.seq} is missing (the tail was cut off)"]


def test_a_rewritten_chain_is_found_by_the_anchor(system: Actor, tmp_path: Path) -> None:
    _chain(system)
    write_anchor(tmp_path / "anchor.json")
    with tampering():
        raw(f"UPDATE {T} SET detail = %s WHERE seq = 2", ['{"i": 42}'])
        _rehash_from(2)
    assert verify().ok
    assert verify(read_anchor(tmp_path / "anchor.json")).problems == [
        "anchored event #6 has a different hash (the chain was rewritten)"
    ]


def test_the_cli_verifies_and_anchors(system: Actor, tmp_path: Path) -> None:
    _chain(system)
    anchor_file = tmp_path / "anchor.json"
    call_command("audit", "anchor", str(anchor_file))
    call_command("audit", "verify", "--anchor", str(anchor_file))
    with tampering():
        raw(f"UPDATE {T} SET actor = 'someone-else' WHERE seq = 1")
    with pytest.raises(SystemExit) as failed:
        call_command("audit", "verify", "--anchor", str(anchor_file))
    assert failed.value.code == 1


def test_a_bad_anchor_file_is_a_clear_input_error(system: Actor, tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    bad = tmp_path / "anchor.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("audit", "verify", "--anchor", str(bad))
    assert refused.value.returncode == 2
    assert "line 1 column 2" in str(refused.value)


@pytest.mark.parametrize(
    "statement", [f"UPDATE {T} SET action = 'x'", f"DELETE FROM {T}"], ids=["update", "delete"]
)
def test_the_database_refuses_to_change_or_delete_events(system: Actor, statement: str) -> None:
    _chain(system, 2)
    with pytest.raises(DatabaseError), transaction.atomic():
        raw(statement)
    assert AuditEvent.objects.count() == 2
    assert verify().ok
