"""Creating an operation and adding targets from the web (through the bundle importer)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from beacon.access import services as accounts
from beacon.agencies.models import Agency
from beacon.core.actor import system_actor
from beacon.operations.models import Operation, Target
from beacon.records.models import MissingPersonRecord

ClientAs = Callable[[str], Client]
PASSWORD = "a long and unusual passphrase 42"


@pytest.fixture
def supervisor(demo_db: None, client_as: ClientAs) -> Client:
    """A supervisor of Las Cruces PD (plans operations, imports records)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    agency = Agency.objects.get(name="Las Cruces Police Department")
    user = accounts.create_user(system_actor(), "supervisor.lcpd", PASSWORD, agency, "supervisor")
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return client_as("supervisor.lcpd")


def test_supervisor_creates_an_operation_and_adds_targets(supervisor: Client) -> None:
    response = supervisor.post(
        "/operations/new/",
        {
            "code": "SUMMER-SWEEP",
            "name": "Operation Summer Sweep",
            "status": "active",
            "start": "2021-07-01",
            "jurisdictions": "county:35013",
            "focus": ["missing_children"],
            "partners": ["NMDEMO001"],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/operations/SUMMER-SWEEP/targets/"
    operation = Operation.objects.get(code="SUMMER-SWEEP")
    assert operation.participations.get(role="lead").agency.name == "Las Cruces Police Department"
    nics = list(
        MissingPersonRecord.objects.filter(
            originating_agency__name="Las Cruces Police Department"
        ).values_list("nic", flat=True)[:3]
    )
    added = supervisor.post("/operations/SUMMER-SWEEP/targets/add/", {"nics": "\n".join(nics)})
    assert added.status_code == 302
    assert set(
        Target.objects.filter(operation=operation).values_list("record__nic", flat=True)
    ) == set(nics)
    page = supervisor.get("/operations/SUMMER-SWEEP/targets/").content.decode()
    assert "3 targets" in page


def test_a_bad_operation_is_refused_field_by_field_and_nothing_is_written(
    supervisor: Client,
) -> None:
    response = supervisor.post(
        "/operations/new/",
        {"code": "", "name": "", "start": "someday", "jurisdictions": "planet:mars"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert not Operation.objects.filter(name="").exists()


def test_unknown_records_are_refused_and_nothing_is_added(supervisor: Client) -> None:
    supervisor.post(
        "/operations/new/",
        {"code": "OWN-OP", "name": "Own", "start": "2021-07-01", "jurisdictions": "state:NM"},
    )
    known = MissingPersonRecord.objects.filter(
        originating_agency__name="Las Cruces Police Department"
    ).first()
    assert known is not None
    response = supervisor.post(
        "/operations/OWN-OP/targets/add/", {"nics": f"{known.nic}\nM000000000"}, follow=True
    )
    assert "Unknown or not visible: M000000000" in response.content.decode()
    assert not Target.objects.filter(operation__code="OWN-OP").exists()


def test_investigators_cannot_create_operations(client_as: ClientAs) -> None:
    assert client_as("investigator.hsi").get("/operations/new/").status_code == 403
