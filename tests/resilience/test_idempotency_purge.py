"""Idempotency records are purged once their retry window has passed."""

from __future__ import annotations

import io
import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from beacon.audit.models import AuditEvent
from beacon.resilience import purge
from beacon.resilience.models import IdempotencyRecord
from tests.resilience.probe import PROBE_ACTION

pytestmark = [pytest.mark.urls("tests.resilience.probe"), pytest.mark.django_db]


def _post(client: Client, token: str, key: str) -> Any:
    return client.post(
        "/probe/write",
        data=json.dumps({"token": token}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def _age(key: str, hours: float) -> None:
    IdempotencyRecord.objects.filter(key=key).update(
        created_at=timezone.now() - timedelta(hours=hours)
    )


def test_the_command_deletes_expired_keys_only_and_a_late_retry_runs_again() -> None:
    client = Client()
    old, fresh = str(uuid.uuid4()), str(uuid.uuid4())
    assert _post(client, "old", old).status_code == 201
    assert _post(client, "fresh", fresh).status_code == 201
    _age(old, 25)
    _age(fresh, 23)
    out = io.StringIO()
    call_command("purge_idempotency", stdout=out)
    assert "deleted 1 idempotency record" in out.getvalue()
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == [fresh]
    event = AuditEvent.objects.filter(action="resilience.idempotency_purged").get()
    assert event.detail["deleted"] == 1
    # Past its window a key is new again: the request runs (a second probe event).
    assert _post(client, "old", old).status_code == 201
    assert AuditEvent.objects.filter(action=PROBE_ACTION, detail__token="old").count() == 2


def test_purging_goes_in_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(purge, "BATCH", 2)
    client = Client()
    keys = [str(uuid.uuid4()) for _ in range(5)]
    for key in keys:
        assert _post(client, key, key).status_code == 201
        _age(key, 48)
    assert purge.purge_expired(batches=1) == 2
    assert purge.purge_expired() == 3
    assert not IdempotencyRecord.objects.exists()


def test_a_write_sweeps_old_keys_after_commit_once_per_window(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setattr(purge, "_last_sweep", 0.0)
    client = Client()
    old = str(uuid.uuid4())
    assert _post(client, "old", old).status_code == 201
    _age(old, 30)
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, "new", str(uuid.uuid4())).status_code == 201
    assert not IdempotencyRecord.objects.filter(key=old).exists()
    # Within the window the next write does not sweep again.
    again = str(uuid.uuid4())
    assert _post(client, "again", again).status_code == 201
    _age(again, 30)
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, "newer", str(uuid.uuid4())).status_code == 201
    assert IdempotencyRecord.objects.filter(key=again).exists()
