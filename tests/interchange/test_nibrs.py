"""NIBRS incidents: an incident is cleared (by arrest or exceptionally, A-E; N not
applicable), its offences with it; offences cleared next to people arrested; round trip;
TLP."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from beacon.agencies.models import Agency, Jurisdiction
from beacon.audit.models import AuditEvent
from beacon.core.actor import Actor
from beacon.core.errors import Forbidden, IllegalTransition, ValidationFailed
from beacon.interchange import nibrs
from beacon.interchange.errors import ImportRejected
from beacon.operations.models import (
    Arrest,
    Incident,
    Investigation,
    Offense,
    Operation,
    Participation,
    Person,
    Target,
)
from beacon.records.models import MissingPersonRecord

from .conftest import SAMPLES, in_rolled_back_transaction

SAMPLE = SAMPLES / "nibrs-offenses.json"
VERSION_1 = SAMPLES / "nibrs-offenses-v1.json"
AT = datetime.fromisoformat("2021-08-20T22:00:00+00:00")


@pytest.fixture
def arrests(operation: Operation, agency_a: Agency, new_mexico: Jurisdiction) -> list[Arrest]:
    trafficker = Person.objects.create(last_name="Reyes", first_name="Victor")
    buyer = Person.objects.create(last_name="Hall", first_name="Dennis")
    Investigation.objects.create(
        operation=operation,
        agency=agency_a,
        jurisdiction=new_mexico,
        at=AT,
        type="human_trafficking",
        ref="inv-0001",
    )
    out = []
    for ref, person, role, code in (
        ("arr-0001", trafficker, "trafficker", "64A"),
        ("arr-0002", trafficker, "pimp_panderer", "40B"),  # the same man, a second charge
        ("arr-0003", buyer, "buyer", "40C"),
    ):
        out.append(
            Arrest.objects.create(
                operation=operation,
                agency=agency_a,
                jurisdiction=new_mexico,
                at=AT,
                person=person,
                role=role,
                nibrs=code,
                ref=ref,
            )
        )
    return out


def test_offences_cleared_and_people_arrested_are_different_counts(
    arrests: list[Arrest], system: Actor, pio: Actor, operation: Operation
) -> None:
    result = nibrs.import_nibrs(system, operation.code, SAMPLE.read_bytes())
    assert result.counts == {"incidents_recorded": 4, "offenses_recorded": 5}
    summary = nibrs.offense_summary(pio, operation.code)
    # inc-0001's two arrests clear both of its offences (64A and 40B): the incident is
    # cleared, not each offence.
    assert (summary.offenses, summary.offenses_cleared) == (5, 4)
    assert (summary.cleared_by_arrest, summary.cleared_exceptionally) == (3, {"B": 1})
    assert (summary.arrests, summary.people_arrested) == (3, 2)
    rows = {r.code: (r.offenses, r.cleared, r.arrests) for r in summary.by_code}
    assert rows == {"40B": (1, 1, 1), "40C": (1, 1, 1), "64A": (2, 1, 1), "64B": (1, 1, 0)}
    assert "Reyes" not in json.dumps(summary.as_dict())


def test_the_operation_report_gives_offences_cleared_next_to_people_arrested(
    arrests: list[Arrest], system: Actor, pio: Actor, operation: Operation
) -> None:
    from beacon.operations.reports.compute import build_report

    nibrs.import_nibrs(system, operation.code, SAMPLE.read_bytes())
    section = build_report(pio, operation.code).nibrs.as_dict()
    assert section == nibrs.offense_summary(pio, operation.code).as_dict()
    assert section["offenses_cleared"] == 4
    assert section["people_arrested"] == 2


def test_a_hub_counts_the_offences_of_its_sub_operations(
    arrests: list[Arrest], system: Actor, hub_a: Actor, operation: Operation, agency_a: Agency
) -> None:
    state = Operation.objects.create(
        name="Kentucky", code="RESCUE-ME-KY", start=date(2021, 5, 1), parent=operation
    )
    Participation.objects.create(operation=state, agency=agency_a, role="lead")
    nibrs.record_offense(system, state.code, code="64A")
    nibrs.import_nibrs(system, operation.code, SAMPLE.read_bytes())
    assert nibrs.offense_summary(hub_a, operation.code).offenses == 6
    assert nibrs.offense_summary(hub_a, state.code).offenses == 1


def test_export_then_import_gives_the_same_incidents(
    arrests: list[Arrest], system: Actor, hub_a: Actor, operation: Operation
) -> None:
    def export() -> dict[str, object]:
        nibrs.import_nibrs(system, operation.code, SAMPLE.read_bytes())
        return nibrs.export_nibrs(hub_a, operation.code)

    document = in_rolled_back_transaction(export)
    assert not Offense.objects.exists() and not Incident.objects.exists()
    assert document == json.loads(SAMPLE.read_text())
    result = nibrs.import_nibrs(hub_a, operation.code, json.dumps(document).encode())
    assert result.counts == {"incidents_recorded": 4, "offenses_recorded": 5}
    assert nibrs.export_nibrs(hub_a, operation.code) == document
    again = nibrs.import_nibrs(hub_a, operation.code, json.dumps(document).encode())
    assert again.counts == {"incidents_unchanged": 4}


def test_a_version_1_document_is_read_one_incident_per_offence(
    arrests: list[Arrest], system: Actor, pio: Actor, operation: Operation
) -> None:
    result = nibrs.import_nibrs(system, operation.code, VERSION_1.read_bytes())
    assert result.counts == {"incidents_recorded": 4, "offenses_recorded": 4}
    incident = Incident.objects.get(ref="inc-off-0003")
    assert (incident.exceptional, incident.cleared_on) == ("B", date(2021, 8, 25))
    summary = nibrs.offense_summary(pio, operation.code)
    assert (summary.offenses, summary.offenses_cleared, summary.cleared_by_arrest) == (4, 3, 2)


def test_every_bad_incident_is_reported_and_nothing_is_written(
    arrests: list[Arrest], system: Actor, operation: Operation
) -> None:
    document = json.loads(SAMPLE.read_text())
    incidents = document["incidents"]
    incidents[0]["exceptionalClearance"] = "A"  # exceptional, yet it lists arrests
    incidents[0]["exceptionalClearanceDate"] = "2021-08-20"
    incidents[1]["offenses"][0]["code"] = "99Z"
    incidents[2]["exceptionalClearanceDate"] = None  # B without its date
    incidents[3]["exceptionalClearance"] = "C"
    incidents[3]["exceptionalClearanceDate"] = (
        timezone.localdate() + timedelta(days=2)
    ).isoformat()
    with pytest.raises(ImportRejected) as caught:
        nibrs.import_nibrs(system, operation.code, json.dumps(document).encode())
    assert {e.field for e in caught.value.errors} == {
        "incidents[0].arrests",
        "incidents[1].offenses[0].code",
        "incidents[2].exceptionalClearanceDate",
        "incidents[3].exceptionalClearanceDate",
    }
    assert not Offense.objects.exists() and not Incident.objects.exists()


def test_a_version_1_bad_offence_is_reported_by_its_own_path(
    arrests: list[Arrest], system: Actor, operation: Operation
) -> None:
    document = json.loads(VERSION_1.read_text())
    document["offenses"][0]["arrests"] = []  # by arrest without an arrest
    document["offenses"][1]["code"] = "99Z"
    with pytest.raises(ImportRejected) as caught:
        nibrs.import_nibrs(system, operation.code, json.dumps(document).encode())
    assert {e.field for e in caught.value.errors} == {"offenses[0].arrests", "offenses[1].code"}


def test_an_open_incident_is_cleared_once_with_every_offence(
    arrests: list[Arrest], investigator_a: Actor, operation: Operation
) -> None:
    incident = nibrs.record_incident(
        investigator_a, operation.code, offenses=["64B", "40A"], investigation="inv-0001"
    )
    assert incident.exceptional == "N" and nibrs.clearance_of(incident) == "none"
    nibrs.record_offense(investigator_a, operation.code, code="40B", incident=incident.ref)
    with pytest.raises(ValidationFailed) as caught:
        nibrs.clear_incident(investigator_a, operation.code, incident.ref)
    assert "arrests" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        nibrs.clear_incident(investigator_a, operation.code, incident.ref, exceptional="D")
    assert "exceptionalClearanceDate" in caught.value.fields
    nibrs.clear_incident(investigator_a, operation.code, incident.ref, arrests=["arr-0001"])
    summary = nibrs.offense_summary(investigator_a, operation.code)
    assert (summary.offenses, summary.offenses_cleared, summary.cleared_by_arrest) == (3, 3, 3)
    with pytest.raises(IllegalTransition):
        nibrs.clear_incident(
            investigator_a,
            operation.code,
            incident.ref,
            exceptional="D",
            cleared_on=date(2021, 8, 23),
        )
    event = AuditEvent.objects.filter(action="nibrs.incident_cleared").get()
    assert event.detail["arrests"] == ["arr-0001"]
    assert event.detail["offenses"] == ["40A", "40B", "64B"]


def test_the_pio_reads_counts_but_records_nothing(
    arrests: list[Arrest], pio: Actor, operation: Operation
) -> None:
    with pytest.raises(Forbidden):
        nibrs.record_offense(pio, operation.code, code="64A")
    with pytest.raises(Forbidden):
        nibrs.export_nibrs(pio, operation.code)
    assert nibrs.offense_summary(pio, operation.code).arrests == 3


@pytest.mark.parametrize(
    ("tlp", "sent"),
    [("CLEAR", True), ("GREEN", True), ("AMBER", False), ("RED", False)],
)
def test_an_incident_whose_arrestee_is_a_withheld_record_s_subject_is_withheld(
    arrests: list[Arrest],
    system: Actor,
    enter: object,
    hub_a: Actor,
    hub_b: Actor,
    agency_b: Agency,
    operation: Operation,
    tlp: str,
    sent: bool,
) -> None:
    """The NIBRS document leaves the organisation: TLP 2.0 decides, as for PFIF. The
    buyer of inc-0002 is the subject of another agency's record (a partner's AMBER may
    not be passed on): that incident is withheld, counted and audited."""
    nibrs.import_nibrs(system, operation.code, SAMPLE.read_bytes())
    record = enter(tlp=tlp)  # type: ignore[operator]
    assert isinstance(record, MissingPersonRecord)
    Target.objects.create(
        operation=operation, record=record, person=arrests[2].person, assigned_agency=agency_b
    )
    document = nibrs.export_nibrs(hub_b, operation.code)
    refs = [i["ref"] for i in document["incidents"]]
    assert ("inc-0002" in refs) is sent
    assert document["withheld"] == {"tlp": 0 if sent else 1}
    event = AuditEvent.objects.filter(action="interchange.export", actor="boris").get()
    assert event.detail["withheld_tlp"] == ([] if sent else ["inc-0002"])
    # The originating agency may send its own AMBER record's incidents.
    mine = nibrs.export_nibrs(hub_a, operation.code)
    assert ("inc-0002" in [i["ref"] for i in mine["incidents"]]) is (tlp != "RED")


def test_an_arrestee_whose_record_is_on_another_operation_is_withheld_too(
    arrests: list[Arrest],
    system: Actor,
    enter: object,
    agency_b: Agency,
    hub_b: Actor,
    operation: Operation,
    other_operation: Operation,
) -> None:
    """The same rule as bundles and HTCDS: the record that may not leave (agency A's
    AMBER, exported by agency B) is targeted by another operation."""
    nibrs.import_nibrs(system, operation.code, SAMPLE.read_bytes())
    record = enter(tlp="AMBER")  # type: ignore[operator]
    assert isinstance(record, MissingPersonRecord)
    Target.objects.create(
        operation=other_operation,
        record=record,
        person=arrests[2].person,
        assigned_agency=agency_b,
    )
    document = nibrs.export_nibrs(hub_b, operation.code)
    assert "inc-0002" not in [i["ref"] for i in document["incidents"]]
    assert document["withheld"] == {"tlp": 1}
