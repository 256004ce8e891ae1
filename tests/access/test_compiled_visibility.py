"""The records condition compiled once per actor (beacon.access.compiled) is the policy's:
the same records for every role, and a change to participations or targets counts at
once, however many times the actor searched before."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from beacon.access import compiled
from beacon.core.actor import system_actor
from beacon.operations.models import Operation, Participation, Target
from beacon.records.models import MissingPersonRecord
from beacon.records.search import SearchQuery
from beacon.records.services import search_records
from tests.access import world as w

SPEC = w.Spec(
    records=[(0, "AMBER"), (0, "RED"), (0, "AMBER+STRICT"), (1, "GREEN")],
    operations=[(frozenset({2}), None), (frozenset({0, 1}), 0)],
    targets=[(0, 1, 1), (1, 1, 1), (2, 1, 1)],
    victims=[1],
    referrals=[(0, 4)],
)
ROLES = ("investigator", "supervisor", "hub_coordinator", "caseworker", "pio", "analyst")


@pytest.fixture
def world(db: None) -> w.World:
    compiled.clear()
    return w.build(SPEC)


def _ids(records: object) -> set[int]:
    return set(records.values_list("pk", flat=True))  # type: ignore[attr-defined]


def test_the_compiled_condition_sees_what_the_policy_sees(world: w.World) -> None:
    for agency in range(len(w.AGENCIES)):
        for role in ROLES:
            actor = w.actor(world, agency, role)
            expected = _ids(MissingPersonRecord.objects.visible_to(actor))
            assert _ids(compiled.visible(MissingPersonRecord, actor)) == expected, (agency, role)
            assert _ids(compiled.visible(MissingPersonRecord, actor)) == expected, (
                agency,
                role,
            )  # kept
    system = system_actor()
    assert _ids(compiled.visible(MissingPersonRecord, system)) == {r.pk for r in world.records}


def test_the_compiled_operations_are_the_policys(world: w.World) -> None:
    for agency in range(len(w.AGENCIES)):
        for role in ROLES:
            actor = w.actor(world, agency, role)
            expected = _ids(Operation.objects.visible_to(actor))
            assert _ids(compiled.visible(Operation, actor)) == expected, (agency, role)
            assert _ids(compiled.visible(Operation, actor)) == expected, (agency, role)
    partner = w.actor(world, 1, "investigator")
    sub = world.operations[1]
    assert sub.pk in _ids(compiled.visible(Operation, partner))
    Participation.objects.filter(operation=sub, agency=world.agencies[1]).delete()
    assert sub.pk not in _ids(compiled.visible(Operation, partner))  # at once


def test_a_withdrawn_participation_hides_the_records_at_once(world: w.World) -> None:
    partner = w.actor(world, 1, "investigator")
    shared = world.records[0]
    assert shared.pk in _ids(compiled.visible(MissingPersonRecord, partner))
    Participation.objects.filter(operation=world.operations[1], agency=world.agencies[1]).delete()
    Target.objects.filter(record=shared).update(assigned_agency=world.agencies[0])
    assert shared.pk not in _ids(compiled.visible(MissingPersonRecord, partner))
    assert _ids(compiled.visible(MissingPersonRecord, partner)) == _ids(
        MissingPersonRecord.objects.visible_to(partner)
    )


def test_a_search_follows_a_new_target_at_once(world: w.World) -> None:
    """Agency 2's investigator does not see agency 1's GREEN record; once their
    operation targets it, the next search finds it (the condition was compiled before)."""
    outsider = w.actor(world, 2, "investigator")
    record = world.records[3]
    query = SearchQuery(last_name=record.last_name, first_name=record.first_name, limit=10)
    assert record.nic not in [h.nic for h in search_records(outsider, query)]
    Target.objects.create(
        operation=world.operations[0], record=record, ref="T-NEW", assigned_agency=world.agencies[2]
    )
    assert record.nic in [h.nic for h in search_records(outsider, query)]


def test_the_search_api_hides_a_record_once_its_target_goes(
    world: w.World, api_client_as: Callable[..., Client]
) -> None:
    client = api_client_as("investigator", world.agencies[1])
    record = world.records[0]
    body = {"last_name": record.last_name, "first_name": record.first_name}

    def nics() -> list[str]:
        answer = client.post("/api/records/search", body, content_type="application/json")
        assert answer.status_code == 200
        return [h["nic"] for h in answer.json()["hits"]]

    assert record.nic in nics()
    Target.objects.filter(record=record).delete()
    assert record.nic not in nics()
