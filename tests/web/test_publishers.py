"""Publishing rights per operation: the public information officer sees and exports the
reports of the operations it was given, nothing else; every grant is audited."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from django.test import Client

from beacon.access.services import actor_of_user
from beacon.agencies.models import Agency
from beacon.audit.models import AuditEvent
from beacon.operations import publishing
from beacon.operations.demo.seeds import SEED_CODES
from beacon.operations.models import Participation, Publisher

ClientAs = Callable[[str], Client]
RECLAIM = "RECLAIM-AND-REBUILD-2021"


def _pio_agency() -> Agency:
    return User.objects.get(username="pio").membership.agency


def test_the_demo_pio_can_publish_every_seed_it_does_not_take_part_in(
    client_as: ClientAs,
) -> None:
    pio = client_as("pio")
    agency = _pio_agency()
    assert not Participation.objects.filter(operation__code=RECLAIM, agency=agency).exists()
    for code in SEED_CODES.values():
        page = pio.get(f"/operations/{code}/report/")
        assert page.status_code == 200, code
        pdf = pio.get(f"/operations/{code}/report.pdf")
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_without_a_grant_the_report_is_not_found(client_as: ClientAs) -> None:
    Publisher.objects.filter(operation__code=RECLAIM).delete()
    pio = client_as("pio")
    assert pio.get(f"/operations/{RECLAIM}/report/").status_code == 404
    assert pio.get(f"/operations/{RECLAIM}/report.pdf").status_code == 404
    assert RECLAIM not in pio.get("/operations/").content.decode()


def test_a_revoked_grant_ends_access_and_is_kept(client_as: ClientAs) -> None:
    grant = Publisher.objects.get(
        operation__code=RECLAIM, agency=_pio_agency(), revoked_at__isnull=True
    )
    publishing.revoke(actor_of_user(User.objects.get(username="admin")), RECLAIM, grant.pk)
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoked_by == "admin"
    assert client_as("pio").get(f"/operations/{RECLAIM}/report/").status_code == 404
    assert AuditEvent.objects.filter(
        action="operations.publisher_revoked", object_id=RECLAIM
    ).exists()


def test_a_grant_to_one_pio_is_audited_and_gives_that_pio_the_report(
    client_as: ClientAs,
) -> None:
    Publisher.objects.filter(operation__code=RECLAIM).delete()
    admin = actor_of_user(User.objects.get(username="admin"))
    user = User.objects.get(username="pio")
    made = publishing.grant(admin, RECLAIM, user=user)
    again = publishing.grant(admin, RECLAIM, user=user)
    assert again.pk == made.pk
    events = AuditEvent.objects.filter(
        action="operations.publisher_granted", object_id=RECLAIM, actor="admin"
    )
    assert [e.detail["user"] for e in events] == ["pio"]  # once: the second grant was a no-op
    assert client_as("pio").get(f"/operations/{RECLAIM}/report/").status_code == 200


def test_the_coordinator_grants_on_its_page_and_the_grant_is_audited(
    client_as: ClientAs,
) -> None:
    code = SEED_CODES["united-front"]  # led by the coordinator's agency
    Publisher.objects.filter(operation__code=code).delete()
    coordinator = client_as("coordinator")
    assert coordinator.get(f"/operations/{code}/publishers/").status_code == 200
    answer = coordinator.post(f"/operations/{code}/publishers/", {"username": "pio"})
    assert answer.status_code == 302
    grant = Publisher.objects.get(operation__code=code, revoked_at__isnull=True)
    assert grant.user is not None and grant.user.username == "pio"
    assert grant.granted_by == "coordinator"
    event = AuditEvent.objects.get(
        action="operations.publisher_granted", object_id=code, actor="coordinator"
    )
    assert event.detail["user"] == "pio"


def test_an_investigator_cannot_be_given_publishing_rights(client_as: ClientAs) -> None:
    code = SEED_CODES["united-front"]
    coordinator = client_as("coordinator")
    answer = coordinator.post(f"/operations/{code}/publishers/", {"username": "investigator.hsi"})
    assert answer.status_code == 422
    assert "public information officers" in answer.content.decode()
    assert not Publisher.objects.filter(operation__code=code, user__isnull=False).exists()


def test_the_pio_cannot_manage_publishing_rights(client_as: ClientAs) -> None:
    answer = client_as("pio").post(f"/operations/{RECLAIM}/publishers/", {"username": "pio"})
    assert answer.status_code == 403
    assert not Publisher.objects.filter(operation__code=RECLAIM, user__isnull=False).exists()


def test_an_agency_grant_opens_no_case_data_to_an_investigator_of_that_agency(
    client_as: ClientAs,
) -> None:
    hsi = User.objects.get(username="investigator.hsi").membership.agency
    code = SEED_CODES["united-front"]
    assert not Participation.objects.filter(operation__code=code, agency=hsi).exists()
    admin = actor_of_user(User.objects.get(username="admin"))
    publishing.grant(admin, code, agency=hsi)
    investigator = client_as("investigator.hsi")
    assert investigator.get(f"/operations/{code}/targets/").status_code == 404
    assert investigator.get(f"/operations/{code}/report/").status_code == 404
