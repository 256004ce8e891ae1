"""Operation bundles leave the organisation: TLP 2.0 decides which targets go, as in PFIF."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.db import transaction

from beacon.audit.models import AuditEvent
from beacon.core.actor import Actor, system_actor
from beacon.operations.bundles.exporter import export_bundle
from beacon.operations.bundles.importer import import_bundle
from beacon.operations.demo.seeds import SEED_CODES, SEEDS
from beacon.operations.models import Person, Referral, Target, Victim
from beacon.records.models import MissingPersonRecord
from tests.operations.factories import CODE, LEAD, PARTNER, load_tiny, tiny_bundle
from tests.personas import acting

pytestmark = pytest.mark.django_db


class _Undo(Exception):
    pass


def _hub(ori: str) -> Actor:
    return acting(ori, "hub_coordinator", ori.lower(), via="cli")


def test_a_bundle_carries_only_targets_whose_record_may_leave() -> None:
    load_tiny()
    green = MissingPersonRecord.objects.get(oca="T-1")
    amber = MissingPersonRecord.objects.get(oca="T-2")
    MissingPersonRecord.objects.filter(pk=green.pk).update(tlp="GREEN")
    assert amber.tlp == "AMBER"
    # The system actor speaks for no organisation: CLEAR and GREEN only.
    bundle = export_bundle(system_actor(), CODE)
    assert [r["oca"] for r in bundle["records"]] == ["T-1"]
    assert [t["ref"] for t in bundle["targets"]] == ["T1"]
    event = AuditEvent.objects.filter(action="operations.export").last()
    assert event is not None and event.detail["withheld_tlp"] == [amber.nic]
    # The originating agency may send its own AMBER record; a partner may not pass it on.
    assert len(export_bundle(_hub(PARTNER), CODE)["targets"]) == 2
    assert [t["ref"] for t in export_bundle(_hub(LEAD), CODE)["targets"]] == ["T1"]
    # RED never leaves in a bundle, even from its originator.
    MissingPersonRecord.objects.filter(pk=green.pk).update(tlp="RED")
    assert [t["ref"] for t in export_bundle(_hub(PARTNER), CODE)["targets"]] == ["T2"]


def test_a_bundle_with_targets_withheld_still_imports_whole() -> None:
    with pytest.raises(_Undo), transaction.atomic():
        load_tiny()
        MissingPersonRecord.objects.filter(oca="T-1").update(tlp="GREEN")
        exported = json.loads(json.dumps(export_bundle(system_actor(), CODE)))
        raise _Undo
    import_bundle(system_actor(), exported)
    assert list(Target.objects.values_list("ref", flat=True)) == ["T1"]
    assert list(MissingPersonRecord.objects.values_list("oca", flat=True)) == ["T-1"]


def _without_time(bundle: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in bundle.items() if k != "exported_at"}


def _tiny_with_more_events() -> dict[str, Any]:
    """The tiny operation, plus a raid listing Alex (T-P1) among its people, a service
    to Alex, and a second operation whose target is Drew (T-P3, the arrestee of A1)."""
    bundle = tiny_bundle()
    where = {"agency": LEAD, "jurisdiction": "county:35013", "operation": CODE}
    bundle["raids"] = [
        {
            "ref": "RD1",
            **where,
            "at": "2021-05-10T19:00:00Z",
            "kind": "residence",
            "people": ["T-P1", "T-P3"],
            "notes": "Alex Testperson found in the back room",
        },
        {"ref": "RD2", **where, "at": "2021-05-11T19:00:00Z", "kind": "hotel", "people": []},
    ]
    bundle["services"] = [
        {"ref": "S1", **where, "at": "2021-05-10T23:00:00Z", "person": "T-P1", "kind": "shelter"},
    ]
    other = copy.deepcopy(bundle["operations"][0])
    other |= {"code": "OP-ELSEWHERE", "name": "Operation Elsewhere"}
    bundle["operations"].append(other)
    bundle["records"].append(
        {
            **bundle["records"][0],
            "oca": "T-3",
            "last_name": "Demoson",
            "first_name": "Drew",
            "sex": "M",
            "dob": "2007-01-01",
        }
    )
    bundle["targets"].append(
        {
            "ref": "E1",
            "operation": "OP-ELSEWHERE",
            "record": f"{PARTNER}:T-3",
            "person": "T-P3",
            "assigned_agency": PARTNER,
        }
    )
    return bundle


def test_the_person_of_a_withheld_target_leaves_nothing_behind() -> None:
    """Events naming a withheld target's person stay home (the issue-16 leak: victims,
    referrals, raids and services named the missing child whose record was withheld)."""
    load_tiny(_tiny_with_more_events())
    # T-1 (Alex, target T1) stays AMBER; T-2 (Sam) and T-3 (Drew, elsewhere) may leave.
    MissingPersonRecord.objects.filter(oca__in=["T-2", "T-3"]).update(tlp="GREEN")
    bundle = export_bundle(system_actor(), CODE)
    assert [t["ref"] for t in bundle["targets"]] == ["T2"]
    assert bundle["victims"] == [] and bundle["referrals"] == [] and bundle["services"] == []
    assert [r["ref"] for r in bundle["raids"]] == ["RD2"]
    assert [a["ref"] for a in bundle["arrests"]] == ["A1"]
    assert "T-P1" not in {p["ref"] for p in bundle["people"]}
    text = json.dumps(bundle)
    assert "Testperson" not in text and "Alex" not in text
    event = AuditEvent.objects.filter(action="operations.export").last()
    assert event is not None and event.detail["withheld_events"] == {
        "victims": [f"{CODE}:V1"],
        "raids": [f"{CODE}:RD1"],
        "services": [f"{CODE}:S1"],
        "referrals": [f"{CODE}:R1"],
    }
    # Drew is the target of an AMBER record in another operation: his arrest here would
    # name him, so it stays home too.
    MissingPersonRecord.objects.filter(oca="T-3").update(tlp="AMBER")
    bundle = export_bundle(system_actor(), CODE)
    assert bundle["arrests"] == [] and bundle["raids"][0]["ref"] == "RD2"
    assert {p["ref"] for p in bundle["people"]} == {"T-P2"}
    # The originator may send its own AMBER records: everything travels.
    full = export_bundle(_hub(PARTNER), CODE)
    assert [v["ref"] for v in full["victims"]] == ["V1"]
    assert [r["ref"] for r in full["raids"]] == ["RD1", "RD2"]
    assert [a["ref"] for a in full["arrests"]] == ["A1"]
    event = AuditEvent.objects.filter(action="operations.export").last()
    assert event is not None and event.detail["withheld_events"] == {}


def test_a_person_shared_with_another_target_is_not_withheld() -> None:
    """Sam is the target of T2 (GREEN) here and of an AMBER record elsewhere: the shared
    record names him anyway, so the events naming him travel."""
    bundle = _tiny_with_more_events()
    bundle["targets"][-1]["person"] = "T-P2"
    bundle["victims"][0] |= {"person": "T-P2", "people": ["T-P2"]}
    load_tiny(bundle)
    MissingPersonRecord.objects.filter(oca="T-2").update(tlp="GREEN")
    exported = export_bundle(system_actor(), CODE)
    assert [t["ref"] for t in exported["targets"]] == ["T2"]
    assert [v["ref"] for v in exported["victims"]] == ["V1"]
    assert [r["ref"] for r in exported["referrals"]] == ["R1"]


def test_an_export_with_events_withheld_imports_and_round_trips() -> None:
    """What is left refers to nothing left home: Beacon's own importer takes it whole
    into an empty database, and exporting again gives the same document."""
    with pytest.raises(_Undo), transaction.atomic():
        load_tiny(_tiny_with_more_events())
        MissingPersonRecord.objects.filter(oca__in=["T-2", "T-3"]).update(tlp="GREEN")
        exported = json.loads(json.dumps(export_bundle(system_actor(), CODE)))
        raise _Undo
    assert not MissingPersonRecord.objects.exists()
    assert exported["victims"] == [] and exported["referrals"] == []
    import_bundle(system_actor(), exported)
    assert not Person.objects.filter(ref="T-P1").exists()
    assert not Victim.objects.exists() and not Referral.objects.exists()
    again = json.loads(json.dumps(export_bundle(system_actor(), CODE)))
    assert _without_time(again) == _without_time(exported)
    # and importing it a second time changes nothing
    report = import_bundle(system_actor(), again)
    assert not any(report.created.values())


@pytest.mark.parametrize("seed", list(SEEDS))
def test_every_seed_as_marked_exports_imports_and_round_trips(seed: str) -> None:
    """The demo seeds with their own TLP mix (most AMBER, some GREEN): the system actor's
    export withholds the AMBER targets and every event naming their people, and the
    result imports whole and exports again to the same document."""
    code = SEED_CODES[seed]
    with pytest.raises(_Undo), transaction.atomic():
        import_bundle(system_actor(), SEEDS[seed]())
        withheld = {
            t.person_id
            for t in Target.objects.select_related("record")
            if t.person_id and t.record.tlp not in ("CLEAR", "GREEN")
        }
        shared = {
            t.person_id
            for t in Target.objects.select_related("record")
            if t.person_id and t.record.tlp in ("CLEAR", "GREEN")
        }
        hidden = set(Person.objects.filter(pk__in=withheld - shared).values_list("ref", flat=True))
        exported = json.loads(json.dumps(export_bundle(system_actor(), code)))
        raise _Undo
    named = {p["ref"] for p in exported["people"]}
    for section in ("victims", "arrests", "services"):
        named |= {row["person"] for row in exported.get(section, [])}
    for section in ("victims", "arrests", "services", "raids", "referrals", "seizures"):
        for row in exported.get(section, []):
            named |= set(row.get("people", []))
    assert not named & hidden
    import_bundle(system_actor(), exported)
    again = json.loads(json.dumps(export_bundle(system_actor(), code)))
    assert _without_time(again) == _without_time(exported)
