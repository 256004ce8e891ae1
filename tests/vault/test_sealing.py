"""Record notes and field-event notes are sealed in the database, plaintext in code."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.db import connection

from beacon.agencies.models import Agency, Jurisdiction
from beacon.core.actor import Actor
from beacon.operations.models import Operation, Person, Victim
from beacon.records.models import MissingPersonRecord
from beacon.records.services import enter_record
from beacon.vault import sealing, services
from tests.records.conftest import juvenile


@pytest.fixture(autouse=True)
def _sealing_on() -> Iterator[None]:
    """Sealing as configured in production (BEACON_SEAL_FREE_TEXT)."""
    was = sealing.connected()
    sealing.connect()
    yield
    if not was:
        sealing.disconnect()


NOTE = "Seen with an older man near the bus station; may use the name Lupita."


def stored(table: str, pk: int, column: str = "notes") -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def test_record_notes_are_sealed_in_the_database_and_read_back_in_clear(
    investigator_a: Actor,
) -> None:
    record = enter_record(investigator_a, juvenile(notes=NOTE))
    assert record.notes == NOTE
    raw = stored("records_missingpersonrecord", record.pk)
    assert raw.startswith("bv1:") and "bus station" not in raw
    assert MissingPersonRecord.objects.get(pk=record.pk).notes == NOTE
    record.refresh_from_db()
    assert record.notes == NOTE


def test_an_update_is_sealed_too(investigator_a: Actor) -> None:
    record = enter_record(investigator_a, juvenile(notes=NOTE))
    loaded = MissingPersonRecord.objects.get(pk=record.pk)
    loaded.notes = "Found a new lead."
    loaded.save()
    assert loaded.notes == "Found a new lead."
    assert stored("records_missingpersonrecord", record.pk).startswith("bv1:")
    assert MissingPersonRecord.objects.get(pk=record.pk).notes == "Found a new lead."


def test_victim_notes_are_sealed_and_shredded_with_the_agency_key(
    agency_a: Agency, system: Actor
) -> None:
    operation = Operation.objects.create(name="Op", code="OP-SEAL", start=datetime(2021, 8, 1))
    victim = Victim.objects.create(
        operation=operation,
        agency=agency_a,
        jurisdiction=Jurisdiction.objects.filter(kind="state").first(),
        at=datetime(2021, 8, 2, tzinfo=UTC),
        person=Person.objects.create(last_name="Doe"),
        age_group="minor",
        notes=NOTE,
    )
    assert stored("operations_victim", victim.pk).startswith("bv1:")
    assert Victim.objects.get(pk=victim.pk).notes == NOTE
    services.destroy_agency_key(system, agency_a)
    shredded = Victim.objects.get(pk=victim.pk)
    assert shredded.notes == sealing.UNREADABLE
    before = stored("operations_victim", victim.pk)
    shredded.save()  # saving again must not replace the ciphertext with the marker
    assert stored("operations_victim", victim.pk) == before


def test_rows_written_around_the_models_are_sealed_afterwards(investigator_a: Actor) -> None:
    record = enter_record(investigator_a, juvenile(notes=""))
    MissingPersonRecord.objects.filter(pk=record.pk).update(notes=NOTE)
    assert stored("records_missingpersonrecord", record.pk) == NOTE
    assert MissingPersonRecord.objects.get(pk=record.pk).notes == NOTE
    assert sealing.seal_existing() == 1
    assert stored("records_missingpersonrecord", record.pk).startswith("bv1:")
    assert MissingPersonRecord.objects.get(pk=record.pk).notes == NOTE


def test_a_modify_through_the_registry_service_stays_sealed(investigator_a: Actor) -> None:
    from beacon.records.services import modify_record

    record = enter_record(investigator_a, juvenile(notes=NOTE))
    changes = {"notes": "Now believed to be in El Paso."}
    modified = modify_record(investigator_a, record.nic, changes, expected_version=record.version)
    assert modified.notes == "Now believed to be in El Paso."
    assert stored("records_missingpersonrecord", record.pk).startswith("bv1:")
    assert MissingPersonRecord.objects.get(pk=record.pk).notes == "Now believed to be in El Paso."
