"""Administration (accounts, tokens, agencies, audit trail: admins only) and planning
(creating an operation and adding targets)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from beacon.access import services as accounts
from beacon.access.models import ApiToken, Membership, RoleRequest
from beacon.agencies.models import Agency
from beacon.audit.models import AuditEvent
from beacon.core.actor import system_actor
from beacon.operations.models import Operation, Target
from beacon.records.models import MissingPersonRecord

ClientAs = Callable[[str], Client]
PASSWORD = "a long and unusual passphrase 42"


@pytest.fixture(autouse=True)
def _demo(demo_db: None) -> None:
    return


@pytest.fixture
def second_admin(client_as: ClientAs) -> Client:
    """Another system administrator: grants need two (the two-person rule)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = accounts.create_user(
        system_actor(), "admin.two", PASSWORD, Agency.system(), "system_admin"
    )
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return client_as("admin.two")


def test_admin_creates_an_account_and_the_audit_trail_shows_it(
    client_as: ClientAs, second_admin: Client
) -> None:
    admin = client_as("admin")
    agency = Agency.objects.get(name="HSI Las Cruces")
    response = admin.post(
        "/administration/",
        {
            "username": "new.analyst",
            "password": "a long and unusual passphrase 42",
            "agency": agency.ori,
            "role": "analyst",
        },
    )
    assert response.status_code == 302
    # The account starts with the least role; the analyst role waits for a second admin.
    created = Membership.objects.get(user__username="new.analyst")
    assert created.role == "pio"
    assert RoleRequest.objects.get(user=created.user, decided_at__isnull=True).role == "analyst"
    assert second_admin.post("/administration/users/new.analyst/approve-role/").status_code == 302
    assert Membership.objects.get(user__username="new.analyst").role == "analyst"
    trail = admin.get("/administration/audit/?action=account.created").content.decode()
    assert "account.created" in trail and "user" in trail
    export = admin.get("/administration/audit.csv?action=account.")
    body = b"".join(export.streaming_content).decode()  # type: ignore[attr-defined]
    assert body.splitlines()[0].startswith("seq")
    assert "new.analyst" in body


def test_a_weak_password_is_refused_next_to_the_field(client_as: ClientAs) -> None:
    agency = Agency.objects.get(name="HSI Las Cruces")
    response = client_as("admin").post(
        "/administration/",
        {"username": "weak", "password": "short", "agency": agency.ori, "role": "analyst"},
    )
    assert response.status_code == 422
    assert 'id="e-password"' in response.content.decode()
    assert not Membership.objects.filter(user__username="weak").exists()


def test_admin_unlocks_disables_and_changes_a_role(
    client_as: ClientAs, second_admin: Client
) -> None:
    admin = client_as("admin")
    member = Membership.objects.get(user__username="analyst")
    assert (
        admin.post("/administration/users/analyst/role/", {"role": "investigator"}).status_code
        == 302
    )
    member.refresh_from_db()
    assert member.role == "analyst"  # a grant: it waits for the second administrator
    page = second_admin.get("/administration/").content.decode()
    assert "/administration/users/analyst/approve-role/" in page
    # The administrator who asked sees the request but no button to approve it.
    assert (
        "/administration/users/analyst/approve-role/"
        not in admin.get("/administration/").content.decode()
    )
    assert admin.post("/administration/users/analyst/approve-role/").status_code == 403
    assert second_admin.post("/administration/users/analyst/approve-role/").status_code == 302
    assert (
        admin.post("/administration/users/analyst/disable/", {"reason": "left"}).status_code == 302
    )
    member.refresh_from_db()
    assert member.role == "investigator" and member.disabled_at is not None
    assert admin.post("/administration/users/analyst/enable/").status_code == 302
    assert admin.post("/administration/users/analyst/unlock/").status_code == 302
    assert admin.post("/administration/users/analyst/teleport/").status_code == 404
    assert AuditEvent.objects.filter(
        action__startswith="account.", object_id=str(member.user_id)
    ).exists()


def test_a_token_is_shown_once_and_can_be_revoked(client_as: ClientAs) -> None:
    admin = client_as("admin")
    page = admin.post(
        "/administration/tokens/", {"owner": "analyst", "name": "nightly export", "days": "30"}
    ).content.decode()
    assert 'id="secret">bcn_' in page
    token = ApiToken.objects.get(name="nightly export")
    assert token.owner.username == "admin"  # the administrator's own: never the analyst's
    assert admin.post(f"/administration/tokens/{token.prefix}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.digest not in admin.get("/administration/tokens/").content.decode()


@pytest.mark.parametrize("username", ["coordinator", "investigator.hsi", "pio", "caseworker.zoe"])
def test_only_administrators_reach_administration(client_as: ClientAs, username: str) -> None:
    client = client_as(username)
    for path in ("/administration/", "/administration/audit/", "/administration/tokens/"):
        assert client.get(path).status_code == 403


def test_agencies_are_listed_with_their_ori(client_as: ClientAs) -> None:
    page = client_as("admin").get("/administration/agencies/").content.decode()
    assert "NMDEMO001" in page and "HSI Las Cruces" in page


# --- Planning: creating an operation and adding targets (through the bundle importer).


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


def test_supervisor_edits_an_operation_of_their_agency_and_the_change_is_audited(
    supervisor: Client,
) -> None:
    from beacon.audit.models import AuditEvent

    code = "RESCUE-ME-2021"
    form = supervisor.get(f"/operations/{code}/edit/")
    assert form.status_code == 200 and 'name="name"' in form.content.decode()
    response = supervisor.post(
        f"/operations/{code}/edit/",
        {
            "name": "Operation Rescue Me",
            "description": "Extended to Luna County.",
            "status": "closed",
            "start": "2021-05-01",
            "end": "2021-07-26",
            "focus": ["missing_children"],
            "partners": ["NMDEMO009"],
        },
    )
    assert response.status_code == 302
    operation = Operation.objects.get(code=code)
    assert (operation.status, str(operation.end)) == ("closed", "2021-07-26")
    event = AuditEvent.objects.filter(action="operations.modify", object_id=code).get()
    assert event.detail["changes"]["status"] == {"before": "active", "after": "closed"}


def test_a_bad_edit_is_refused_by_field_and_changes_nothing(supervisor: Client) -> None:
    code = "RESCUE-ME-2021"
    response = supervisor.post(
        f"/operations/{code}/edit/",
        {"name": "", "status": "finished", "start": "2021-05-01", "end": "2021-01-01"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert html.count('aria-invalid="true"') >= 2  # name and end, next to their fields
    assert Operation.objects.get(code=code).status == "active"


def test_an_agency_outside_the_operation_cannot_edit_it(client_as: ClientAs) -> None:
    # The hub coordinator (Missouri) does not take part in Rescue Me: not visible, 404.
    response = client_as("coordinator").get("/operations/RESCUE-ME-2021/edit/")
    assert response.status_code in (403, 404)
    assert Operation.objects.get(code="RESCUE-ME-2021").status == "active"


def test_a_new_operation_joins_a_series_as_its_next_edition(supervisor: Client) -> None:
    form = supervisor.get("/operations/new/").content.decode()
    assert '<label for="f-series">' in form and "Operation Protected Childhood" in form
    base = {"name": "Operation Protected Childhood 9", "status": "planned", "start": "2022-05-01"}
    taken = supervisor.post(
        "/operations/new/",
        {**base, "code": "PC-9", "series": "PROTECTED-CHILDHOOD", "edition": "8"},
    )
    assert taken.status_code == 422  # edition 8 already exists
    assert 'id="e-edition"' in taken.content.decode()  # said next to the field
    assert not Operation.objects.filter(code="PC-9").exists()
    response = supervisor.post(
        "/operations/new/",
        {**base, "code": "PC-9", "series": "PROTECTED-CHILDHOOD", "edition": "9"},
    )
    assert response.status_code == 302
    created = Operation.objects.get(code="PC-9")
    assert (created.series.code, created.edition) == ("PROTECTED-CHILDHOOD", 9)  # type: ignore[union-attr]
