from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from beacon.access import services, tokens
from beacon.access.models import ApiToken, Membership
from beacon.access.services import actor_of_user
from beacon.agencies.models import Agency
from beacon.audit.models import AuditEvent
from beacon.core.actor import system_actor
from beacon.core.errors import ValidationFailed
from tests.access.conftest import PASSWORD, current_code, enrol_totp


def test_disabling_ends_sessions_and_revokes_tokens_at_once(
    make_user: Callable[..., User], agency_a: Agency
) -> None:
    user = make_user("alice", agency_a)
    device = enrol_totp(user)
    web = Client()
    web.post(
        "/account/sign-in/",
        {"username": "alice", "password": PASSWORD, "code": current_code(device)},
    )
    _token, raw = tokens.create_token(actor_of_user(user), "integration")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    assert web.get("/api/access/me").status_code == 200
    assert api.get("/api/access/me").status_code == 200

    services.disable_user(system_actor(), user, "left the task force")

    assert web.get("/api/access/me").status_code == 401
    assert api.get("/api/access/me").status_code == 401
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id")]
    assert ApiToken.objects.get(owner=user).revoked_at is not None
    event = AuditEvent.objects.get(action="account.disabled")
    assert event.detail["sessions_ended"] == 1 and event.detail["tokens_revoked"] == 1


def test_accounts_inactive_ninety_days_are_disabled(
    make_user: Callable[..., User], agency_a: Agency
) -> None:
    stale = make_user("stale", agency_a)
    fresh = make_user("fresh", agency_a)
    Membership.objects.filter(user=stale).update(
        last_activity_at=timezone.now() - timedelta(days=91)
    )
    Membership.objects.filter(user=fresh).update(
        last_activity_at=timezone.now() - timedelta(days=89)
    )
    assert services.disable_inactive(system_actor()) == ["stale"]
    assert Membership.objects.get(user=stale).disabled_at is not None
    assert Membership.objects.get(user=fresh).disabled_at is None


def test_signing_in_after_ninety_days_of_inactivity_disables_and_refuses(
    make_user: Callable[..., User], agency_a: Agency
) -> None:
    user = make_user("stale", agency_a)
    device = enrol_totp(user)
    Membership.objects.filter(user=user).update(
        last_activity_at=timezone.now() - timedelta(days=91)
    )
    response = Client().post(
        "/account/sign-in/",
        {"username": "stale", "password": PASSWORD, "code": current_code(device)},
    )
    assert response.status_code == 401
    assert Membership.objects.get(user=user).disabled_at is not None


def test_role_changes_are_audited_with_before_and_after(
    make_user: Callable[..., User], agency_a: Agency, agency_b: Agency
) -> None:
    user = make_user("alice", agency_a)
    services.change_role(system_actor(), user, "analyst", agency_b)
    event = AuditEvent.objects.get(action="account.role_changed")
    assert event.detail["before"] == {"role": "investigator", "agency": agency_a.ori}
    assert event.detail["after"] == {"role": "analyst", "agency": agency_b.ori}


def test_a_token_is_shown_once_stored_hashed_and_scoped(
    make_user: Callable[..., User], agency_a: Agency
) -> None:
    user = make_user("alice", agency_a, "supervisor")
    token, raw = tokens.create_token(actor_of_user(user), "sync", role="analyst", days=30)
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in {stored.digest, stored.prefix, stored.name}
    assert stored.agency == agency_a and stored.role == "analyst"
    me = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/access/me").json()
    assert me["role"] == "analyst" and me["agency_ori"] == agency_a.ori
    with pytest.raises(ValidationFailed):
        tokens.create_token(actor_of_user(user), "too strong", role="system_admin")


def test_expired_and_revoked_tokens_are_refused(
    make_user: Callable[..., User], agency_a: Agency
) -> None:
    user = make_user("alice", agency_a)
    expired, raw_expired = tokens.create_token(actor_of_user(user), "old")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    revoked, raw_revoked = tokens.create_token(actor_of_user(user), "gone")
    tokens.revoke_token(system_actor(), revoked.prefix)
    for raw in (raw_expired, raw_revoked, raw_revoked[:-2] + "xx", "bcn_nothing"):
        response = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/access/me")
        assert response.status_code == 401
        assert response.json()["error"] == "unauthenticated"


def test_admin_manages_accounts_over_the_api(
    api_client_as: Callable[..., Client], agency_a: Agency
) -> None:
    admin = api_client_as("system_admin", Agency.system())
    created = admin.post(
        "/api/access/users",
        {"username": "carol", "password": PASSWORD, "agency_ori": agency_a.ori, "role": "analyst"},
        content_type="application/json",
    )
    # An administrator's grant of a case-reading role waits for a second administrator.
    assert created.status_code == 201
    assert created.json()["role"] == "pio" and created.json()["pending"]["role"] == "analyst"
    weak = admin.post(
        "/api/access/users",
        {"username": "dave", "password": "short", "agency_ori": agency_a.ori, "role": "analyst"},
        content_type="application/json",
    )
    assert weak.status_code == 422 and "password" in weak.json()["fields"]
    for_carol = admin.post(
        "/api/access/tokens", {"owner": "carol", "name": "sync"}, content_type="application/json"
    )
    assert for_carol.status_code == 403 and "token" not in for_carol.json()
    assert not ApiToken.objects.filter(owner__username="carol").exists()
    own, _raw = tokens.create_token(actor_of_user(User.objects.get(username="carol")), "sync")
    prefix = own.prefix
    assert (
        admin.post(
            "/api/access/users/carol/disable", {"reason": "test"}, content_type="application/json"
        ).status_code
        == 200
    )
    assert ApiToken.objects.get(prefix=prefix).revoked_at is not None
    investigator = api_client_as("investigator", agency_a)
    refused = investigator.post("/api/access/users/carol/enable", content_type="application/json")
    assert refused.status_code == 403


def test_refused_tokens_are_audited_and_rate_limited_per_address(
    make_user: Callable[..., User], agency_a: Agency, settings: object
) -> None:
    settings.BEACON_LOGIN_RATE = (3, 60)  # type: ignore[attr-defined]
    user = make_user("alice", agency_a)
    token, raw = tokens.create_token(actor_of_user(user), "old")
    tokens.revoke_token(system_actor(), token.prefix)
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    statuses = [client.get("/api/access/me").status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    refused = AuditEvent.objects.filter(action="auth.token_refused")
    assert refused.count() == 3 and {e.object_id for e in refused} == {token.prefix}
    assert AuditEvent.objects.filter(action="auth.rate_limited").count() == 1
