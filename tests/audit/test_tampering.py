"""Every kind of tampering with the stored audit trail is found by `beacon audit verify`.

The attacker has the database (any SQL: insert, update, delete, drop or alter triggers,
recompute hashes) but not the audit key, which lives outside it; guessing it is played
with a key of their own. Each attack is checked now, on later runs, after the chainer has
run, and ``verify`` itself never changes what it checks. SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from beacon.audit import services
from beacon.audit.chain import EVENT_FIELDS, canonical, payload_of
from beacon.audit.chainer import chain_pending
from beacon.audit.models import AuditEvent, ChainHead
from beacon.audit.verify import read_anchor, verify, write_anchor
from beacon.core.actor import Actor
from tests.audit.conftest import raw, tampering

pytestmark = pytest.mark.django_db

T = "audit_auditevent"
GUESSED_KEY = b"the attacker's guess at the key!"


def _chain(system: Actor, n: int = 6) -> list[AuditEvent]:
    """n events, chained (as the chainer does after their commit), read back as stored."""
    written = [
        services.record(system, f"test.event{i}", object_type="thing", object_id=i, detail={"i": i})
        for i in range(1, n + 1)
    ]
    assert chain_pending() == n
    return [AuditEvent.objects.get(pk=event.pk) for event in written]


def _guess(message: str) -> str:
    return hmac.new(GUESSED_KEY, message.encode(), hashlib.sha256).hexdigest()


def _forged_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "at": timezone.now(),
        "actor": "investigator.hsi",
        "user_id": 7,
        "agency_ori": "NM0070100",
        "role": "investigator",
        "action": "records.read",
        "object_type": "record",
        "object_id": "M123456789",
        "outcome": "success",
        "source_address": "10.0.0.7",
        "via": "web",
        "detail": {"fields": ["name", "dob"]},
    } | overrides
    fields["mac"] = _guess(canonical(payload_of(**fields)).decode())
    return fields


def _relink_from(seq: int) -> None:
    """What a careful attacker does after an edit: re-link every later event and the head
    (with the guessed key: the real one is not in the database)."""
    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else "0" * 64
    for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        digest = _guess(f"{prev}|{event.seq}|{event.mac}")
        raw(f"UPDATE {T} SET prev_hash = %s, hash = %s WHERE id = %s", [prev, digest, event.pk])
        prev = digest
    raw(f"UPDATE audit_chainhead SET seq = (SELECT MAX(seq) FROM {T}), hash = %s", [prev])


def _state() -> list[tuple[Any, ...]]:
    """Everything verify could change: every row of the trail and the head."""
    events = list(AuditEvent.objects.order_by("id").values_list("id", "seq", "prev_hash", "hash"))
    return [*events, *ChainHead.objects.values_list("seq", "hash")]


def _fails_for_good(expected: str, system: Actor) -> None:
    """verify reports ``expected`` now, changes nothing, and reports it again after the
    chainer has run and more real events were written and chained."""
    before = _state()
    first = verify()
    assert any(expected in p for p in first.problems), first.problems
    assert _state() == before  # verify changed nothing
    assert any(expected in p for p in verify().problems)
    chain_pending()
    services.record(system, "test.later")
    chain_pending()
    again = verify()
    assert any(expected in p for p in again.problems), again.problems
    assert AuditEvent.objects.get(action="test.later").seq is not None  # chaining goes on


def test_an_intact_chain_verifies_and_verify_changes_nothing(system: Actor) -> None:
    _chain(system)
    pending = services.record(system, "test.pending")
    before = _state()
    report = verify()
    assert report.ok, report.problems
    assert (report.checked, report.unchained) == (6, 1)
    assert _state() == before
    assert AuditEvent.objects.get(pk=pending.pk).seq is None  # verify did not chain it


def test_a_row_inserted_unchained_is_forged_now_and_for_good(system: Actor) -> None:
    _chain(system)
    forged = AuditEvent.objects.create(**_forged_fields())
    _fails_for_good(f"event id {forged.pk}: no valid proof", system)
    assert AuditEvent.objects.get(pk=forged.pk).seq is None  # the chainer refused it


def test_a_row_inserted_without_any_proof_is_forged(system: Actor) -> None:
    _chain(system, 2)
    fields = _forged_fields() | {"mac": ""}
    forged = AuditEvent.objects.create(**fields)
    _fails_for_good(f"event id {forged.pk}: no valid proof", system)


def test_a_backdated_row_inserted_unchained_is_forged_now_and_for_good(system: Actor) -> None:
    _chain(system)
    forged = AuditEvent.objects.create(**_forged_fields(at=timezone.now() - timedelta(days=3)))
    _fails_for_good(f"event id {forged.pk}: no valid proof", system)


def test_a_copy_of_a_real_event_is_refused_and_found(system: Actor) -> None:
    events = _chain(system, 3)
    copy = {f: getattr(events[1], f) for f in (*EVENT_FIELDS, "mac")}
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.create(**copy)  # the proof is unique
    if connection.vendor != "postgresql":
        return  # SQLite cannot drop a column's UNIQUE constraint short of rebuilding the table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND pg_get_constraintdef(oid) = 'UNIQUE (mac)'",
            [T],
        )
        (constraint,) = cursor.fetchone()
    raw(f"ALTER TABLE {T} DROP CONSTRAINT {constraint}")
    AuditEvent.objects.create(**copy)
    _fails_for_good("one event is stored 2 times", system)


def test_a_row_inserted_at_the_end_of_the_chain_is_found(system: Actor) -> None:
    events = _chain(system)
    head = events[-1]
    with tampering():
        fields = _forged_fields()
        digest = _guess(f"{head.hash}|7|{fields['mac']}")
        AuditEvent.objects.create(seq=7, prev_hash=head.hash, hash=digest, **fields)
        raw("UPDATE audit_chainhead SET seq = 7, hash = %s", [digest])
    _fails_for_good("event #7: no valid proof", system)
    assert any("event #7: does not link" in p for p in verify().problems)


def test_a_row_inserted_in_the_middle_and_relinked_is_found(system: Actor) -> None:
    events = _chain(system)
    with tampering():
        raw(f"UPDATE {T} SET seq = seq + 100 WHERE seq >= 4")
        raw(f"UPDATE {T} SET seq = seq - 99 WHERE seq >= 104")
        fields = _forged_fields(at=events[2].at + timedelta(microseconds=1))
        AuditEvent.objects.create(seq=4, prev_hash="x", hash=f"forged{events[2].pk}", **fields)
        _relink_from(4)
    _fails_for_good("event #4: no valid proof", system)
    assert any("event #4: does not link" in p for p in verify().problems)


def test_a_backdated_row_chained_by_someone_holding_the_key_is_found_by_the_anchor(
    system: Actor, tmp_path: Path
) -> None:
    """An insider with the key proves a backdated event and lets the chainer place it: the
    database alone cannot tell, the anchor taken before does."""
    _chain(system)
    write_anchor(tmp_path / "anchor.json")
    with transaction.atomic():
        event = services.record(system, "records.read", object_id="M-FRAMED")
        backdated = timezone.now() - timedelta(days=3)
        with tampering():
            raw(f"UPDATE {T} SET at = %s WHERE id = %s", [backdated, event.pk])
        stored = AuditEvent.objects.get(pk=event.pk)
        payload = payload_of(**{f: getattr(stored, f) for f in EVENT_FIELDS})
        from beacon.audit.chain import event_mac  # the insider's one extra power: the key

        with tampering():
            raw(f"UPDATE {T} SET mac = %s WHERE id = %s", [event_mac(payload), event.pk])
    chain_pending()
    assert verify().ok  # proven with the real key: only the anchor can tell
    problems = verify(read_anchor(tmp_path / "anchor.json")).problems
    assert problems == [
        "event #7 is chained after anchored event #6 but dated more than 600 s before the "
        "anchor was taken (backdated)"
    ]


def test_an_edited_event_is_found(system: Actor) -> None:
    _chain(system)
    with tampering():
        raw(f"UPDATE {T} SET detail = %s WHERE seq = 3", ['{"i": 99}'])
    _fails_for_good("event #3: no valid proof that Beacon wrote it", system)


def test_an_edited_event_relinked_without_the_key_is_found(system: Actor) -> None:
    """The attack that used to pass: edit, then recompute every later hash and the head."""
    _chain(system)
    with tampering():
        raw(f"UPDATE {T} SET actor = 'someone-else' WHERE seq = 2")
        _relink_from(2)
    problems = verify().problems
    assert "event #2: no valid proof that Beacon wrote it (forged, or edited after it was " in (
        " ".join(problems)
    )
    assert any("event #2: does not link" in p for p in problems)


def test_an_edited_unchained_event_is_found(system: Actor) -> None:
    event = services.record(system, "test.pending")
    with tampering():
        raw(f"UPDATE {T} SET object_id = 'M-OTHER' WHERE id = %s", [event.pk])
    _fails_for_good(f"event id {event.pk}: no valid proof", system)


def test_a_deleted_event_is_found(system: Actor) -> None:
    _chain(system)
    with tampering():
        raw(f"DELETE FROM {T} WHERE seq = 4")
    problems = verify().problems
    assert any("missing (deleted)" in p for p in problems)
    assert any("event #5: does not link" in p for p in problems)


def test_a_deleted_event_with_the_rest_renumbered_and_relinked_is_found(system: Actor) -> None:
    _chain(system)
    with tampering():
        raw(f"DELETE FROM {T} WHERE seq = 4")
        raw(f"UPDATE {T} SET seq = seq - 1 WHERE seq > 4")
        _relink_from(4)
    problems = verify().problems
    assert problems and all("does not link" in p for p in problems), problems


def test_reordered_events_are_found(system: Actor) -> None:
    _chain(system)
    with tampering():
        raw(f"UPDATE {T} SET seq = 1000 WHERE seq = 2")
        raw(f"UPDATE {T} SET seq = 2 WHERE seq = 3")
        raw(f"UPDATE {T} SET seq = 3 WHERE seq = 1000")
    problems = verify().problems
    assert any("event #2: does not link" in p for p in problems)
    assert any("event #3: does not link" in p for p in problems)


def test_reordered_events_relinked_without_the_key_are_found(system: Actor) -> None:
    _chain(system)
    with tampering():
        raw(f"UPDATE {T} SET seq = 1000 WHERE seq = 2")
        raw(f"UPDATE {T} SET seq = 2 WHERE seq = 3")
        raw(f"UPDATE {T} SET seq = 3 WHERE seq = 1000")
        _relink_from(2)
    assert any("event #2: does not link" in p for p in verify().problems)


def test_a_cut_tail_is_found_by_the_chain_head(system: Actor) -> None:
    _chain(system)
    with tampering():
        raw(f"DELETE FROM {T} WHERE seq >= 5")
    assert verify().problems == [
        "chain head names event #6 but the last event is #4 (the tail was cut or the head edited)"
    ]


def test_a_cut_tail_with_the_head_moved_back_is_found_by_the_anchor(
    system: Actor, tmp_path: Path
) -> None:
    events = _chain(system)
    anchor = write_anchor(tmp_path / "anchor.json")
    with tampering():
        raw(f"DELETE FROM {T} WHERE seq >= 5")
        raw("UPDATE audit_chainhead SET seq = 4, hash = %s", [events[3].hash])
    assert verify().ok  # a real prefix of the chain: the database alone cannot tell
    problems = verify(read_anchor(tmp_path / "anchor.json")).problems
    assert problems == [f"anchored event #{anchor.seq} is missing (the tail was cut off)"]


def test_a_rewritten_chain_is_found_by_the_anchor(system: Actor, tmp_path: Path) -> None:
    _chain(system)
    write_anchor(tmp_path / "anchor.json")
    with tampering():
        raw(f"UPDATE {T} SET detail = %s WHERE seq = 2", ['{"i": 42}'])
        _relink_from(2)
    assert "anchored event #6 has a different hash (the chain was rewritten)" in (
        verify(read_anchor(tmp_path / "anchor.json")).problems
    )


def _drop(name: str) -> None:
    if connection.vendor == "postgresql":
        raw(f"DROP TRIGGER {name} ON {T}")
    else:
        raw(f"DROP TRIGGER {name}")


@pytest.mark.parametrize(
    "name", ["audit_event_append_only", "audit_event_no_truncate", "audit_event_insert_unchained"]
)
def test_a_dropped_trigger_is_reported(system: Actor, name: str) -> None:
    _chain(system, 2)
    sqlite_only = name == "audit_event_insert_unchained"
    if (connection.vendor == "postgresql") == sqlite_only:
        name = {
            "audit_event_append_only": "audit_event_no_update",
            "audit_event_no_truncate": "audit_event_no_delete",
            "audit_event_insert_unchained": "audit_event_append_only",
        }[name]
    _drop(name)
    assert verify().problems == [f"append-only trigger {name} is missing (dropped)"]


def test_a_weakened_trigger_is_reported(system: Actor) -> None:
    _chain(system, 2)
    if connection.vendor == "postgresql":
        raw(f"ALTER TABLE {T} DISABLE TRIGGER audit_event_append_only")
        assert verify().problems == ["append-only trigger audit_event_append_only is disabled"]
        raw(f"ALTER TABLE {T} ENABLE TRIGGER audit_event_append_only")
        raw(
            "CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$"
        )
        assert verify().problems == [
            "append-only trigger audit_event_append_only was altered",
            "append-only trigger audit_event_no_truncate was altered",
        ]
        return
    raw("DROP TRIGGER audit_event_no_delete")
    raw(f"CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON {T} WHEN 0 BEGIN SELECT 1; END")
    assert verify().problems == ["append-only trigger audit_event_no_delete was altered"]


def _swallowing_trigger() -> str:
    """A trigger of the attacker's that silently drops every new event (no error, no row)."""
    if connection.vendor == "postgresql":
        raw(
            "CREATE FUNCTION swallow() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN RETURN NULL; END $$"
        )
        raw(f"CREATE TRIGGER swallow BEFORE INSERT ON {T} FOR EACH ROW EXECUTE FUNCTION swallow()")
    else:
        raw(f"CREATE TRIGGER swallow BEFORE INSERT ON {T} BEGIN SELECT RAISE(IGNORE); END")
    return "unknown trigger swallow on the audit table (it can drop or alter events)"


def test_an_added_trigger_that_drops_new_events_is_reported(system: Actor) -> None:
    """Beacon's triggers were all present and unaltered, so verify said OK: no proof can
    show an event that was never stored. Now verify names the foreign trigger, and an
    action whose event is swallowed fails (its transaction rolls back) instead of going
    on unrecorded."""
    _chain(system, 2)
    expected = _swallowing_trigger()
    with pytest.raises(DatabaseError), transaction.atomic():
        services.record(system, "test.swallowed")
    assert not AuditEvent.objects.filter(action="test.swallowed").exists()
    before = _state()
    assert verify().problems == [expected]
    assert _state() == before


def test_a_rule_or_row_security_that_hides_events_is_reported_on_postgresql(
    system: Actor,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("rules and row-level security are PostgreSQL's")
    _chain(system, 2)
    raw(f"CREATE RULE swallow AS ON INSERT TO {T} DO INSTEAD NOTHING")
    with pytest.raises(DatabaseError), transaction.atomic():
        services.record(system, "test.swallowed")
    assert not AuditEvent.objects.filter(action="test.swallowed").exists()
    assert verify().problems == [
        "unknown rule swallow on the audit table (it can drop or alter events)"
    ]
    raw(f"DROP RULE swallow ON {T}")
    raw(f"ALTER TABLE {T} ENABLE ROW LEVEL SECURITY")
    assert verify().problems == [
        "row-level security is on for the audit table (it can hide events)"
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
    "statement",
    [
        f"UPDATE {T} SET action = 'x'",
        f"DELETE FROM {T}",
        f"INSERT INTO {T} (seq, prev_hash, hash, mac, at, actor, agency_ori, role, action, "
        "object_type, object_id, outcome, source_address, via, detail) VALUES (3, 'p', 'h', "
        "'m', '2026-01-01 00:00:00', 'a', 'X', 'r', 'x', '', '', 'success', '', '', '{}')",
    ],
    ids=["update", "delete", "insert-chained"],
)
def test_the_database_refuses_to_change_delete_or_place_events(
    system: Actor, statement: str
) -> None:
    _chain(system, 2)
    with pytest.raises(DatabaseError), transaction.atomic():
        raw(statement)
    assert AuditEvent.objects.count() == 2
    assert verify().ok
