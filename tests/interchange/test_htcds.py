"""IOM HTCDS v2: consenting victims out, NGO referral answers in, all or nothing."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from typing import Any

import pytest

from beacon.agencies.models import Agency, Jurisdiction
from beacon.audit.models import AuditEvent
from beacon.core.actor import Actor
from beacon.core.errors import Forbidden
from beacon.interchange import htcds, htcds_rows
from beacon.interchange.errors import ImportRejected
from beacon.operations.models import Operation, Person, Referral, Service, Victim
from tests.personas import acting

from .conftest import SAMPLES

SAMPLE = SAMPLES / "htcds-referral-update.json"
AT = datetime.fromisoformat("2022-01-24T21:30:00+00:00")


@pytest.fixture
def zoe(db: None) -> Agency:
    return Agency.objects.create(ori="CA0ZOE001", name="ZOE International", kind="ngo")


@pytest.fixture
def saving_innocents(db: None) -> Agency:
    return Agency.objects.create(ori="CA0SAV001", name="Saving Innocents", kind="ngo")


@pytest.fixture
def caseworker(zoe: Agency) -> Actor:
    """The persona ``caseworker`` (carmen) of the NGO the sample's referrals name."""
    return acting(zoe, "caseworker", "carmen")


def victim(
    operation: Operation, agency: Agency, place: Jurisdiction, ref: str, consent: str, **kw: Any
) -> Victim:
    person = Person.objects.create(last_name=kw.pop("last", "Doe"), first_name=kw.pop("first", ""))
    return Victim.objects.create(
        operation=operation,
        agency=agency,
        jurisdiction=place,
        at=AT,
        person=person,
        ref=ref,
        consent=consent,
        **kw,
    )


@pytest.fixture
def cases(
    operation: Operation,
    agency_a: Agency,
    zoe: Agency,
    saving_innocents: Agency,
    new_mexico: Jurisdiction,
    system: Actor,
) -> list[Victim]:
    first = victim(
        operation,
        agency_a,
        new_mexico,
        "v-0001",
        "given",
        first="Maria",
        last="Lopez",
        age_min=16,
        age_max=16,
        age_group="minor",
        sex="F",
        nationality=Jurisdiction.objects.get(kind="country", code="MX"),
    )
    second = victim(operation, agency_a, new_mexico, "v-0002", "given", age_group="adult")
    third = victim(operation, agency_a, new_mexico, "v-0003", "declined", age_group="adult")
    Service.objects.create(
        operation=operation,
        agency=agency_a,
        jurisdiction=new_mexico,
        at=AT,
        person=first.person,
        kind="medical",
        status="provided",
        ref="s-0001",
    )
    Service.objects.create(
        operation=operation,
        agency=agency_a,
        jurisdiction=new_mexico,
        at=AT,
        person=third.person,
        kind="screening",
        status="offered",
        ref="s-0003",
    )
    for ref, who, to in (
        ("ref-zoe-0001", first, zoe),
        ("ref-zoe-0002", second, zoe),
        ("ref-si-0003", second, saving_innocents),
        ("ref-zoe-0003", third, zoe),
    ):
        Referral.objects.create(
            operation=operation,
            agency=agency_a,
            jurisdiction=new_mexico,
            at=AT,
            victim=who,
            to_agency=to,
            ref=ref,
            notes="Shelter and advocacy",
        )
    # Consent to have personal data managed (con_Consent), as a partner's HTCDS rows say it.
    rows = [
        {
            "caseId": "RESCUE-ME/v-0001",
            "con_Consent": True,
            "vic_TraffickingStatus": "ActualVictimOfTrafficking",
            "vic_TypeOfExploitation": ["SexualExploitation"],
        },
        {"caseId": "RESCUE-ME/v-0002", "con_Consent": True},
    ]
    htcds_rows.import_htcds_cases(system, operation.code, json.dumps(rows).encode())
    return [first, second, third]


def statuses() -> dict[str, str]:
    return dict(Referral.objects.values_list("ref", "status"))


def test_export_gives_only_consenting_victims_with_services_and_referrals(
    cases: list[Victim], hub_a: Actor, operation: Operation
) -> None:
    document = htcds.export_htcds(hub_a, operation.code)
    assert (document["standard"], document["version"]) == ("HTCDS", "2.0")
    assert [c["caseId"] for c in document["cases"]] == ["RESCUE-ME/v-0001", "RESCUE-ME/v-0002"]
    assert document["withheld"] == {"noDataConsent": 1, "tlp": 0}
    first = document["cases"][0]
    assert first["cas_Status"] == "FollowUp"
    assert first["victim"]["prs_Gender"] == "Feminine"
    assert first["victim"]["prs_Citizenship"] == ["MX"]
    assert first["victim"]["con_Consent"] is True
    assert first["victim"]["vic_TraffickingStatus"] == "ActualVictimOfTrafficking"
    assert first["victim"]["vic_TypeOfExploitation"] == ["SexualExploitation"]
    assert "vic_AgreementToManagePersonalData" not in json.dumps(document)
    assert [s["serviceId"] for s in first["services"]] == ["s-0001"]
    (referral,) = first["referrals"]
    assert referral["direction"] == "Outgoing"
    assert referral["cas_ReferredOrganisation"]["org_Type"] == "NGO"
    assert referral["cas_OutgoingReferralDate"] == "2022-01-24"
    event = AuditEvent.objects.get(action="interchange.export")
    assert event.detail["victims"] == ["v-0001", "v-0002"]
    assert event.detail["withheld_no_data_consent"] == 1
    assert "v-0003" not in json.dumps(document)


def test_the_ngo_answers_its_referrals_from_the_sample(
    cases: list[Victim], caseworker: Actor, hub_a: Actor, operation: Operation
) -> None:
    result = htcds.import_htcds_updates(caseworker, SAMPLE.read_bytes(), source=SAMPLE.name)
    assert result.counts == {
        "referrals_unchanged": 0,
        "referrals_accepted": 1,
        "referrals_declined": 1,
    }
    assert statuses() == {
        "ref-zoe-0001": "accepted",
        "ref-zoe-0002": "declined",
        "ref-si-0003": "offered",
        "ref-zoe-0003": "offered",
    }
    assert AuditEvent.objects.filter(action="referrals.answered", actor="carmen").count() == 2
    after = htcds.export_htcds(hub_a, operation.code)
    assert [c["cas_Status"] for c in after["cases"]] == ["ClosedReferred", "FollowUp"]


def test_export_then_import_of_the_answers_gives_the_same_document(
    cases: list[Victim], hub_a: Actor, system: Actor, operation: Operation
) -> None:
    exported = htcds.export_htcds(hub_a, operation.code)
    answered = copy.deepcopy(exported)
    answered["cases"][0]["referrals"][0]["status"] = "Accepted"
    answered["cases"][1]["referrals"][1]["status"] = "Declined"
    htcds.import_htcds_updates(system, json.dumps(answered).encode())
    again = htcds.export_htcds(hub_a, operation.code)
    for document in (again, answered):
        document.pop("exportedAt")
    answered["cases"][0]["cas_Status"] = "ClosedReferred"
    assert again == answered


def test_importing_an_unchanged_export_writes_nothing(
    cases: list[Victim], hub_a: Actor, system: Actor, operation: Operation
) -> None:
    exported = htcds.export_htcds(hub_a, operation.code)
    result = htcds.import_htcds_updates(system, json.dumps(exported).encode())
    assert result.counts == {"referrals_unchanged": 3}
    assert set(statuses().values()) == {"offered"}
    assert not AuditEvent.objects.filter(action="referrals.answered").exists()


def test_every_bad_answer_is_reported_and_none_is_applied(
    cases: list[Victim], caseworker: Actor
) -> None:
    update = json.loads(SAMPLE.read_text())
    update["cases"].append(
        {
            "caseId": "RESCUE-ME/v-0002",
            "referrals": [
                {"referralId": "ref-si-0003", "status": "Accepted"},
                {"referralId": "ref-nope", "status": "Accepted"},
                {"referralId": "ref-zoe-0003", "status": "Maybe"},
            ],
        }
    )
    with pytest.raises(ImportRejected) as caught:
        htcds.import_htcds_updates(caseworker, json.dumps(update).encode())
    assert {e.field for e in caught.value.errors} == {
        "cases[2].referrals[0].referralId",
        "cases[2].referrals[1].referralId",
        "cases[2].referrals[2].status",
    }
    assert set(statuses().values()) == {"offered"}


def test_an_answered_referral_keeps_its_answer(cases: list[Victim], caseworker: Actor) -> None:
    htcds.import_htcds_updates(caseworker, SAMPLE.read_bytes())
    flipped = SAMPLE.read_text().replace('"Accepted"', '"Declined"')
    with pytest.raises(ImportRejected) as caught:
        htcds.import_htcds_updates(caseworker, flipped.encode())
    assert [e.message for e in caught.value.errors] == ["already Accepted"]


def test_bad_json_is_reported_with_line_and_column(caseworker: Actor) -> None:
    with pytest.raises(ImportRejected) as caught:
        htcds.import_htcds_updates(caseworker, b'{\n  "standard": "HTCDS",\n  "cases": [,]\n}')
    (error,) = caught.value.errors
    assert (error.line, error.field) == (3, "column 13")


def test_only_roles_with_the_permission_export_or_answer(
    cases: list[Victim],
    investigator_a: Actor,
    caseworker: Actor,
    hub_a: Actor,
    operation: Operation,
) -> None:
    with pytest.raises(Forbidden):
        htcds.export_htcds(investigator_a, operation.code)
    with pytest.raises(Forbidden):
        htcds.export_htcds(caseworker, operation.code)
    with pytest.raises(Forbidden):
        htcds.import_htcds_updates(hub_a, SAMPLE.read_bytes())


def test_a_victim_who_is_the_subject_of_a_red_record_is_withheld_by_tlp(
    cases: list[Victim], hub_a: Actor, operation: Operation, investigator_a: Actor
) -> None:
    from beacon.operations.models import Target
    from beacon.records.services import enter_record

    from .conftest import a_record

    record = enter_record(investigator_a, a_record(oca="LC-RED", tlp="RED"))
    Target.objects.create(
        operation=operation,
        record=record,
        person=cases[0].person,
        assigned_agency=record.originating_agency,
    )
    document = htcds.export_htcds(hub_a, operation.code)
    assert [c["caseId"] for c in document["cases"]] == ["RESCUE-ME/v-0002"]
    assert document["withheld"] == {"noDataConsent": 1, "tlp": 1}
    event = AuditEvent.objects.get(action="interchange.export")
    assert event.detail["withheld_tlp"] == ["v-0001"]


def test_a_victim_whose_record_is_on_another_operation_is_withheld_too(
    cases: list[Victim],
    hub_a: Actor,
    operation: Operation,
    other_operation: Operation,
    investigator_a: Actor,
) -> None:
    """The same rule as bundles and NIBRS: the victim is the subject of a RED record
    targeted by another operation; naming them here would say who that child is."""
    from beacon.operations.models import Target
    from beacon.records.services import enter_record

    from .conftest import a_record

    record = enter_record(investigator_a, a_record(oca="LC-RED", tlp="RED"))
    Target.objects.create(
        operation=other_operation,
        record=record,
        person=cases[0].person,
        assigned_agency=record.originating_agency,
    )
    document = htcds.export_htcds(hub_a, operation.code)
    assert [c["caseId"] for c in document["cases"]] == ["RESCUE-ME/v-0002"]
    assert document["withheld"] == {"noDataConsent": 1, "tlp": 1}
