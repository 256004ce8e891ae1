from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from beacon.access import services
from beacon.access.models import Membership
from beacon.agencies.models import Agency
from beacon.audit.models import AuditEvent
from beacon.core.actor import system_actor
from tests.access.conftest import PASSWORD, current_code, enrol_totp

SIGN_IN = "/account/sign-in/"


def post_sign_in(client: Client, username: str, password: str, code: str = "") -> int:
    response = client.post(SIGN_IN, {"username": username, "password": password, "code": code})
    return int(response.status_code)


def test_sign_in_with_password_and_code_reaches_the_api(
    make_user: Callable[..., User], agency_a: Agency
) -> None:
    user = make_user("alice", agency_a)
    device = enrol_totp(user)
    client = Client()
    assert post_sign_in(client, "alice", PASSWORD, current_code(device)) == 302
    me = client.get("/api/access/me")
    assert me.status_code == 200
    assert me.json()["role"] == "investigator"
    assert me.json()["agency_ori"] == agency_a.ori
    logon = AuditEvent.objects.filter(action="auth.logon").last()
    assert logon is not None and logon.actor == "alice" and logon.agency_ori == agency_a.ori


def test_wrong_password_and_unknown_user_look_the_same_and_are_audited(
    make_user: Callable[..., User], agency_a: Agency
) -> None:
    make_user("alice", agency_a)
    client = Client()
    wrong = client.post(SIGN_IN, {"username": "alice", "password": "nope nope nope"})
    unknown = client.post(SIGN_IN, {"username": "mallory", "password": "nope nope nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert b"Sign-in failed." in wrong.content and b"Sign-in failed." in unknown.content
    reasons = list(
        AuditEvent.objects.filter(action="auth.logon_failed").values_list("detail", flat=True)
    )
    assert [r["reason"] for r in reasons] == ["wrong password", "unknown user"]


def test_mfa_is_required_for_roles_that_see_personal_data(
    make_user: Callable[..., User], agency_a: Agency
) -> None:
    user = make_user("alice", agency_a)
    device = enrol_totp(user)
    client = Client()
    assert post_sign_in(client, "alice", PASSWORD, "") == 401
    assert post_sign_in(client, "alice", PASSWORD, "abcdef") == 401
    assert client.get("/api/access/me").status_code == 401
    assert post_sign_in(client, "alice", PASSWORD, current_code(device)) == 302


def test_first_sign_in_must_enrol_an_authenticator_before_any_personal_data(
    make_user: Callable[..., User], agency_a: Agency
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    make_user("alice", agency_a)
    client = Client()
    response = client.post(SIGN_IN, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("access:enrol")
    # Signed in with a password only: every route with a permission refuses.
    assert client.get("/api/access/me").status_code == 200  # SIGNED_IN: who am I
    assert client.get("/api/audit/events").status_code == 401
    page = client.get(reverse("access:enrol"))
    assert page.status_code == 200 and b"Key:" in page.content
    pending = TOTPDevice.objects.get(user__username="alice", confirmed=False)
    bad = client.post(reverse("access:enrol"), {"code": "12345"})
    assert bad.status_code == 422
    done = client.post(reverse("access:enrol"), {"code": current_code(pending)})
    assert done.status_code == 200
    assert done.content.count(b"<li><code>") == 10
    assert TOTPDevice.objects.get(user__username="alice").confirmed
    assert AuditEvent.objects.filter(action="account.mfa_enrolled").count() == 1


def test_a_recovery_code_signs_in_once(make_user: Callable[..., User], agency_a: Agency) -> None:
    from beacon.access import mfa

    user = make_user("alice", agency_a)
    enrol_totp(user)
    codes = mfa.new_recovery_codes(system_actor(), user)
    assert post_sign_in(Client(), "alice", PASSWORD, codes[0]) == 302
    assert post_sign_in(Client(), "alice", PASSWORD, codes[0]) == 401
    assert post_sign_in(Client(), "alice", PASSWORD, codes[1]) == 302


def test_a_password_reset_does_not_bypass_mfa(
    make_user: Callable[..., User], agency_a: Agency
) -> None:
    user = make_user("alice", agency_a)
    device = enrol_totp(user)
    services.set_password(system_actor(), user, "a brand new passphrase 42")
    assert post_sign_in(Client(), "alice", "a brand new passphrase 42", "") == 401
    code = current_code(device)
    assert post_sign_in(Client(), "alice", "a brand new passphrase 42", code) == 302


def test_five_failures_in_fifteen_minutes_lock_until_an_admin_unlocks(
    make_user: Callable[..., User], agency_a: Agency
) -> None:
    user = make_user("alice", agency_a)
    admin = make_user("root", Agency.system(), "system_admin")
    device = enrol_totp(user)
    client = Client()
    answers = [
        client.post(SIGN_IN, {"username": "alice", "password": "not the password!"})
        for _ in range(5)
    ]
    assert [a.status_code for a in answers] == [401] * 5
    assert Membership.objects.get(user=user).locked_at is not None
    # The attempt that locks the account says so, and what to do; none before it does.
    assert [b"now locked" in a.content for a in answers] == [False] * 4 + [True]
    assert b"administrator" in answers[-1].content
    # Locked: even the right password and code are refused, with the one message (a
    # locked account must not tell a guesser which password was right).
    right = client.post(
        SIGN_IN, {"username": "alice", "password": PASSWORD, "code": current_code(device)}
    )
    wrong = client.post(SIGN_IN, {"username": "alice", "password": "still not it", "code": ""})
    assert right.status_code == wrong.status_code == 401
    for answer in (right, wrong):
        assert b"now locked" not in answer.content
        assert b"Check your username, password and code." in answer.content
    assert AuditEvent.objects.filter(action="account.locked", object_id=str(user.pk)).count() == 1
    admin_actor = services.actor_of_user(admin)
    services.unlock_user(admin_actor, user)
    assert Membership.objects.get(user=user).locked_at is None
    assert post_sign_in(client, "alice", PASSWORD, current_code(device)) == 302
    assert AuditEvent.objects.filter(action="account.unlocked").count() == 1


def test_wrong_second_factor_codes_count_towards_the_lockout(
    make_user: Callable[..., User], agency_a: Agency
) -> None:
    # The reason Beacon keeps its own lockout (docs/decisions/0006): a right password with
    # a wrong code is a failed sign-in too, and five of them lock the account.
    user = make_user("alice", agency_a)
    device = enrol_totp(user)
    client = Client()
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert post_sign_in(client, "alice", PASSWORD, wrong) == 401
    assert Membership.objects.get(user=user).locked_at is not None
    assert post_sign_in(client, "alice", PASSWORD, current_code(device)) == 401


def test_failures_older_than_the_window_or_before_a_success_do_not_count(
    make_user: Callable[..., User], agency_a: Agency
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    user = make_user("alice", agency_a)
    device = enrol_totp(user)
    client = Client()
    for _ in range(4):
        post_sign_in(client, "alice", "not the password!")
    Membership.objects.filter(user=user).update(failed_since=timezone.now() - timedelta(minutes=16))
    for _ in range(4):
        post_sign_in(client, "alice", "not the password!")
    assert Membership.objects.get(user=user).locked_at is None
    assert post_sign_in(client, "alice", PASSWORD, current_code(device)) == 302
    for _ in range(4):
        post_sign_in(Client(), "alice", "not the password!")
    assert Membership.objects.get(user=user).locked_at is None


def test_an_address_is_rate_limited(
    make_user: Callable[..., User], agency_a: Agency, settings: object
) -> None:
    settings.BEACON_LOGIN_RATE = (3, 60)  # type: ignore[attr-defined]
    make_user("alice", agency_a)
    client = Client()
    statuses = [post_sign_in(client, f"user{i}", "whatever whatever") for i in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    assert AuditEvent.objects.filter(action="auth.rate_limited").count() == 1


def test_only_an_admin_unlocks(make_user: Callable[..., User], agency_a: Agency) -> None:
    from beacon.core.errors import Forbidden

    user = make_user("alice", agency_a)
    other = make_user("bob", agency_a, "supervisor")
    with pytest.raises(Forbidden):
        services.unlock_user(services.actor_of_user(other), user)
    assert AuditEvent.objects.filter(action="access.denied").count() == 1


@pytest.mark.django_db
def test_the_sign_in_page_and_its_refusal_are_in_french_when_chosen() -> None:
    client = Client()
    client.cookies["django_language"] = "fr"
    page = client.get(SIGN_IN).content.decode()
    assert "Connexion à Beacon" in page and "Mot de passe" in page
    refused = client.post(SIGN_IN, {"username": "nobody", "password": "wrong", "code": ""})
    assert refused.status_code == 401
    assert "La connexion a échoué" in refused.content.decode()


def test_the_chosen_language_is_kept_on_the_account_and_restored_at_sign_in(
    make_user: Callable[..., User], agency_a: Agency
) -> None:
    user = make_user("alice", agency_a)
    device = enrol_totp(user)
    first = Client()
    assert post_sign_in(first, "alice", PASSWORD, current_code(device)) == 302
    assert first.post("/language/", {"language": "fr", "next": "/"}).status_code == 302
    assert Membership.objects.get(user=user).language == "fr"
    elsewhere = Client()  # another device: no language cookie yet
    device.refresh_from_db()
    device.last_t = -1  # the same 30-second window may be used again in this test
    device.save()
    response = elsewhere.post(
        SIGN_IN, {"username": "alice", "password": PASSWORD, "code": current_code(device)}
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "fr"


def test_an_account_past_its_api_rate_gets_429_and_one_audited_refusal(
    api_client_as: Callable[..., Client], agency_a: Agency, settings: object
) -> None:
    from beacon.access import ratelimit

    settings.BEACON_API_RATE_PER_MINUTE = 3  # type: ignore[attr-defined]
    ratelimit._windows.clear()
    client = api_client_as("investigator", agency_a)
    assert [client.get("/api/access/me").status_code for _ in range(3)] == [200, 200, 200]
    assert [client.get("/api/access/me").status_code for _ in range(2)] == [429, 429]
    refusals = AuditEvent.objects.filter(action="access.rate_limited")
    assert refusals.count() == 1 and refusals.get().outcome == "denied"
    other = api_client_as("investigator", agency_a)  # another account is not slowed
    assert other.get("/api/access/me").status_code == 200
