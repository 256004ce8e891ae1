"""What the requests of the load mix cost in SQL statements (issue #18: fewer round trips
per request). A keyed write claims its key in one statement; a one-row field entry reads
its operation and its place once."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from beacon.agencies.models import Agency
from beacon.operations.models import SearchWarrant
from beacon.resilience.models import IdempotencyRecord
from tests.operations.factories import CODE, LEAD, load_tiny

pytestmark = pytest.mark.django_db

ClientFor = Callable[[str, Agency], Client]
IDEMPOTENCY = IdempotencyRecord._meta.db_table


def _entry(client: Client, ref: str) -> tuple[int, list[str]]:
    row = {"ref": ref, "agency": LEAD, "jurisdiction": "county:35013", "at": "2021-05-11T20:00:00Z"}
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            f"/api/operations/{CODE}/entries/search_warrants",
            json.dumps({"rows": [row]}),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        )
    return response.status_code, [q["sql"] for q in captured.captured_queries]


def test_a_keyed_one_row_field_entry_in_few_statements(api_client_as: ClientFor) -> None:
    load_tiny()
    client = api_client_as("investigator", Agency.objects.get(ori=LEAD))
    assert _entry(client, "SW-COST-0")[0] == 201  # first use: the token's and key's set-up
    status, statements = _entry(client, "SW-COST-1")
    assert status == 201
    assert SearchWarrant.objects.filter(ref="SW-COST-1").count() == 1
    touching_keys = [s for s in statements if IDEMPOTENCY in s]
    # The claim (one INSERT ... ON CONFLICT DO NOTHING, no read or savepoint before it)
    # and the stored response: was a locking read, a savepoint, an insert, its release.
    assert len(touching_keys) == 2, touching_keys
    assert "ON CONFLICT" in touching_keys[0] and touching_keys[0].startswith("INSERT")
    assert touching_keys[1].startswith("UPDATE")
    operation_reads = [s for s in statements if 'FROM "operations_operation"' in s]
    assert len(operation_reads) <= 2, operation_reads  # visibility, the bundle's code check
    place_reads = [s for s in statements if 'FROM "agencies_jurisdiction"' in s]
    assert len(place_reads) <= 2, place_reads  # validated, then resolved once
    work = [
        s
        for s in statements
        if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "PRAGMA", "BEGIN", "COMMIT"))
        and "apiratewindow" not in s
    ]
    # The request's own reads and writes: 18 before issue #18's changes, 14 now.
    assert len(work) <= 14, "\n".join(work)


def test_the_same_key_replays_without_running_again(api_client_as: ClientFor) -> None:
    load_tiny()
    client = api_client_as("investigator", Agency.objects.get(ori=LEAD))
    row = {"ref": "SW-COST-2", "agency": LEAD, "jurisdiction": "county:35013", "at": "2021-05-11"}
    body = json.dumps({"rows": [row]})
    url, key = f"/api/operations/{CODE}/entries/search_warrants", uuid.uuid4().hex
    first = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
    again = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.content == first.content
    assert SearchWarrant.objects.filter(ref="SW-COST-2").count() == 1
    other = client.post(
        url,
        json.dumps({"rows": [dict(row, ref="SW-COST-3")]}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert other.status_code == 422
    assert not SearchWarrant.objects.filter(ref="SW-COST-3").exists()
