"""Shared fixtures: the personas (tests/personas.py), signed-in clients, the database.

Tests run against a real database built by the real migrations (SQLite file, or
PostgreSQL when DATABASE_URL is set), each in a rolled-back transaction.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import User
from django.test import Client

from beacon.access.services import actor_of_user
from beacon.agencies.models import Agency
from beacon.core.actor import Actor, system_actor

# The cast every test can ask for (investigator_a, caseworker, cast, ...): tests/personas.py.
pytest_plugins = ("tests.personas",)


@pytest.fixture
def system(db: None) -> Actor:
    return system_actor()


# --- Signed-in clients (beacon.access) -------------------------------------------------
# Every API route needs a signed-in user or an API token. Tests call the API as a role of
# an agency through these fixtures instead of relying on an anonymous client.


@pytest.fixture
def api_client_as(db: None) -> Callable[..., Client]:
    """``api_client_as(role, agency)`` -> a test Client sending a fresh API token.

    The token belongs to a new user of ``agency`` with ``role`` (see
    beacon.access.permissions.ROLE_PERMISSIONS); ``client.actor`` is the matching Actor.
    """
    from beacon.access import services, tokens

    made = itertools.count(1)

    def make(role: str, agency: Agency) -> Client:
        username = f"api-{role}-{agency.ori}-{next(made)}".lower()
        user = services.create_user(
            system_actor(), username, secrets.token_urlsafe(16), agency, role
        )
        _token, raw = tokens.create_token(actor_of_user(user), "test client")
        client = Client(headers={"Authorization": f"Bearer {raw}"})
        client.actor = actor_of_user(user, via="api")  # type: ignore[attr-defined]
        return client

    return make


@pytest.fixture
def web_client_as(db: None) -> Callable[..., Client]:
    """``web_client_as(role, agency)`` -> a Client signed in (password and TOTP verified)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from beacon.access import services

    made = itertools.count(1)

    def make(role: str, agency: Agency) -> Client:
        username = f"web-{role}-{agency.ori}-{next(made)}".lower()
        user = services.create_user(
            system_actor(), username, secrets.token_urlsafe(16), agency, role
        )
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        client = Client()
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        client.actor = actor_of_user(user, via="web")  # type: ignore[attr-defined]
        return client

    return make


@pytest.fixture
def admin_client(db: None, admin_user: User) -> Client:
    """pytest-django's admin client, with the verified second factor that Beacon's admin
    site requires (beacon.access: OTPAdminSite)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=admin_user, name="admin", confirmed=True)
    client = Client()
    client.force_login(admin_user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _reload_reference_data() -> None:
    """A flush also empties the reference tables the migrations fill (jurisdictions, the
    name-variant table); put them back so tests that run after a committing test in the
    same worker see the database the migrations built."""
    import importlib

    from django.apps import apps

    from beacon.agencies.jurisdiction_loader import load as load_jurisdictions

    load_jurisdictions(apps)
    variants = importlib.import_module("beacon.records.migrations.0003_load_name_variants")
    variants.load(apps, None)


@pytest.fixture(autouse=True, scope="session")
def _audit_triggers_survive_flush() -> Iterator[None]:
    """The audit table refuses DELETE and TRUNCATE (migration audit 0002). Tests that
    commit (transactional_db) are cleaned by a flush, which drops and re-creates those
    triggers around its deletes; no code path outside the test runner does this."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    from beacon.audit.triggers import create_sql, drop_sql

    original = BaseDatabaseOperations.execute_sql_flush

    def flush(self: BaseDatabaseOperations, sql_list: list[str]) -> None:
        vendor = self.connection.vendor
        original(self, [*drop_sql(vendor), *sql_list, *create_sql(vendor)])
        _reload_reference_data()

    BaseDatabaseOperations.execute_sql_flush = flush  # type: ignore[method-assign]
    yield
    BaseDatabaseOperations.execute_sql_flush = original  # type: ignore[method-assign]
