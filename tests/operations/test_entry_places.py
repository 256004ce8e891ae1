"""A field entry reads its place once for checking and writing (beacon.geo.places
.remembered), and the memory ends with the request."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from beacon.agencies.models import Agency
from beacon.geo import places
from beacon.operations.models import SearchWarrant
from tests.operations.factories import CODE, LEAD, load_tiny

pytestmark = pytest.mark.django_db


def test_a_one_row_entry_reads_its_place_once(api_client_as: Callable[..., Client]) -> None:
    load_tiny()
    client = api_client_as("investigator", Agency.objects.get(ori=LEAD))
    row = {
        "ref": "W-PLACE",
        "agency": LEAD,
        "jurisdiction": "county:35013",
        "at": "2021-06-01T12:00:00Z",
    }
    with CaptureQueriesContext(connection) as queries:
        answer = client.post(
            f"/api/operations/{CODE}/entries/search_warrants",
            json.dumps({"rows": [row]}),
            content_type="application/json",
        )
    assert answer.status_code == 201, answer.content
    place_reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT")
        and 'FROM "agencies_jurisdiction"' in q["sql"]
        and "county" in q["sql"]
    ]
    assert len(place_reads) == 1, place_reads
    warrant = SearchWarrant.objects.get(ref="W-PLACE")
    assert warrant.jurisdiction is not None and warrant.jurisdiction.code == "35013"
    assert places._found.get() is None  # nothing remembered past the request
