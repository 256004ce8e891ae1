"""A change sent with a stale version is refused and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from beacon.audit.models import AuditEvent
from beacon.core.actor import Actor
from beacon.core.errors import StaleVersion
from beacon.records import services
from beacon.records.models import MissingPersonRecord, RecordTransaction

Change = Callable[[Actor, str, int], object]

CHANGES: dict[str, tuple[str, Change]] = {
    "modify": (
        "a",
        lambda a, nic, v: services.modify_record(a, nic, {"hair": "RED"}, expected_version=v),
    ),
    "validate": ("a", lambda a, nic, v: services.validate_record(a, nic, expected_version=v)),
    "locate": (
        "system",
        lambda a, nic, v: services.locate_record(
            a,
            nic,
            located_at=timezone.now() - timedelta(minutes=5),
            place="El Paso",
            by_whom="Ofc. Ruiz",
            disposition="with aunt",
            expected_version=v,
        ),
    ),
    "clear": (
        "a",
        lambda a, nic, v: services.clear_record(
            a, nic, how="returned_to_guardian", expected_version=v
        ),
    ),
    "cancel": (
        "a",
        lambda a, nic, v: services.cancel_record(a, nic, reason="typo", expected_version=v),
    ),
}


def snapshot(record: MissingPersonRecord) -> tuple[object, ...]:
    record.refresh_from_db()
    return (
        record.version,
        record.status,
        record.hair,
        RecordTransaction.objects.filter(record=record).count(),
        AuditEvent.objects.filter(object_id=record.nic).exclude(action="records.read").count(),
    )


@pytest.mark.parametrize("kind", sorted(CHANGES))
def test_stale_version_is_refused_and_nothing_changes(
    kind: str, record: MissingPersonRecord, supervisor_a: Actor, system: Actor
) -> None:
    services.modify_record(supervisor_a, record.nic, {"weight_lb": 120}, expected_version=1)
    before = snapshot(record)
    who, change = CHANGES[kind]
    with pytest.raises(StaleVersion, match="Nothing was changed"):
        change(supervisor_a if who == "a" else system, record.nic, 1)
    assert snapshot(record) == before


@pytest.mark.parametrize("kind", sorted(CHANGES))
def test_current_version_is_accepted(
    kind: str, record: MissingPersonRecord, supervisor_a: Actor, system: Actor
) -> None:
    who, change = CHANGES[kind]
    change(supervisor_a if who == "a" else system, record.nic, 1)
    record.refresh_from_db()
    assert record.version == 2
    assert record.status == services.derived_status(record)


def test_two_clients_with_the_same_version_only_one_wins(
    record: MissingPersonRecord, investigator_a: Actor
) -> None:
    services.modify_record(investigator_a, record.nic, {"hair": "RED"}, expected_version=1)
    with pytest.raises(StaleVersion):
        services.modify_record(investigator_a, record.nic, {"hair": "BRO"}, expected_version=1)
    record.refresh_from_db()
    assert (record.hair, record.version) == ("RED", 2)
