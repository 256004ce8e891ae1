"""Web page fixtures: the demo data (loaded once for the package's tests on each worker,
never committed) and signed-in clients for the demo accounts (one per role)."""

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

from tests.web.browser import Hosts
from tests.web.live import LiveServer, live_server_sharing_connection

DEMO_PASSWORD = "beacon-demo-password"


@pytest.fixture(autouse=True)
def _anonymous_is_anonymous(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages never act for an anonymous visitor (the API's transitional switch aside)."""
    monkeypatch.setattr("beacon.access.requests.ANONYMOUS_AS_SYSTEM", False, raising=False)


@pytest.fixture(autouse=True)
def _no_figures_from_another_test() -> None:
    """The dashboards cache an operation's figures under its family's version number; a
    rolled-back test leaves that number free for the next test's change to reach again
    with other figures (seen: "103 Arrests" from an arrest another test had entered).
    Each test starts with the cache empty, as right after the demo is loaded."""
    from django.core.cache import cache

    from beacon.web import dashboard_polls

    cache.clear()
    dashboard_polls._memo.clear()


@pytest.fixture(scope="package")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """``beacon demo`` (four seed operations and one account per role) in a transaction
    that is rolled back when the package's tests are done (or when a worker moves on to
    another package; pytest loads it again if it comes back).

    Loaded once for all the modules here, not once per module (about 4 s of CPU each,
    some 25 modules, on each database): every test runs in its own rolled-back savepoint
    inside it, and a module fixture that writes more (tests/web/test_intake.py) rolls its
    writes back at the end of its module, so each module starts from the same demo."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", verbosity=0, stdout=_Discard())
        yield
        transaction.set_rollback(True)


# --- A real browser against the live server (test_browser.py and the phone tests) ------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, driven by Playwright (tests/web/browser.py)."""
    from tests.web.browser import chromium_sharing_connection

    with chromium_sharing_connection() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def server(browser: Any, demo: None, django_db_blocker: Any) -> Iterator[LiveServer]:
    """Started after the browser: Playwright's event loop changes which database
    connection this thread sees, and the demo, the tests and the server share one."""
    with django_db_blocker.unblock(), live_server_sharing_connection() as live:
        yield live


@pytest.fixture
def hosts(server: LiveServer, db: None) -> Iterator[Hosts]:
    """Fails the test if any page asked for anything outside 127.0.0.1, or if the
    Content-Security-Policy refused anything: all JavaScript is in static files, no inline
    handlers, and plotly.js only fills empty styles."""
    seen = Hosts()
    yield seen
    assert seen.outside == []
    assert seen.seen <= {"127.0.0.1"}
    assert seen.refused == []


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
