"""A keyed write's stored response is sealed with the caller's agency key: it may echo
sealed text (a record's notes), so it must not keep a clear copy, and it must be shredded
with that key."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from beacon.agencies.models import Agency
from beacon.core.actor import system_actor
from beacon.records.models import MissingPersonRecord
from beacon.resilience.models import IdempotencyRecord
from beacon.vault.services import SEALED_FILE_MAGIC, destroy_agency_key

NOTE = "Seen at the Greyhound station with a man called Rico."


def _enter(api: Client, key: str) -> Any:
    body = {
        "category": "EMJ",
        "last_name": "Keyson",
        "first_name": "Ana",
        "sex": "F",
        "dob": "2010-03-05",
        "dlc": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "oca": "IDEM-1",
        "originating_ori": "NM0070100",
        "notes": NOTE,
    }
    return api.post(
        "/api/records", body, content_type="application/json", headers={"Idempotency-Key": key}
    )


def test_a_stored_response_is_sealed_replayed_in_clear_and_shredded_with_the_key(
    agency_a: Agency, api_client_as: Callable[..., Client]
) -> None:
    api = api_client_as("supervisor", agency_a)
    key = str(uuid.uuid4())
    first = _enter(api, key)
    assert first.status_code == 201, first.content
    assert NOTE in first.content.decode()
    stored = bytes(IdempotencyRecord.objects.get(key=key).body)
    assert stored.startswith(SEALED_FILE_MAGIC)
    assert b"Greyhound" not in stored

    again = _enter(api, key)
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content

    destroy_agency_key(system_actor(), agency_a)
    gone = _enter(api, key)
    assert gone.status_code == 410, gone.content
    assert gone.json()["error"] == "idempotent_response_unreadable"
    assert "Greyhound" not in gone.content.decode()
    assert gone["Idempotent-Replayed"] == "true"
    assert MissingPersonRecord.objects.filter(oca="IDEM-1").count() == 1  # never twice
