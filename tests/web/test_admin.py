"""Administration (accounts, tokens, agencies, audit trail: admins only) and planning
(creating an operation and adding targets)."""

from __future__ import annotations

import re
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


# --- Administration: the user page, search, role names, the trail newest first.


def test_the_user_page_shows_sign_in_failures_lock_role_and_agency(client_as: ClientAs) -> None:
    from django.test import Client as Anonymous
    from django.utils import timezone

    from beacon.access.models import SignInAttempt

    for _ in range(2):
        SignInAttempt.objects.create(
            username="analyst", source_address="192.0.2.7", succeeded=False
        )
    Membership.objects.filter(user__username="analyst").update(locked_at=timezone.now())
    admin = client_as("admin")
    response = admin.get("/administration/users/analyst/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<dd id="role">Analyst</dd>' in page
    assert "HSI Las Cruces" in page and '<dd id="failures">2</dd>' in page
    assert '<dd id="locked-since">—</dd>' not in page and "192.0.2.7" in page
    assert '<dd id="last-sign-in">Never</dd>' in page
    assert Anonymous().get("/administration/users/analyst/").status_code in (302, 403)
    assert admin.get("/administration/users/nobody-by-that-name/").status_code == 404


def test_actions_on_a_user_are_listed_newest_first_on_their_page(client_as: ClientAs) -> None:
    admin = client_as("admin")
    user_id = Membership.objects.get(user__username="analyst").user_id
    admin.post("/administration/users/analyst/disable/", {"reason": "left", "back": "user"})
    back = admin.post("/administration/users/analyst/enable/", {"back": "user"})
    assert back["Location"] == "/administration/users/analyst/"
    page = admin.get("/administration/users/analyst/").content.decode()
    on_user = page[page.index('id="on-user"') : page.index('id="by-user"')]
    assert on_user.index("account.enabled") < on_user.index("account.disabled")
    assert f'href="/administration/users/analyst/">user {user_id}</a>' in on_user
    # The administrator who acted is linked to their own page.
    assert 'href="/administration/users/admin/">admin</a>' in on_user


def test_the_audit_trail_is_newest_first_with_linked_objects(client_as: ClientAs) -> None:
    admin = client_as("admin")
    admin.post("/administration/users/analyst/role/", {"role": "investigator"})
    client_as("investigator.hsi").get("/operations/RESCUE-ME-2021/targets/")  # audited read
    page = admin.get("/administration/audit/").content.decode()
    seqs = [int(s) for s in re.findall(r'<tr><td class="num">(\d+)</td>', page)]
    assert len(seqs) > 2 and seqs == sorted(seqs, reverse=True)
    assert 'href="/administration/users/analyst/">user ' in page
    record = AuditEvent.objects.filter(object_type="operation", object_id="RESCUE-ME-2021").first()
    assert record is not None
    trail = admin.get(
        f"/administration/audit/?object_type=operation&object_id={record.object_id}"
    ).content.decode()
    assert f'href="/operations/{record.object_id}/">operation {record.object_id}</a>' in trail


def test_the_audit_trail_pages_back_to_older_events(client_as: ClientAs) -> None:
    from beacon.web.views import admin as admin_views

    admin = client_as("admin")
    first = admin.get("/administration/audit/").content.decode()
    seqs = [int(s) for s in re.findall(r'<tr><td class="num">(\d+)</td>', first)]
    assert len(seqs) == admin_views.AUDIT_PAGE
    older = re.search(r'href="\?before=(\d+)"', first)
    assert older is not None and int(older.group(1)) == seqs[-1]
    second = admin.get(f"/administration/audit/?before={older.group(1)}").content.decode()
    next_seqs = [int(s) for s in re.findall(r'<tr><td class="num">(\d+)</td>', second)]
    assert next_seqs and max(next_seqs) < seqs[-1]


def test_accounts_are_searched_by_username_name_or_agency(client_as: ClientAs) -> None:
    from django.contrib.auth.models import User

    User.objects.filter(username="caseworker.zoe").update(first_name="Zoë", last_name="Okafor")
    admin = client_as("admin")

    def rows(query: str) -> set[str]:
        page = admin.get("/administration/", {"q": query}).content.decode()
        return set(re.findall(r'<tr id="user-([^"]+)">', page))

    assert rows("investigator.") == {"investigator.hsi", "investigator.lcpd"}
    assert rows("okafor") == {"caseworker.zoe"}
    assert rows("HSI Las") == {"investigator.hsi", "analyst"}
    assert rows("no such person") == set()
    assert "No account matches." in admin.get("/administration/?q=zzz").content.decode()


def test_roles_are_shown_by_name_in_english_and_french(client_as: ClientAs) -> None:
    admin = client_as("admin")
    page = admin.get("/administration/").content.decode()
    assert '<option value="hub_coordinator" selected>Hub coordinator</option>' in page
    options = re.findall(r"<option value=\"(\w+)\"[^>]*>([^<]+)</option>", page)
    assert ("pio", "Public information officer") in options
    assert not [code for code, name in options if code == name]
    admin.cookies["django_language"] = "fr"
    french = admin.get("/administration/users/coordinator/").content.decode()
    assert '<dd id="role">Coordinateur de pôle</dd>' in french
    tokens = admin.get("/administration/tokens/").content.decode()
    assert ">Enquêteur</option>" in tokens


@pytest.mark.parametrize("username", ["coordinator", "investigator.hsi", "pio", "caseworker.zoe"])
def test_only_administrators_reach_a_user_page(client_as: ClientAs, username: str) -> None:
    assert client_as(username).get("/administration/users/analyst/").status_code == 403


def test_the_user_page_answers_in_a_flat_number_of_queries(client_as: ClientAs) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = client_as("admin")

    def queries() -> int:
        admin.get("/administration/users/analyst/")
        admin.get("/administration/users/analyst/")
        with CaptureQueriesContext(connection) as captured:
            assert admin.get("/administration/users/analyst/").status_code == 200
        return len(captured)

    before = queries()
    for n in range(30):
        admin.post(
            "/administration/users/analyst/role/", {"role": ("analyst", "supervisor")[n % 2]}
        )
    assert queries() == before


def test_a_refused_add_keeps_what_was_typed_in_the_box(supervisor: Client) -> None:
    supervisor.post(
        "/operations/new/",
        {"code": "KEEP-OP", "name": "Keep", "start": "2021-07-01", "jurisdictions": "state:NM"},
    )
    typed = "M000000001\nM000000002"
    response = supervisor.post("/operations/KEEP-OP/targets/add/", {"nics": typed}, follow=True)
    html = response.content.decode()
    assert "Unknown or not visible: M000000001, M000000002" in html
    assert f'<textarea id="f-nics" name="nics" rows="3">{typed}</textarea>' in html
    assert "<details open>" in html  # the form is open on what was typed
    again = supervisor.get("/operations/KEEP-OP/targets/").content.decode()
    assert '<textarea id="f-nics" name="nics" rows="3"></textarea>' in again  # once only
