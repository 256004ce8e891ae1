"""A one-event write costs the same SQL statements however many events the operation holds.

The bundle writer used to load every existing event of the operation to find the rows
already imported; a write on an operation of 500 events then read 500 rows. Writes now
look up only the refs they carry.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test import Client
from django.test.utils import CaptureQueriesContext

from beacon.agencies.models import Agency, Jurisdiction
from beacon.operations.models import Arrest, Operation, Person, Victim
from tests.operations.factories import CODE, LEAD, load_tiny

pytestmark = pytest.mark.django_db
ClientFor = Callable[[str, Agency], Client]


def _grow(kind: str, total: int) -> None:
    """Give the operation ``total`` events of ``kind`` (arrests or victims), with people."""
    operation = Operation.objects.get(code=CODE)
    agency = Agency.objects.get(ori=LEAD)
    place = Jurisdiction.objects.get(kind="county", code="35013")
    model = Arrest if kind == "arrests" else Victim
    have = model.objects.filter(operation=operation).count()
    start = datetime(2021, 5, 12, tzinfo=UTC)
    people = Person.objects.bulk_create(
        Person(ref=f"G-{kind}-{n}", last_name="Grown", sex="U") for n in range(have, total)
    )
    extra: dict[str, Any] = {"role": "buyer"} if kind == "arrests" else {"age_group": "adult"}
    events = model.objects.bulk_create(
        model(
            operation=operation,
            agency=agency,
            jurisdiction=place,
            at=start + timedelta(minutes=n),
            ref=f"G-{kind}-{n}",
            person=person,
            **extra,
        )
        for n, person in zip(range(have, total), people, strict=True)
    )
    through = model.people.through
    column = f"{model._meta.model_name}_id"
    through.objects.bulk_create(
        through(**{column: event.pk, "person_id": person.pk})
        for event, person in zip(events, people, strict=True)
    )
    assert model.objects.filter(operation=operation).count() == total


def _row(kind: str, ref: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        "ref": ref,
        "agency": LEAD,
        "jurisdiction": "county:35013",
        "at": "2021-06-01T20:00:00Z",
        "people": [f"{ref}-P"],
        "person": f"{ref}-P",
    }
    return row | ({"role": "buyer"} if kind == "arrests" else {"age_group": "minor", "age_min": 16})


class _Loaded:
    """How many model objects Django builds (from rows read or in code) while active."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, **_kwargs: object) -> None:
        self.count += 1


def _write(client: Client, kind: str, ref: str) -> tuple[int, int, list[str]]:
    """Statements and model objects of one one-event write through the API."""
    body = {
        "people": [{"ref": f"{ref}-P", "last_name": "Newone", "sex": "F"}],
        "rows": [_row(kind, ref)],
    }
    loaded = _Loaded()
    post_init.connect(loaded, weak=False)
    try:
        with CaptureQueriesContext(connection) as captured:
            answer = client.post(
                f"/api/operations/{CODE}/entries/{kind}",
                json.dumps(body),
                content_type="application/json",
            )
    finally:
        post_init.disconnect(loaded)
    assert answer.status_code == 201, answer.content
    assert answer.json()["created"][kind] == 1
    sql = [q["sql"] for q in captured.captured_queries]
    return len(sql), loaded.count, sql


@pytest.mark.parametrize("kind", ["arrests", "victims"])
def test_a_one_event_write_costs_the_same_on_10_and_500_events(
    api_client_as: ClientFor, kind: str
) -> None:
    load_tiny()
    client = api_client_as("investigator", Agency.objects.get(ori=LEAD))
    _write(client, kind, "WARM")  # first request of the client: token and caches warm up
    _grow(kind, 10)
    small, small_objects, small_sql = _write(client, kind, "AT-10")
    _grow(kind, 500)
    large, large_objects, large_sql = _write(client, kind, "AT-500")
    assert small == large, "\n".join(large_sql)
    assert small <= 60, "\n".join(small_sql)
    # The same statements could still read every event: the objects built must not grow.
    assert small_objects == large_objects
    assert large_objects < 50


def test_re_importing_an_event_among_500_is_unchanged_and_a_changed_one_is_refused(
    api_client_as: ClientFor,
) -> None:
    load_tiny()
    client = api_client_as("investigator", Agency.objects.get(ori=LEAD))
    _grow("arrests", 500)
    url = f"/api/operations/{CODE}/entries/arrests"
    existing = Arrest.objects.get(ref="G-arrests-250")
    row = {
        "ref": existing.ref,
        "agency": LEAD,
        "jurisdiction": "county:35013",
        "at": existing.at.isoformat().replace("+00:00", "Z"),
        "people": [existing.person.ref],
        "person": existing.person.ref,
        "role": "buyer",
    }
    same = client.post(url, json.dumps({"rows": [row]}), content_type="application/json")
    assert same.status_code == 201, same.content
    assert same.json()["unchanged"]["arrests"] == 1
    assert Arrest.objects.filter(operation__code=CODE).count() == 500
    changed = client.post(
        url, json.dumps({"rows": [row | {"role": "trafficker"}]}), content_type="application/json"
    )
    assert changed.status_code == 422
    assert "arrests[0]" in changed.json()["fields"]
    assert Arrest.objects.get(ref="G-arrests-250").role == "buyer"
