"""The review queue over the JSON API: list clusters with reasons, decide; need-to-know."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from django.test import Client

from beacon.agencies.models import Agency
from beacon.audit.models import AuditEvent
from beacon.core.actor import Actor
from beacon.intake import services
from beacon.intake.models import Cluster, PairLabel
from beacon.records.inputs import RecordInput
from beacon.records.services import enter_record

from .conftest import NCMEC_MAPPING


def test_review_queue_lists_explains_and_decides_for_the_agency_only(
    agency_a: Agency,
    agency_b: Agency,
    supervisor_a: Actor,
    lists_dir: dict[str, Path],
    api_client_as: Callable[[str, Agency], Client],
) -> None:
    registered = enter_record(
        supervisor_a,
        RecordInput(
            category="EMJ",
            last_name="Garcia",
            first_name="Maria",
            sex="F",
            dob=dt.date(2010, 3, 4),
            dlc=dt.date(2021, 4, 20),
            oca="LC-21-0042",
            place_last_seen="Las Cruces",
        ),
    )
    intake = services.create_intake(supervisor_a, "Rescue Me")
    services.import_list(supervisor_a, intake, lists_dir["ncic"], source="NCIC")
    services.import_list(supervisor_a, intake, lists_dir["agency"], source="LCPD")
    services.import_list(
        supervisor_a, intake, lists_dir["ncmec"], source="NCMEC", mapping=NCMEC_MAPPING
    )
    run = services.link(supervisor_a, intake)
    assert run.registry_records == 1

    analyst = api_client_as("analyst", agency_a)
    listed = analyst.get("/api/intake/intakes").json()
    assert [i["id"] for i in listed] == [intake.pk]
    assert listed[0]["to_review"] == 4 and len(listed[0]["lists"]) == 3

    page = analyst.get(f"/api/intake/intakes/{intake.pk}/clusters").json()
    assert page["count"] == 4
    registry_key = f"NIC:{registered.nic}"
    maria = next(c for c in page["items"] if registry_key in [m["key"] for m in c["members"]])
    assert len(maria["members"]) == 4  # three lists and the registry record
    registry_member = next(m for m in maria["members"] if m["key"] == registry_key)
    assert registry_member["source"] == "registry" and registry_member["oca"] == "LC-21-0042"
    assert all(p["summary"].startswith("Match probability") for p in maria["pairs"])
    assert {e["stance"] for p in maria["pairs"] for e in p["evidence"]} >= {"agrees"}

    decided = analyst.post(
        f"/api/intake/clusters/{maria['id']}/decision",
        {"action": "accept"},
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()["status"] == "accepted"
    decided_by = Cluster.objects.get(pk=maria["id"]).decided_by
    assert decided_by.startswith(analyst.actor.name)  # type: ignore[attr-defined]
    assert PairLabel.objects.filter(intake=intake, same=True).count() == 6
    assert AuditEvent.objects.filter(action="intake.accept", object_id=str(maria["id"])).exists()

    again = analyst.post(
        f"/api/intake/clusters/{maria['id']}/decision",
        {"action": "accept"},
        content_type="application/json",
    )
    assert again.status_code == 409
    bad = analyst.post(
        f"/api/intake/clusters/{page['items'][1]['id']}/decision",
        {"action": "split", "groups": [["nobody"], ["else"]]},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "groups" in bad.json()["fields"]
    unknown = analyst.post(
        f"/api/intake/clusters/{maria['id']}/decision",
        {"action": "shred"},
        content_type="application/json",
    )
    assert unknown.status_code == 422

    other_agency = api_client_as("supervisor", agency_b)
    assert other_agency.get(f"/api/intake/clusters/{maria['id']}").status_code == 404
    assert other_agency.get(f"/api/intake/intakes/{intake.pk}/clusters").status_code == 404
    assert other_agency.get("/api/intake/intakes").json() == []
    investigator = api_client_as("investigator", agency_a)
    assert investigator.get(f"/api/intake/intakes/{intake.pk}").status_code == 403
