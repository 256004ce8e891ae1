"""What an administrator can and cannot do with other people's accounts (issue 14):
no token for someone else, no raise of their own role, a second administrator for every
grant above the current role, and new accounts that start with the least power."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from beacon.access import services, tokens
from beacon.access.models import ApiToken, Membership, RoleRequest
from beacon.access.permissions import (
    HUMAN_ROLES,
    LEAST_ROLE,
    ROLE_PERMISSIONS,
    ROLES_BY_POWER,
    reads_cases,
    role_requires_mfa,
)
from beacon.agencies.models import Agency
from beacon.audit.models import AuditEvent
from beacon.core.actor import system_actor
from beacon.core.errors import Forbidden
from tests.access.conftest import PASSWORD


def _signed_in_as(user: User) -> Client:
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="t", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _post(client: Client, url: str, body: dict[str, object]) -> object:
    return client.post(url, body, content_type="application/json")


@pytest.fixture
def admins(make_user: Callable[..., User]) -> tuple[User, User]:
    system = Agency.system()
    return make_user("admin", system, "system_admin"), make_user(
        "admin.two", system, "system_admin"
    )


# --- 1. Only the token's owner ever sees a raw token ----------------------------------


def test_the_token_service_has_no_owner_to_name() -> None:
    assert "owner" not in inspect.signature(tokens.create_token).parameters


def test_an_admin_cannot_mint_a_token_for_an_investigator(
    admins: tuple[User, User], make_user: Callable[..., User], agency_a: Agency
) -> None:
    investigator = make_user("investigator.hsi", agency_a)
    client = _signed_in_as(admins[0])
    refused = client.post(
        "/api/access/tokens",
        {"owner": "investigator.hsi", "name": "x", "days": 30},
        content_type="application/json",
    )
    assert refused.status_code == 403 and b"bcn_" not in refused.content
    # The attempt is on the trail (it was refused without a trace).
    denied = AuditEvent.objects.get(action="access.denied", actor="admin")
    assert (denied.object_id, denied.outcome) == ("investigator.hsi", "denied")
    assert denied.detail == {"reason": "token for someone else"}
    page = client.post("/administration/tokens/", {"owner": "investigator.hsi", "name": "x"})
    assert not ApiToken.objects.filter(owner=investigator).exists()
    # The page makes the administrator's own token, whatever owner is posted.
    assert page.status_code == 200
    assert ApiToken.objects.get().owner == admins[0]


def test_no_one_mints_a_token_for_someone_else_nor_a_token_with_a_token(
    make_user: Callable[..., User], agency_a: Agency
) -> None:
    alice = make_user("alice", agency_a)
    with pytest.raises(Forbidden):
        tokens.create_token(system_actor(), "by the system")  # the system is no person
    _token, raw = tokens.create_token(services.actor_of_user(alice), "mine")
    by_token = Client(headers={"Authorization": f"Bearer {raw}"})
    again = by_token.post("/api/access/tokens", {"name": "more"}, content_type="application/json")
    assert again.status_code == 403
    assert ApiToken.objects.count() == 1
    reasons = list(
        AuditEvent.objects.filter(action="access.denied")
        .order_by("id")
        .values_list("actor", "detail__reason")
    )
    assert [r for _a, r in reasons] == ["token for no person", "token made with a token"]
    assert reasons[1][0].startswith("alice/token:")


def test_a_person_creates_and_revokes_their_own_token_over_the_api(
    make_user: Callable[..., User], agency_a: Agency
) -> None:
    alice = make_user("alice", agency_a)
    client = _signed_in_as(alice)
    made = client.post("/api/access/tokens", {"name": "sync"}, content_type="application/json")
    assert made.status_code == 201 and made.json()["token"].startswith("bcn_")
    me = Client(headers={"Authorization": f"Bearer {made.json()['token']}"}).get("/api/access/me")
    assert me.json()["name"].startswith("alice/token:")
    assert client.delete(f"/api/access/tokens/{made.json()['prefix']}").status_code == 200
    event = AuditEvent.objects.get(action="token.created")
    assert event.actor == "alice" and event.detail["owner"] == "alice"


# --- 2. A refused request changes nothing; no raise of one's own role; two persons -----


def test_an_admin_cannot_raise_their_own_role(admins: tuple[User, User]) -> None:
    admin = admins[0]
    client = _signed_in_as(admin)
    answer = _post(client, "/api/access/users/admin/role", {"role": "hub_coordinator"})
    assert answer.status_code == 403
    assert Membership.objects.get(user=admin).role == "system_admin"
    assert not RoleRequest.objects.exists()
    # The session survives a refusal: the next request is still the administrator's.
    assert client.get("/api/access/me").json()["role"] == "system_admin"
    denied = AuditEvent.objects.filter(action="access.denied").last()
    assert denied is not None and denied.detail == {"reason": "own account"}


def test_granting_a_case_reading_role_needs_a_second_administrator(
    admins: tuple[User, User], make_user: Callable[..., User], agency_a: Agency
) -> None:
    first, second = admins
    carol = make_user("carol", agency_a, "pio")
    asked = _post(_signed_in_as(first), "/api/access/users/carol/role", {"role": "investigator"})
    assert asked.status_code == 202 and asked.json()["role"] == "pio"
    assert asked.json()["pending"] == {
        "role": "investigator",
        "agency_ori": agency_a.ori,
        "requested_by": "admin",
    }
    assert Membership.objects.get(user=carol).role == "pio"
    # Neither the one who asked nor the user themself may approve it.
    own = _post(_signed_in_as(first), "/api/access/users/carol/role/approve", {})
    assert own.status_code == 403
    assert Membership.objects.get(user=carol).role == "pio"
    approved = _post(_signed_in_as(second), "/api/access/users/carol/role/approve", {})
    assert approved.status_code == 200 and approved.json()["role"] == "investigator"
    assert approved.json()["pending"] is None
    actions = list(
        AuditEvent.objects.filter(action__startswith="account.role").values_list("action", "actor")
    )
    assert actions == [
        ("account.role_requested", "admin"),
        ("account.role_approved", "admin.two"),
        ("account.role_changed", "admin.two"),
    ]


def test_two_administrators_cannot_approve_each_others_self_raise(
    admins: tuple[User, User],
) -> None:
    first, second = admins
    # The second administrator asks for the first to read case files; the first may not
    # approve a change to their own account.
    asked = _post(_signed_in_as(second), "/api/access/users/admin/role", {"role": "analyst"})
    assert asked.status_code == 202
    own = _post(_signed_in_as(first), "/api/access/users/admin/role/approve", {})
    assert own.status_code == 403
    assert Membership.objects.get(user=first).role == "system_admin"


def test_a_refused_role_request_changes_nothing(
    admins: tuple[User, User], make_user: Callable[..., User], agency_a: Agency
) -> None:
    first, second = admins
    carol = make_user("carol", agency_a, "pio")
    _post(_signed_in_as(first), "/api/access/users/carol/role", {"role": "hub_coordinator"})
    refused = _post(_signed_in_as(second), "/api/access/users/carol/role/refuse", {})
    assert refused.status_code == 200 and refused.json()["role"] == "pio"
    assert RoleRequest.objects.get().approved is False
    again = _post(_signed_in_as(second), "/api/access/users/carol/role/approve", {})
    assert again.status_code == 404
    assert Membership.objects.get(user=carol).role == "pio"


def test_lowering_a_role_applies_at_once(
    admins: tuple[User, User], make_user: Callable[..., User], agency_a: Agency
) -> None:
    dave = make_user("dave", agency_a, "hub_coordinator")
    lowered = _post(_signed_in_as(admins[0]), "/api/access/users/dave/role", {"role": "analyst"})
    assert lowered.status_code == 200 and lowered.json()["role"] == "analyst"
    assert Membership.objects.get(user=dave).role == "analyst"


def test_moving_a_case_reader_to_another_agency_needs_a_second_administrator(
    admins: tuple[User, User], make_user: Callable[..., User], agency_a: Agency, agency_b: Agency
) -> None:
    erin = make_user("erin", agency_a, "investigator")
    moved = _post(
        _signed_in_as(admins[0]),
        "/api/access/users/erin/role",
        {"role": "investigator", "agency_ori": agency_b.ori},
    )
    assert moved.status_code == 202
    assert Membership.objects.get(user=erin).agency == agency_a


@pytest.mark.parametrize(
    "action", ["disable", "enable", "unlock", "reset-mfa", "role", "approve-role"]
)
def test_an_admin_cannot_administer_their_own_account_on_the_pages(
    action: str, admins: tuple[User, User]
) -> None:
    admin = admins[0]
    client = _signed_in_as(admin)
    before = (Membership.objects.get(user=admin).role, admin.is_active)
    answer = client.post(f"/administration/users/admin/{action}/", {"role": "hub_coordinator"})
    assert answer.status_code in (302, 403, 404)
    admin.refresh_from_db()
    assert (Membership.objects.get(user=admin).role, admin.is_active) == before
    assert not RoleRequest.objects.exists()


# --- 3. New accounts start with the least power ----------------------------------------


def test_the_least_role_is_the_least_powerful_and_reads_nothing() -> None:
    least = ROLE_PERMISSIONS[LEAST_ROLE]
    assert all(len(least) <= len(ROLE_PERMISSIONS[r]) for r in HUMAN_ROLES)
    assert not reads_cases(LEAST_ROLE) and not role_requires_mfa(LEAST_ROLE)
    assert ROLES_BY_POWER[0] == LEAST_ROLE and set(ROLES_BY_POWER) == set(HUMAN_ROLES)


def test_a_new_account_defaults_to_the_least_role_everywhere(
    admins: tuple[User, User], agency_a: Agency
) -> None:
    client = _signed_in_as(admins[0])
    body = {"username": "fresh", "password": PASSWORD, "agency_ori": agency_a.ori}
    made = _post(client, "/api/access/users", body)
    assert made.status_code == 201 and made.json()["role"] == LEAST_ROLE
    assert made.json()["pending"] is None
    page = client.get("/administration/").content.decode()
    new_account_form = page[page.index('id="f-role"') :]
    selected = new_account_form[: new_account_form.index("</select>")]
    assert f'<option value="{LEAST_ROLE}" selected>' in selected
    assert selected.index(LEAST_ROLE) < selected.index("system_admin")


def test_an_admin_creating_a_case_reader_only_requests_the_role(
    admins: tuple[User, User], agency_a: Agency
) -> None:
    client = _signed_in_as(admins[0])
    body = {
        "username": "newbie",
        "password": PASSWORD,
        "agency_ori": agency_a.ori,
        "role": "hub_coordinator",
    }
    made = _post(client, "/api/access/users", body)
    assert made.status_code == 201 and made.json()["role"] == LEAST_ROLE
    assert made.json()["pending"]["role"] == "hub_coordinator"
    form = client.post(
        "/administration/",
        {"username": "formed", "password": PASSWORD, "agency": agency_a.ori, "role": "analyst"},
    )
    assert form.status_code == 302
    assert Membership.objects.get(user__username="formed").role == LEAST_ROLE
