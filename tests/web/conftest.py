"""Web page fixtures: the demo data (loaded once per module, never committed) and
signed-in clients for the demo accounts (one per role)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

DEMO_PASSWORD = "beacon-demo-password"


@pytest.fixture(autouse=True)
def _anonymous_is_anonymous(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages never act for an anonymous visitor (the API's transitional switch aside)."""
    monkeypatch.setattr("beacon.access.requests.ANONYMOUS_AS_SYSTEM", False, raising=False)


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """``beacon demo`` (four seed operations and one account per role) in a transaction
    that is rolled back when the module's tests are done."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", verbosity=0, stdout=_Discard())
        yield
        transaction.set_rollback(True)


class _Discard:
    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        return


@pytest.fixture
def demo_db(demo: None, db: None) -> None:
    """The demo data, with this test's changes rolled back after it (a savepoint)."""


@pytest.fixture
def client_as(demo_db: None) -> Callable[[str], Client]:
    """``client_as("investigator.hsi")`` -> a Client signed in with password and TOTP."""

    def make(username: str) -> Client:
        user = User.objects.get(username=username)
        device = TOTPDevice.objects.get(user=user)
        client = Client()
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return make


def current_code(username: str) -> str:
    """The demo account's current authenticator code."""
    device = TOTPDevice.objects.get(user__username=username)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
