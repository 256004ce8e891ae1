"""The API's JSON report is computed once per version of its operations' figures: the
same bytes as computing it, new figures as soon as a write lands, and every read still
checked and audited (beacon.operations.reports.cached)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from beacon.agencies.models import Agency
from beacon.audit.models import AuditEvent
from beacon.operations.reports.cached import encode
from beacon.operations.reports.compute import build_report
from beacon.operations.reports.render import as_json
from tests.operations.factories import CODE, LEAD, OTHER, load_tiny

pytestmark = pytest.mark.django_db
ClientFor = Callable[[str, Agency], Client]


def _reads() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="operations.report", object_id=CODE))


def test_a_cached_report_is_the_computed_one_and_each_read_is_audited(
    api_client_as: ClientFor,
) -> None:
    load_tiny()
    client = api_client_as("investigator", Agency.objects.get(ori=LEAD))
    first = client.get(f"/api/operations/{CODE}/report")
    assert first.status_code == 200 and first["Content-Type"].startswith("application/json")
    computed = encode(as_json(build_report(client.actor, CODE, lang="en"), "en"))  # type: ignore[attr-defined]
    before = len(_reads())
    with CaptureQueriesContext(connection) as queries:
        second = client.get(f"/api/operations/{CODE}/report")
    assert first.content == second.content == computed
    reads = _reads()
    assert len(reads) == before + 1  # the cached read is audited, in the request
    assert reads[-1].detail == {"lang": "en", "aggregate": True, "cached": True}
    assert reads[-1].actor.startswith(client.actor.name)  # type: ignore[attr-defined]
    # Served from the cache: no aggregate statement ran.
    assert not [q for q in queries.captured_queries if "operations_arrest" in q["sql"]]
    french = client.get(f"/api/operations/{CODE}/report?lang=fr").json()
    assert french["language"] == "fr"


def test_a_field_entry_shows_in_the_next_report(api_client_as: ClientFor) -> None:
    load_tiny()
    client = api_client_as("investigator", Agency.objects.get(ori=LEAD))
    before = client.get(f"/api/operations/{CODE}/report").json()["totals"]["arrests"]
    body = {
        "people": [{"ref": "CACHE-P1", "last_name": "Fakename", "sex": "M"}],
        "rows": [
            {
                "ref": "CACHE-A1",
                "agency": LEAD,
                "jurisdiction": "county:35013",
                "at": "2021-05-11T20:00:00Z",
                "people": ["CACHE-P1"],
                "person": "CACHE-P1",
                "role": "buyer",
                "nibrs": "40C",
            }
        ],
    }
    written = client.post(
        f"/api/operations/{CODE}/entries/arrests",
        json.dumps(body),
        content_type="application/json",
    )
    assert written.status_code == 201, written.content
    after = client.get(f"/api/operations/{CODE}/report").json()["totals"]["arrests"]
    assert after == before + 1


def test_a_cached_report_is_still_refused_to_those_who_may_not_read_it(
    api_client_as: ClientFor,
) -> None:
    load_tiny()
    lead = api_client_as("investigator", Agency.objects.get(ori=LEAD))
    assert lead.get(f"/api/operations/{CODE}/report").status_code == 200  # now cached
    outsider = api_client_as("investigator", Agency.objects.get(ori=OTHER))
    assert outsider.get(f"/api/operations/{CODE}/report").status_code == 404
    caseworker = api_client_as("caseworker", Agency.objects.get(ori=LEAD))
    assert caseworker.get(f"/api/operations/{CODE}/report").status_code == 403
    assert lead.get(f"/api/operations/{CODE}/report?lang=xx").status_code in (400, 422)
