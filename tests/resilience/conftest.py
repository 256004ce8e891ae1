"""Shared by the resilience tests: a launcher of killable gunicorn Beacons."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection

from tests.resilience.harness import Launcher, beacon_env


@pytest.fixture
def launcher() -> Iterator[Launcher]:
    """A gunicorn launcher serving the pytest run's own (committed) test database."""
    is_pg = connection.vendor == "postgresql"
    env = beacon_env(
        DJANGO_SETTINGS_MODULE="tests.resilience.server_settings",
        BEACON_SERVER_DB_NAME=connection.settings_dict["NAME"],
        DATABASE_URL=None,
    )
    if is_pg:
        settings = connection.settings_dict
        env["DATABASE_URL"] = (
            f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT'] or 5432}/x"
        )
    started = Launcher(env)
    try:
        yield started
    finally:
        started.close()
