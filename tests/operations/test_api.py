"""The operations API on a small imported operation: bundles, hits, outcomes, access."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from beacon.agencies.models import Agency
from beacon.operations.models import Operation, Victim
from beacon.records.models import MissingPersonRecord
from tests.operations.factories import CODE, LEAD, OTHER, PARTNER, load_tiny, tiny_bundle

pytestmark = pytest.mark.django_db
ClientFor = Callable[[str, Agency], Client]


def _post(client: Client, url: str, body: object) -> object:
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def system_agency() -> Agency:
    return Agency.system()


def test_importing_a_bad_bundle_over_the_api_answers_422_with_paths(
    api_client_as: ClientFor, system_agency: Agency
) -> None:
    client = api_client_as("supervisor", system_agency)
    bundle = tiny_bundle()
    bundle["targets"][1]["record"] = "NMTEST002:NOPE"
    response = client.post(
        "/api/operations/bundles", json.dumps(bundle), content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_failed"
    assert body["fields"]["targets[1].record"][0].startswith("unknown record NMTEST002:NOPE")
    assert not Operation.objects.exists()
    broken = client.post("/api/operations/bundles", "{not json", content_type="application/json")
    assert broken.status_code == 422 and "line 1 column 2" in broken.json()["fields"]


def test_importing_over_the_api_then_exporting(api_client_as: ClientFor) -> None:
    # A supervisor imports the records of their own agency (only the system actor may
    # enter records for other agencies).
    partner = Agency.objects.create(ori=PARTNER, name="Test Partner PD", kind="local")
    client = api_client_as("supervisor", partner)
    response = client.post(
        "/api/operations/bundles", json.dumps(tiny_bundle()), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["operations"] == [CODE]
    lead = api_client_as("supervisor", Agency.objects.get(ori=LEAD))
    # A bundle leaves Beacon: targets whose records are TLP:AMBER stay in (PFIF's rule).
    withheld = lead.get(f"/api/operations/{CODE}/bundle")
    assert withheld.status_code == 200
    assert withheld.json()["targets"] == []
    MissingPersonRecord.objects.update(tlp="GREEN")
    exported = lead.get(f"/api/operations/{CODE}/bundle")
    assert exported.status_code == 200
    assert [t["ref"] for t in exported.json()["targets"]] == ["T1", "T2"]
    investigator = api_client_as("investigator", Agency.objects.get(ori=LEAD))
    assert investigator.get(f"/api/operations/{CODE}/bundle").status_code == 403
    assert (
        investigator.post(
            "/api/operations/bundles", "{}", content_type="application/json"
        ).status_code
        == 403
    )


def test_hit_confirmation_routes(api_client_as: ClientFor) -> None:
    load_tiny()
    client = api_client_as("investigator", Agency.objects.get(ori=LEAD))
    made = client.post(
        f"/api/operations/{CODE}/targets/T1/hits",
        json.dumps({"priority": "urgent"}),
        content_type="application/json",
    )
    assert made.status_code == 201
    hit = made.json()
    assert hit["priority"] == "urgent" and not hit["overdue"]
    assert client.get(f"/api/operations/{CODE}/hits/overdue").json() == []
    confirmer = api_client_as("investigator", Agency.objects.get(ori=PARTNER))
    confirmed = confirmer.post(f"/api/operations/{CODE}/hits/{hit['id']}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["confirmed_at"]
    assert confirmer.post(f"/api/operations/{CODE}/hits/{hit['id']}/confirm").status_code == 409
    bad = client.post(
        f"/api/operations/{CODE}/targets/T1/hits",
        json.dumps({"priority": "soon"}),
        content_type="application/json",
    )
    assert bad.status_code == 422


def test_an_uninvolved_agency_cannot_see_or_touch_the_operation(api_client_as: ClientFor) -> None:
    load_tiny()
    outsider = api_client_as("investigator", Agency.objects.get(ori=OTHER))
    assert outsider.get("/api/operations/").json() == []
    assert outsider.get(f"/api/operations/{CODE}/report").status_code == 404
    hit = outsider.post(
        f"/api/operations/{CODE}/targets/T1/hits",
        json.dumps({"priority": "routine"}),
        content_type="application/json",
    )
    assert hit.status_code == 404
    body = {"kind": "located", "how": "welfare_check", "at": "2021-06-01T10:00:00Z"}
    outcome = outsider.post(
        f"/api/operations/{CODE}/targets/T1/outcome",
        json.dumps(body),
        content_type="application/json",
    )
    assert outcome.status_code == 404


def test_the_partner_sees_the_records_of_its_targets_and_a_pio_sees_none(
    api_client_as: ClientFor,
) -> None:

    load_tiny()
    lead = api_client_as("investigator", Agency.objects.get(ori=LEAD))
    rows = lead.get(f"/api/operations/{CODE}/figures/outstanding/records").json()
    assert rows["count"] == 2 and {r["target"] for r in rows["rows"]} == {"T1", "T2"}
    assert MissingPersonRecord.objects.visible_to(lead.actor).count() == 2  # type: ignore[attr-defined]
    pio = api_client_as("pio", Agency.objects.get(ori=LEAD))
    assert pio.get(f"/api/operations/{CODE}/report").status_code == 200
    assert pio.get(f"/api/operations/{CODE}/figures/outstanding/records").status_code == 403
    assert not MissingPersonRecord.objects.visible_to(pio.actor).exists()  # type: ignore[attr-defined]
    assert not Victim.objects.visible_to(pio.actor).exists()  # type: ignore[attr-defined]


def test_an_unknown_metric_is_a_clear_422(api_client_as: ClientFor) -> None:
    load_tiny()
    client = api_client_as("investigator", Agency.objects.get(ori=LEAD))
    response = client.get(f"/api/operations/{CODE}/figures/happiness/records")
    assert response.status_code == 422 and "metric" in response.json()["fields"]
    bad_place = client.get(f"/api/operations/{CODE}/figures/arrests/records?jurisdiction=moon:1")
    assert bad_place.status_code == 422


def test_one_person_holds_several_roles_without_copies() -> None:
    from beacon.operations.models import Person

    load_tiny()
    assert Person.objects.get(ref="T-P1").roles == ["target", "victim"]
    assert Person.objects.get(ref="T-P3").roles == ["arrestee"]
    assert Person.objects.filter(last_name="Testperson", first_name="Alex").count() == 1


def test_recording_field_events_over_the_api(api_client_as: ClientFor) -> None:
    load_tiny()
    client = api_client_as("investigator", Agency.objects.get(ori=LEAD))
    url = f"/api/operations/{CODE}/entries/arrests"
    body = {
        "people": [{"ref": "API-P1", "last_name": "Fakename", "sex": "M"}],
        "rows": [
            {
                "ref": "A2",
                "agency": LEAD,
                "jurisdiction": "county:35013",
                "at": "2021-05-11T20:00:00Z",
                "people": ["API-P1"],
                "person": "API-P1",
                "role": "buyer",
                "nibrs": "40C",
            }
        ],
    }
    created = client.post(url, json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["created"]["arrests"] == 1
    report = client.get(f"/api/operations/{CODE}/report").json()
    assert report["totals"]["arrests"] == 2
    assert report["totals"]["arrests_by_role"] == {"buyer": 1, "trafficker": 1}
    again = client.post(url, json.dumps(body), content_type="application/json")
    assert again.status_code == 201 and again.json()["unchanged"]["arrests"] == 1
    bad = {
        "rows": [
            {
                "ref": "A3",
                "agency": LEAD,
                "jurisdiction": "county:35013",
                "at": "2021-05-11T20:00:00Z",
                "person": "NOBODY",
                "role": "boss",
            }
        ]
    }
    refused = client.post(url, json.dumps(bad), content_type="application/json")
    assert refused.status_code == 422
    assert set(refused.json()["fields"]) == {"arrests[0].person", "arrests[0].role"}
    other_op = {"rows": [dict(body["rows"][0], ref="A4", operation="ELSEWHERE")]}
    assert (
        client.post(url, json.dumps(other_op), content_type="application/json").status_code == 422
    )
    unknown = client.post(
        f"/api/operations/{CODE}/entries/parties", json.dumps(body), content_type="application/json"
    )
    assert unknown.status_code == 422
    targets = client.post(
        f"/api/operations/{CODE}/entries/targets", json.dumps(body), content_type="application/json"
    )
    assert targets.status_code == 403  # adding targets is planning: operations:manage
    pio = api_client_as("pio", Agency.objects.get(ori=LEAD))
    assert pio.post(url, json.dumps(body), content_type="application/json").status_code == 403


def test_the_demo_refuses_to_load_outside_demo_modes(settings: object) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    settings.MODE = "production"  # type: ignore[attr-defined]
    with pytest.raises(CommandError) as caught:
        call_command("demo")
    assert caught.value.returncode == 2 and "BEACON_MODE=demo" in str(caught.value)
    assert not Operation.objects.exists()
