"""The lockout under concurrency: guesses sent at once cannot all be checked before the
lock. Real threads, each with its own database connection, on SQLite and PostgreSQL
(PostgreSQL is the real test: its writers do not queue behind one file lock).

Kept apart because it needs committed data (a transactional test)."""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from beacon.access import mfa, services
from beacon.access.models import Membership
from beacon.agencies.models import Agency
from beacon.audit.models import AuditEvent
from beacon.core.actor import system_actor
from tests.access.conftest import PASSWORD, current_code, enrol_totp

GUESSES = 12


def _race(password: str, code: str, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Send GUESSES sign-ins at once; each code check is slowed to widen the window.
    Returns how many second-factor codes were checked."""
    checked: list[int] = []
    lock = threading.Lock()
    real_check = mfa.check_code

    def slow_check(user: User, given: str) -> object:
        with lock:
            checked.append(1)
        time.sleep(0.3)
        return real_check(user, given)

    monkeypatch.setattr(mfa, "check_code", slow_check)
    barrier = threading.Barrier(GUESSES)
    statuses: list[int] = []

    def guess() -> None:
        try:
            barrier.wait()
            response = Client().post(
                "/account/sign-in/", {"username": "alice", "password": password, "code": code}
            )
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess) for _ in range(GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(statuses) == GUESSES and set(statuses) == {401}
    return checked


@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_codes_check_at_most_the_lockout_limit(
    monkeypatch: pytest.MonkeyPatch, agency_a: Agency
) -> None:
    user = services.create_user(system_actor(), "alice", PASSWORD, agency_a, "investigator")
    device = enrol_totp(user)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    checked = _race(PASSWORD, wrong, monkeypatch)
    assert 1 <= len(checked) <= settings.BEACON_LOCKOUT_FAILURES
    assert Membership.objects.get(user=user).locked_at is not None
    reasons = [e.detail["reason"] for e in AuditEvent.objects.filter(action="auth.logon_failed")]
    assert reasons.count("wrong second-factor code") == len(checked)
    assert len(reasons) == GUESSES
    assert AuditEvent.objects.filter(action="account.locked").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_passwords_check_at_most_the_lockout_limit(
    monkeypatch: pytest.MonkeyPatch, agency_a: Agency
) -> None:
    user = services.create_user(system_actor(), "alice", PASSWORD, agency_a, "investigator")
    enrol_totp(user)
    _race("not the password at all", "000000", monkeypatch)
    reasons = [e.detail["reason"] for e in AuditEvent.objects.filter(action="auth.logon_failed")]
    assert 1 <= reasons.count("wrong password") <= settings.BEACON_LOCKOUT_FAILURES
    assert Membership.objects.get(user=user).locked_at is not None
