"""The interchange API: permission on every route, 422 with lines, formats as bodies."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from beacon.agencies.models import Agency
from beacon.operations.models import Operation, Victim
from beacon.records.models import MissingPersonRecord

from .conftest import SAMPLES
from .test_htcds import cases, caseworker, saving_innocents, zoe  # noqa: F401 (fixtures)
from .test_nibrs import arrests  # noqa: F401 (fixture)

ClientAs = Callable[[str, Agency], Client]
NCIC = SAMPLES / "ncic-messages.txt"


def test_a_coordinator_imports_and_exports_ncic_over_the_api(
    api_client_as: ClientAs, agency_a: Agency, operation: Operation
) -> None:
    client = api_client_as("hub_coordinator", agency_a)
    own = [line for line in NCIC.read_text().splitlines() if "NM0070100" in line]
    answer = client.post(
        f"/api/interchange/operations/{operation.code}/ncic",
        "\n".join(own),
        content_type="text/plain",
        headers={"X-Filename": "state-export.txt"},
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["counts"] == {"entered": 2, "targets_added": 2, "ncic_fields_kept": 1}
    assert answer.json()["source"] == "state-export.txt"
    listing = client.get("/api/interchange/ncic", {"operation": operation.code})
    assert listing.status_code == 200
    assert listing.content.decode().splitlines() == own
    assert listing["X-Beacon-Withheld-TLP"] == "0"


def test_a_partner_s_ncic_export_withholds_another_agency_s_amber_records(
    api_client_as: ClientAs, agency_a: Agency, agency_b: Agency, operation: Operation
) -> None:
    own = [line for line in NCIC.read_text().splitlines() if "NM0070100" in line]
    answer = api_client_as("hub_coordinator", agency_a).post(
        f"/api/interchange/operations/{operation.code}/ncic",
        "\n".join(own),
        content_type="text/plain",
    )
    assert answer.status_code == 201, answer.content
    listing = api_client_as("hub_coordinator", agency_b).get(
        "/api/interchange/ncic", {"operation": operation.code}
    )
    assert listing.status_code == 200
    assert listing.content == b""
    assert listing["X-Beacon-Withheld-TLP"] == "2"


def test_a_bad_file_is_a_422_naming_each_line(
    api_client_as: ClientAs, agency_a: Agency, operation: Operation
) -> None:
    client = api_client_as("hub_coordinator", agency_a)
    line = NCIC.read_text().splitlines()[0]
    answer = client.post(
        f"/api/interchange/operations/{operation.code}/ncic",
        line.replace("DOB/20080403", "DOB/20081340"),
        content_type="text/plain",
    )
    assert answer.status_code == 422
    column = line.index("DOB/") + 1
    assert answer.json()["fields"] == {
        "line 1": [f"DOB (column {column}): '20081340' is not a date (YYYYMMDD)"]
    }
    assert not MissingPersonRecord.objects.exists()


def test_routes_refuse_roles_without_the_permission(
    api_client_as: ClientAs, agency_a: Agency, operation: Operation
) -> None:
    investigator = api_client_as("investigator", agency_a)
    assert investigator.get("/api/interchange/pfif").status_code == 403
    assert (
        investigator.post(
            f"/api/interchange/operations/{operation.code}/ncic", "", content_type="text/plain"
        ).status_code
        == 403
    )
    pio = api_client_as("pio", agency_a)
    assert pio.get(f"/api/interchange/operations/{operation.code}/nibrs").status_code == 403
    summary = pio.get(f"/api/interchange/operations/{operation.code}/nibrs/summary")
    assert summary.status_code == 200
    assert summary.json()["people_arrested"] == 0


def test_an_operation_the_agency_is_not_in_is_not_found(
    api_client_as: ClientAs, other_operation: Operation, agency_a: Agency
) -> None:
    client = api_client_as("hub_coordinator", agency_a)
    answer = client.get(f"/api/interchange/operations/{other_operation.code}/htcds")
    assert answer.status_code == 404


def test_htcds_out_to_the_coordinator_and_answers_in_from_the_ngo(
    api_client_as: ClientAs,
    agency_a: Agency,
    zoe: Agency,  # noqa: F811
    cases: list[Victim],  # noqa: F811
    operation: Operation,
) -> None:
    coordinator = api_client_as("hub_coordinator", agency_a)
    document = coordinator.get(f"/api/interchange/operations/{operation.code}/htcds").json()
    assert len(document["cases"]) == 2
    ngo = api_client_as("caseworker", zoe)
    answer = ngo.post(
        "/api/interchange/htcds/referral-updates",
        (SAMPLES / "htcds-referral-update.json").read_bytes(),
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["counts"]["referrals_accepted"] == 1
    broken = ngo.post(
        "/api/interchange/htcds/referral-updates", b"{", content_type="application/json"
    )
    assert broken.status_code == 422
    assert json.loads(broken.content)["error"] == "validation_failed"


def test_pfif_export_is_xml(
    api_client_as: ClientAs, agency_a: Agency, operation: Operation
) -> None:
    client = api_client_as("hub_coordinator", agency_a)
    imported = client.post(
        f"/api/interchange/operations/{operation.code}/pfif",
        (SAMPLES / "pfif-partner-feed.xml").read_bytes(),
        content_type="application/xml",
    )
    assert imported.status_code == 201, imported.content
    answer = client.get("/api/interchange/pfif", {"since": "2020-01-01T00:00:00Z"})
    assert answer["Content-Type"].startswith("application/xml")
    assert answer.content.count(b"<pfif:person>") == 3


@pytest.mark.usefixtures("arrests")
def test_an_incident_is_recorded_added_to_and_cleared_over_the_api(
    api_client_as: ClientAs, agency_a: Agency, operation: Operation
) -> None:
    client = api_client_as("investigator", agency_a)
    base = f"/api/interchange/operations/{operation.code}/nibrs/incidents"
    answer = client.post(
        base, {"offenses": ["64B"], "investigation": "inv-0001"}, content_type="application/json"
    )
    assert answer.status_code == 201, answer.content
    incident = answer.json()
    assert incident["clearance"] == "none" and incident["investigation"] == "inv-0001"
    ref = incident["ref"]
    added = client.post(f"{base}/{ref}/offenses", {"code": "40A"}, content_type="application/json")
    assert added.status_code == 201, added.content
    assert sorted(o["code"] for o in added.json()["offenses"]) == ["40A", "64B"]
    cleared = client.post(
        f"{base}/{ref}/clearance", {"arrests": ["arr-0001"]}, content_type="application/json"
    )
    assert cleared.status_code == 200, cleared.content
    assert cleared.json()["clearance"] == "arrest" and cleared.json()["arrests"] == ["arr-0001"]
    summary = client.get(f"/api/interchange/operations/{operation.code}/nibrs/summary").json()
    assert (summary["offenses"], summary["offenses_cleared"]) == (2, 2)
    again = client.post(
        f"{base}/{ref}/clearance", {"arrests": ["arr-0002"]}, content_type="application/json"
    )
    assert again.status_code == 409
    late = client.post(f"{base}/{ref}/offenses", {"code": "40B"}, content_type="application/json")
    assert late.status_code == 409
    summary = client.get(f"/api/interchange/operations/{operation.code}/nibrs/summary").json()
    assert (summary["offenses"], summary["offenses_cleared"]) == (2, 2)


@pytest.mark.usefixtures("arrests")
def test_a_bad_incident_is_a_422_naming_the_field_and_writes_nothing(
    api_client_as: ClientAs, agency_a: Agency, operation: Operation
) -> None:
    client = api_client_as("investigator", agency_a)
    base = f"/api/interchange/operations/{operation.code}/nibrs/incidents"
    answer = client.post(
        base,
        {"offenses": ["64A"], "exceptionalClearance": "B"},
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert "exceptionalClearanceDate" in answer.json()["fields"]
    unknown = client.post(
        f"{base}/no-such-ref/offenses", {"code": "64A"}, content_type="application/json"
    )
    assert unknown.status_code == 404
    summary = client.get(f"/api/interchange/operations/{operation.code}/nibrs/summary").json()
    assert summary["offenses"] == 0


def test_a_pio_cannot_record_an_incident(
    api_client_as: ClientAs, agency_a: Agency, operation: Operation
) -> None:
    answer = api_client_as("pio", agency_a).post(
        f"/api/interchange/operations/{operation.code}/nibrs/incidents",
        {"offenses": ["64A"]},
        content_type="application/json",
    )
    assert answer.status_code == 403
