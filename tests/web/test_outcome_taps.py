"""Outcome taps: busy state, one outcome per tap however often it is sent, and an undo
window that withdraws the outcome (kept, audited) and reopens the registry record."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.test import Client

from beacon.audit.models import AuditEvent
from beacon.operations import outcomes
from beacon.operations.models import Outcome, Target
from beacon.records.models import MissingPersonRecord, RecordTransaction

ClientAs = Callable[[str], Client]
OPERATION = "RESCUE-ME-2021"
LCPD = "Las Cruces Police Department"
URL = f"/operations/{OPERATION}/targets/"
HX = {"HX-Request": "true"}


def _target(*, own: bool) -> Target:
    query = Target.objects.filter(
        operation__code=OPERATION, outcome__isnull=True, record__status="active"
    ).select_related("record")
    lcpd = query.filter(record__originating_agency__name=LCPD)
    found = (lcpd if own else query.exclude(record__originating_agency__name=LCPD)).first()
    assert found is not None
    return found


def _row(html: str, ref: str) -> str:
    found = re.search(rf'<tr id="target-{ref}">.*?</tr>', html, re.S)
    assert found, f"target {ref} is not listed"
    return found.group(0)


def _tap(client: Client, target: Target, how: str, key: str) -> str:
    answer = client.post(
        f"{URL}{target.ref}/outcome/", {"how": how, "_idempotency_key": key}, headers=HX
    )
    assert answer.status_code == 200
    return answer.content.decode()


def test_the_outcome_form_shows_a_busy_state_and_carries_a_key_per_tap(
    client_as: ClientAs,
) -> None:
    target = _target(own=False)
    row = _row(client_as("investigator.hsi").get(URL).content.decode(), target.ref)
    assert 'data-busy="Saving…"' in row
    assert 'hx-disabled-elt="find button"' in row
    keys = re.findall(r'name="_idempotency_key" value="([0-9a-f-]{36})"', row)
    assert len(keys) == 1


def test_a_second_tap_records_nothing_twice(client_as: ClientAs) -> None:
    target = _target(own=False)
    client = client_as("investigator.hsi")
    key = str(uuid.uuid4())
    first = _tap(client, target, "welfare_check", key)
    second = client.post(
        f"{URL}{target.ref}/outcome/", {"how": "welfare_check", "_idempotency_key": key}, headers=HX
    )
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert second.content.decode() == first
    assert Outcome.objects.filter(target=target).count() == 1
    assert RecordTransaction.objects.filter(record=target.record, kind="locate").count() == 1
    assert AuditEvent.objects.filter(action="operations.outcome", object_id=target.ref).count() == 1
    # Another tap with a new key is refused in words (the target already has its outcome).
    third = _tap(client, target, "welfare_check", str(uuid.uuid4()))
    assert "already has an outcome" in third
    assert Outcome.objects.filter(target=target).count() == 1


def test_undo_right_after_a_locate_withdraws_it_and_keeps_everything(
    client_as: ClientAs,
) -> None:
    target = _target(own=False)
    client = client_as("investigator.hsi")
    row = _row(_tap(client, target, "welfare_check", str(uuid.uuid4())), target.ref)
    assert f'action="{URL}{target.ref}/outcome/undo/"' in row
    assert re.search(r'data-undo-seconds="(10|9|8)"', row)
    assert f'href="{URL}{target.ref}/timeline/"' in row  # the "Saved" message's link
    recorded = Outcome.objects.get(target=target)

    after = client.post(
        f"{URL}{target.ref}/outcome/undo/", {"_idempotency_key": str(uuid.uuid4())}, headers=HX
    ).content.decode()

    assert "Outstanding" in _row(after, target.ref)
    assert not Outcome.objects.filter(target=target).exists()
    kept = Outcome.objects.get(pk=recorded.pk)
    assert kept.withdrawn_from_id == target.pk and kept.withdrawn_at is not None
    assert kept.withdrawn_by == "investigator.hsi"
    record = MissingPersonRecord.objects.get(pk=target.record_id)
    assert record.status == "active"
    kinds = list(
        RecordTransaction.objects.filter(record=record)
        .order_by("version")
        .values_list("kind", flat=True)
    )
    assert kinds[-2:] == ["locate", "reopen"]
    event = AuditEvent.objects.get(action="operations.outcome_withdrawn", object_id=target.ref)
    assert event.detail["undo"] is True and event.detail["kind"] == "located"
    # The target can be recorded again, correctly this time.
    _tap(client, target, "returned_voluntarily", str(uuid.uuid4()))
    assert Outcome.objects.get(target=target).how == "returned_voluntarily"


def test_undo_of_a_recovery_reopens_the_record_with_its_validation_deadline(
    client_as: ClientAs,
) -> None:
    target = _target(own=True)
    client = client_as("investigator.lcpd")
    _tap(client, target, "returned_to_guardian", str(uuid.uuid4()))
    assert MissingPersonRecord.objects.get(pk=target.record_id).status == "cleared"
    client.post(f"{URL}{target.ref}/outcome/undo/", headers=HX)
    record = MissingPersonRecord.objects.get(pk=target.record_id)
    assert record.status == "active"
    assert record.validation_due_at is not None
    assert not Outcome.objects.filter(target=target).exists()


def test_undo_is_refused_once_the_window_has_closed(client_as: ClientAs) -> None:
    target = _target(own=False)
    client = client_as("investigator.hsi")
    _tap(client, target, "welfare_check", str(uuid.uuid4()))
    outcome = Outcome.objects.get(target=target)
    late = outcomes.UNDO_SECONDS + outcomes.UNDO_GRACE_SECONDS + 1
    RecordTransaction.objects.filter(pk=outcome.registry_transaction_id).update(
        at=outcome.registry_transaction.at - timedelta(seconds=late)
    )
    row = _row(client.get(URL).content.decode(), target.ref)
    assert "/outcome/undo/" not in row  # the button is gone
    answer = client.post(f"{URL}{target.ref}/outcome/undo/", headers=HX).content.decode()
    assert "correct the entry from the timeline" in answer
    assert Outcome.objects.filter(target=target).exists()


def test_another_agency_cannot_undo_an_outcome(client_as: ClientAs) -> None:
    target = _target(own=False)
    _tap(client_as("investigator.hsi"), target, "welfare_check", str(uuid.uuid4()))
    lcpd = client_as("investigator.lcpd")
    assert "/outcome/undo/" not in _row(lcpd.get(URL).content.decode(), target.ref)
    answer = lcpd.post(f"{URL}{target.ref}/outcome/undo/", headers=HX).content.decode()
    assert "which recorded this outcome, may withdraw it" in answer
    assert Outcome.objects.filter(target=target).exists()
    assert not AuditEvent.objects.filter(
        action="operations.outcome_withdrawn", object_id=target.ref
    ).exists()


def test_without_htmx_the_saved_message_links_to_the_childs_timeline(
    client_as: ClientAs,
) -> None:
    target = _target(own=False)
    client = client_as("investigator.hsi")
    answer = client.post(
        f"{URL}{target.ref}/outcome/",
        {"how": "welfare_check", "_idempotency_key": str(uuid.uuid4())},
        follow=True,
    )
    html = answer.content.decode()
    assert f'Outcome recorded. <a href="{URL}{target.ref}/timeline/">See the timeline</a>' in html
