"""Idempotency-Key under concurrency: duplicates sent at once serialise and create once.

Kept apart from test_idempotency.py because it needs committed data (a transactional
test), and pytest-django runs such files after the rest, so their flush of the database
never lands in the middle of another file's tests.
"""

from __future__ import annotations

import json
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client

from beacon.agencies.models import Agency
from beacon.audit.models import AuditEvent
from tests.resilience.probe import PROBE_ACTION

pytestmark = [pytest.mark.urls("tests.resilience.probe")]


def _post(client: Client, body: object, key: str) -> object:
    return client.post(
        "/probe/write",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def _probe_events(token: str) -> int:
    return AuditEvent.objects.filter(action=PROBE_ACTION, detail__token=token).count()


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_serialise_and_create_once() -> None:
    key = str(uuid.uuid4())
    barrier = threading.Barrier(6)
    responses: list[tuple[int, bytes]] = []
    lock = threading.Lock()

    def send() -> None:
        try:
            barrier.wait()
            response = _post(Client(), {"token": "racing"}, key)
            with lock:
                responses.append((response.status_code, response.content))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(responses) == 6
    assert {status for status, _ in responses} == {201}
    assert len({content for _, content in responses}) == 1
    assert Agency.objects.filter(name="racing").count() == 1
    assert _probe_events("racing") == 1
