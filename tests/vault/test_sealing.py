"""Record notes and field-event notes are sealed in the database, plaintext in code."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client

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


def test_field_events_written_by_the_bundle_writer_are_sealed(
    api_client_as: Callable[[str, Agency], Client],
) -> None:
    # The web event forms and the API's entries route write through the bundle writer's
    # bulk_create, which fires no signals: victims' notes and arrests' charges were stored
    # in clear until the writer sealed them itself.
    import json

    from beacon.operations.models import Arrest
    from tests.operations.factories import CODE, LEAD, load_tiny

    load_tiny()
    client = api_client_as("investigator", Agency.objects.get(ori=LEAD))
    base = {"agency": LEAD, "jurisdiction": "county:35013", "at": "2021-06-01T20:00:00Z"}
    victim = base | {"ref": "V-SEAL", "age_group": "minor", "age_min": 16, "notes": NOTE}
    victim |= {"person": "P-V", "people": ["P-V"]}
    arrest = base | {"ref": "A-SEAL", "role": "buyer", "charges": "Solicitation of a minor"}
    arrest |= {"person": "P-A", "people": ["P-A"]}
    people = [{"ref": ref, "last_name": "Sealtest", "sex": "F"} for ref in ("P-V", "P-A")]
    for kind, row in (("victims", victim), ("arrests", arrest)):
        url = f"/api/operations/{CODE}/entries/{kind}"
        body = json.dumps({"people": people, "rows": [row]})
        answer = client.post(url, body, content_type="application/json")
        assert answer.status_code == 201, answer.content
    stored_victim = Victim.objects.get(ref="V-SEAL")
    stored_arrest = Arrest.objects.get(ref="A-SEAL")
    raw_note = stored("operations_victim", stored_victim.pk)
    raw_charges = stored("operations_arrest", stored_arrest.pk, "charges")
    assert raw_note.startswith("bv1:") and "bus station" not in raw_note
    assert raw_charges.startswith("bv1:") and "Solicitation" not in raw_charges
    assert stored_victim.notes == NOTE
    assert stored_arrest.charges == "Solicitation of a minor"
    # Sent again, the same row is recognised as already there (compared in clear).
    url = f"/api/operations/{CODE}/entries/victims"
    body = json.dumps({"people": people, "rows": [victim]})
    again = client.post(url, body, content_type="application/json")
    assert again.status_code == 201, again.content
    assert again.json()["unchanged"]["victims"] == 1


def test_seal_existing_removes_notes_copied_into_older_enter_transactions(
    investigator_a: Actor,
) -> None:
    # Before the fix, the enter transaction copied the whole record, notes included.
    from io import StringIO

    from django.core.management import call_command

    from beacon.records.models import RecordTransaction

    record = enter_record(investigator_a, juvenile(notes=NOTE))
    entry = RecordTransaction.objects.get(record=record, kind="enter")
    assert entry.detail["entered"]["notes"] == "[sealed]"  # what enter writes now
    old = {**entry.detail, "entered": {**entry.detail["entered"], "notes": NOTE}}
    RecordTransaction.objects.filter(pk=entry.pk).update(detail=old)  # as older code did
    out = StringIO()
    call_command("keys", "seal-existing", stdout=out)
    assert "removed sealed text copied into 1 history entry" in out.getvalue()
    scrubbed = RecordTransaction.objects.get(pk=entry.pk).detail
    assert scrubbed["entered"]["notes"] == "[sealed]"
    assert scrubbed["entered"]["last_name"] == "Martinez"  # the rest kept
    assert "bus station" not in stored("records_recordtransaction", entry.pk, "detail")
    assert sealing.scrub_history() == 0
