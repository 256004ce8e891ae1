"""Shared fixtures: agencies and actors that every domain's tests use.

Tests run against a real database built by the real migrations (SQLite file, or
PostgreSQL when DATABASE_URL is set), each in a rolled-back transaction.
"""

from __future__ import annotations

import pytest

from beacon.agencies.models import Agency
from beacon.core.actor import Actor, system_actor


@pytest.fixture
def agency_a(db: None) -> Agency:
    return Agency.objects.create(ori="NM0070100", name="Las Cruces Police Department", kind="local")


@pytest.fixture
def agency_b(db: None) -> Agency:
    return Agency.objects.create(
        ori="NM0070200", name="Sunland Park Police Department", kind="local"
    )


@pytest.fixture
def system(db: None) -> Actor:
    return system_actor()


@pytest.fixture
def investigator_a(agency_a: Agency) -> Actor:
    return Actor(name="alice", agency=agency_a, role="investigator", user_id=None, via="api")


@pytest.fixture
def investigator_b(agency_b: Agency) -> Actor:
    return Actor(name="bob", agency=agency_b, role="investigator", user_id=None, via="api")
