"""When the database cannot be reached: a fast, clear 503, then recovery by itself.

The connection is pointed at a database that cannot be opened (a folder that does not
exist for SQLite, a closed port for PostgreSQL), exactly as a real outage looks to
Django; the test then points it back. The real PostgreSQL stop/start under load is in
test_crash.py against a private server.
"""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from beacon.agencies.models import Agency

pytestmark = [pytest.mark.urls("tests.resilience.probe"), pytest.mark.django_db(transaction=True)]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def database_down() -> Iterator[None]:
    saved: dict[str, Any] = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = f"/nonexistent-{uuid.uuid4().hex}/beacon.sqlite3"
    else:
        connection.settings_dict["PORT"] = str(_closed_port())
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def _write(client: Client, token: str, key: str | None = None, **extra: str) -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    headers.update(extra)
    return client.post(
        "/probe/write",
        data=json.dumps({"token": token}),
        content_type="application/json",
        **headers,
    )


def test_requests_fail_fast_with_a_clear_503_while_the_database_is_down(
    database_down: None,
) -> None:
    client = Client(raise_request_exception=False)
    started = time.monotonic()
    health = client.get("/healthz")
    keyed = _write(client, "during-outage", key=str(uuid.uuid4()))
    unkeyed = _write(client, "during-outage")
    elapsed = time.monotonic() - started
    for response in (health, keyed, unkeyed):
        assert response.status_code == 503
        assert response["Content-Type"] == "application/json"
        assert response["Retry-After"] == "5"
        body = response.json()
        assert body["error"] == "database_unavailable"
        assert "same Idempotency-Key" in body["message"]
    assert elapsed < 3.0


def test_a_browser_gets_a_page_not_a_traceback_while_the_database_is_down(
    database_down: None,
) -> None:
    client = Client(raise_request_exception=False)
    response = client.post(
        "/probe/write", data={"token": "browser"}, HTTP_ACCEPT="text/html,application/xhtml+xml"
    )
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "The database is unreachable" in page
    assert "Traceback" not in page
    assert "OperationalError" not in page


def test_the_service_recovers_by_itself_and_a_retry_with_the_same_key_lands_once() -> None:
    client = Client(raise_request_exception=False)
    key = str(uuid.uuid4())
    saved: dict[str, Any] = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["NAME" if connection.vendor == "sqlite" else "PORT"] = (
        f"/nonexistent-{uuid.uuid4().hex}/x.sqlite3"
        if connection.vendor == "sqlite"
        else str(_closed_port())
    )
    try:
        assert _write(client, "recovering", key=key).status_code == 503
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert client.get("/healthz").status_code == 200
    first = _write(client, "recovering", key=key)
    retry = _write(client, "recovering", key=key)
    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert Agency.objects.filter(name="recovering").count() == 1
