from __future__ import annotations

import io
import sys

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from beacon.access.models import ApiToken, Membership
from beacon.agencies.models import Agency
from beacon.audit.models import AuditEvent


def run(*args: str, stdin: str = "") -> str:
    out = io.StringIO()
    original, sys.stdin = sys.stdin, io.StringIO(stdin)
    try:
        call_command("accounts", *args, stdout=out)
    finally:
        sys.stdin = original
    return out.getvalue()


def test_the_cli_creates_disables_unlocks_and_issues_tokens(
    agency_a: Agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(
        "create",
        "alice",
        "--agency",
        agency_a.ori,
        "--role",
        "analyst",
        "--password-stdin",
        stdin="a long enough passphrase\n",
    )
    user = User.objects.get(username="alice")
    assert user.check_password("a long enough passphrase")
    assert Membership.objects.get(user=user).role == "analyst"
    # A token is printed to its owner only: the CLI makes one for BEACON_CLI_USER alone.
    with pytest.raises(CommandError) as refused:
        run("token", "alice", "--name", "sync")  # naming someone else is not even parsed
    assert "unrecognized arguments: alice" in str(refused.value)
    with pytest.raises(CommandError) as refused:
        run("token", "--name", "sync")  # the system actor is no person: it owns no token
    assert refused.value.returncode == 3
    assert not ApiToken.objects.exists()
    monkeypatch.setenv("BEACON_CLI_USER", "alice")
    printed = run("token", "--name", "sync", "--days", "7")
    monkeypatch.delenv("BEACON_CLI_USER")
    assert printed.strip().splitlines()[-1].startswith("bcn_")
    assert ApiToken.objects.get().owner == user
    Membership.objects.filter(user=user).update(locked_at="2026-01-01T00:00:00Z")
    run("unlock", "alice")
    assert Membership.objects.get(user=user).locked_at is None
    run("disable", "alice", "--reason", "left")
    assert ApiToken.objects.get(owner=user).revoked_at is not None
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"account.created", "token.created", "account.unlocked", "account.disabled"} <= actions
    assert set(AuditEvent.objects.values_list("via", flat=True)) == {"cli"}
    token_event = AuditEvent.objects.get(action="token.created")
    assert token_event.actor == "alice"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("create", "bob", "--agency", "XX9999999", "--role", "analyst", "--password-stdin"), 2),
        (("unlock", "nobody"), 4),
    ],
)
def test_cli_errors_exit_with_a_code_and_no_traceback(
    args: tuple[str, ...], code: int, agency_a: Agency
) -> None:
    with pytest.raises(CommandError) as refused:
        run(*args, stdin="a long enough passphrase\n")
    assert refused.value.returncode == code


def test_a_weak_password_from_the_cli_names_the_rule(agency_a: Agency) -> None:
    with pytest.raises(CommandError) as refused:
        run(
            "create",
            "carol",
            "--agency",
            agency_a.ori,
            "--role",
            "pio",
            "--password-stdin",
            stdin="short\n",
        )
    assert "too short" in str(refused.value)


@pytest.mark.parametrize(
    "args",
    [
        ("role", "root.admin", "--role", "hub_coordinator"),
        ("disable", "root.admin", "--reason", "mine"),
        ("enable", "root.admin"),
        ("unlock", "root.admin"),
        ("reset-mfa", "root.admin"),
        ("approve-role", "root.admin"),
        ("approve-role", "carol"),
        ("token", "--name", "x", "--role", "hub_coordinator"),
    ],
    ids=" ".join,
)
def test_a_refused_cli_command_changes_nothing(
    args: tuple[str, ...], agency_a: Agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Acting as a named administrator (BEACON_CLI_USER), the CLI keeps the API's rules: no
    change to one's own account, no approving one's own request, no token above one's role;
    a refusal exits non-zero and leaves every table as it was."""
    from beacon.access import services
    from beacon.core.actor import system_actor
    from tests.access.test_refusals_change_nothing import snapshot

    system = Agency.system()
    services.create_user(
        system_actor(), "root.admin", "a long enough passphrase", system, "system_admin"
    )
    carol = services.create_user(
        system_actor(), "carol", "a long enough passphrase", agency_a, "pio"
    )
    monkeypatch.setenv("BEACON_CLI_USER", "root.admin")
    run("role", "carol", "--role", "analyst")  # a request by root.admin, pending
    assert Membership.objects.get(user=carol).role == "pio"
    before = snapshot()
    with pytest.raises(CommandError) as refused:
        run(*args)
    assert refused.value.returncode in (2, 3, 4)
    assert snapshot() == before
