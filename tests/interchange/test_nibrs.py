"""NIBRS offences and clearance: offences cleared next to people arrested; round trip."""

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
from beacon.interchange.models import Offense
from beacon.operations.models import Arrest, Investigation, Operation, Participation, Person

from .conftest import SAMPLES, in_rolled_back_transaction

SAMPLE = SAMPLES / "nibrs-offenses.json"
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


@pytest.fixture
def pio_a(agency_a: Agency) -> Actor:
    return Actor(name="paula", agency=agency_a, role="pio", via="api")


def test_offences_cleared_and_people_arrested_are_different_counts(
    arrests: list[Arrest], system: Actor, pio_a: Actor, operation: Operation
) -> None:
    nibrs.import_nibrs(system, operation.code, SAMPLE.read_bytes())
    summary = nibrs.offense_summary(pio_a, operation.code)
    assert (summary.offenses, summary.offenses_cleared) == (4, 3)
    assert (summary.cleared_by_arrest, summary.cleared_exceptionally) == (2, {"B": 1})
    assert (summary.arrests, summary.people_arrested) == (3, 2)
    rows = {r.code: (r.offenses, r.cleared, r.arrests) for r in summary.by_code}
    assert rows == {"40B": (1, 1, 1), "40C": (1, 1, 1), "64A": (1, 1, 1), "64B": (1, 0, 0)}
    assert "Reyes" not in json.dumps(summary.as_dict())


def test_the_operation_report_gives_offences_cleared_next_to_people_arrested(
    arrests: list[Arrest], system: Actor, pio_a: Actor, operation: Operation
) -> None:
    from beacon.operations.reports.compute import build_report

    nibrs.import_nibrs(system, operation.code, SAMPLE.read_bytes())
    section = build_report(pio_a, operation.code).nibrs.as_dict()
    assert section == nibrs.offense_summary(pio_a, operation.code).as_dict()
    assert section["offenses_cleared"] == 3
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
    assert nibrs.offense_summary(hub_a, operation.code).offenses == 5
    assert nibrs.offense_summary(hub_a, state.code).offenses == 1


def test_export_then_import_gives_the_same_offences(
    arrests: list[Arrest], system: Actor, hub_a: Actor, operation: Operation
) -> None:
    def export() -> dict[str, object]:
        nibrs.import_nibrs(system, operation.code, SAMPLE.read_bytes())
        return nibrs.export_nibrs(hub_a, operation.code)

    document = in_rolled_back_transaction(export)
    assert not Offense.objects.exists()
    assert document == json.loads(SAMPLE.read_text())
    result = nibrs.import_nibrs(hub_a, operation.code, json.dumps(document).encode())
    assert result.counts == {"offenses_recorded": 4}
    assert nibrs.export_nibrs(hub_a, operation.code) == document
    again = nibrs.import_nibrs(hub_a, operation.code, json.dumps(document).encode())
    assert again.counts == {"offenses_unchanged": 4}


def test_every_bad_offence_is_reported_and_nothing_is_written(
    arrests: list[Arrest], system: Actor, operation: Operation
) -> None:
    document = json.loads(SAMPLE.read_text())
    document["offenses"][0]["arrests"] = []  # by arrest without an arrest
    document["offenses"][1]["code"] = "99Z"
    document["offenses"][2]["arrests"] = ["arr-0003"]  # exceptional with an arrest
    document["offenses"][3]["clearedOn"] = (timezone.localdate() + timedelta(days=2)).isoformat()
    document["offenses"][3]["clearance"] = "C"
    with pytest.raises(ImportRejected) as caught:
        nibrs.import_nibrs(system, operation.code, json.dumps(document).encode())
    assert {e.field for e in caught.value.errors} == {
        "offenses[0].arrests",
        "offenses[1].code",
        "offenses[2].arrests",
        "offenses[3].clearedOn",
    }
    assert not Offense.objects.exists()


def test_an_open_offence_is_cleared_once(
    arrests: list[Arrest], investigator_a: Actor, operation: Operation
) -> None:
    offense = nibrs.record_offense(
        investigator_a, operation.code, code="64B", investigation="inv-0001"
    )
    with pytest.raises(ValidationFailed) as caught:
        nibrs.clear_offense(
            investigator_a,
            operation.code,
            offense.ref,
            clearance="arrest",
            cleared_on=date(2021, 8, 22),
        )
    assert "arrests" in caught.value.fields
    nibrs.clear_offense(
        investigator_a,
        operation.code,
        offense.ref,
        clearance="arrest",
        cleared_on=date(2021, 8, 22),
        arrests=["arr-0001"],
    )
    with pytest.raises(IllegalTransition):
        nibrs.clear_offense(
            investigator_a,
            operation.code,
            offense.ref,
            clearance="D",
            cleared_on=date(2021, 8, 23),
        )
    event = AuditEvent.objects.filter(action="nibrs.offense_cleared").get()
    assert event.detail["arrests"] == ["arr-0001"]


def test_the_pio_reads_counts_but_records_nothing(
    arrests: list[Arrest], pio_a: Actor, operation: Operation
) -> None:
    with pytest.raises(Forbidden):
        nibrs.record_offense(pio_a, operation.code, code="64A")
    with pytest.raises(Forbidden):
        nibrs.export_nibrs(pio_a, operation.code)
    assert nibrs.offense_summary(pio_a, operation.code).arrests == 3
