"""Need-to-know rules the property test does not cover: fields, service records, writes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.test import Client

from beacon.access.permissions import Permission
from beacon.core.errors import Forbidden
from beacon.operations import visibility
from beacon.operations.models import Operation, Service, Victim
from beacon.operations.models.events import victim_fields_visible_to
from beacon.records.models import MissingPersonRecord
from tests.access import world as w

SPEC = w.Spec(
    records=[(0, "AMBER"), (0, "RED"), (0, "AMBER+STRICT")],
    operations=[(frozenset({2}), None), (frozenset({0, 1}), 0)],
    targets=[(0, 1, 1), (1, 1, 1), (2, 1, 1)],
    victims=[1, 1],
    referrals=[(0, 4)],
)


@pytest.fixture
def world(db: None) -> w.World:
    return w.build(SPEC)


def test_tlp_narrows_what_a_partner_agency_sees(world: w.World) -> None:
    partner = w.actor(world, 1, "investigator")
    seen = set(MissingPersonRecord.objects.visible_to(partner).values_list("tlp", flat=True))
    assert seen == {"AMBER", "AMBER+STRICT"}  # RED stays with the originating agency
    hub = w.actor(world, 2, "hub_coordinator")
    assert set(MissingPersonRecord.objects.visible_to(hub).values_list("tlp", flat=True)) == {
        "AMBER"
    }
    hub_investigator = w.actor(world, 2, "investigator")
    assert not MissingPersonRecord.objects.visible_to(hub_investigator).exists()


def test_a_caseworker_reads_only_the_fields_needed(world: w.World) -> None:
    ngo = w.actor(world, 4, "caseworker")
    fields = victim_fields_visible_to(ngo)
    assert fields is not None
    assert "notes" not in fields and "people" not in fields and "age_group" in fields
    assert victim_fields_visible_to(w.actor(world, 0, "investigator")) is None
    assert victim_fields_visible_to(w.actor(world, 0, "pio")) == frozenset()
    assert [v.pk for v in Victim.objects.visible_to(ngo)] == [world.victims[0].pk]


def test_service_records_follow_the_victim(world: w.World) -> None:
    victim = world.victims[0]
    Service.objects.create(
        operation=victim.operation,
        agency=world.agencies[4],
        jurisdiction=victim.jurisdiction,
        at=datetime(2021, 8, 3, tzinfo=UTC),
        person=victim.person,
        kind="shelter",
    )
    assert Service.objects.visible_to(w.actor(world, 4, "caseworker")).count() == 1
    assert Service.objects.visible_to(w.actor(world, 0, "investigator")).count() == 1
    assert Service.objects.visible_to(w.actor(world, 3, "caseworker")).count() == 0
    assert Service.objects.visible_to(w.actor(world, 0, "pio")).count() == 0


def test_only_an_operations_own_agencies_record_its_events(world: w.World) -> None:
    sub = world.operations[1]
    visibility.require_operation_agency(
        w.actor(world, 1, "investigator"), sub, Permission.OPERATIONS_RECORD
    )
    hub = w.actor(world, 2, "hub_coordinator")
    assert Operation.objects.visible_to(hub).filter(pk=sub.pk).exists()
    with pytest.raises(Forbidden):
        visibility.require_operation_agency(hub, sub, Permission.OPERATIONS_RECORD)


def test_an_export_carries_only_records_the_exporter_may_see(world: w.World) -> None:
    from beacon.operations.bundles.exporter import export_bundle

    partner = w.actor(world, 1, "supervisor")
    bundle = export_bundle(partner, world.operations[1].code)
    visible = set(MissingPersonRecord.objects.visible_to(partner).values_list("nic", flat=True))
    assert {r["nic"] for r in bundle["records"]} <= visible


def test_the_targets_page_hides_records_the_viewer_may_not_see(
    world: w.World, web_client_as: Callable[..., Client]
) -> None:
    partner = web_client_as("investigator", world.agencies[1])
    page = partner.get(f"/operations/{world.operations[1].code}/targets/")
    assert page.status_code == 200
    red = world.records[1]
    assert red.tlp == "RED" and red.last_name not in page.content.decode()
    assert world.records[0].last_name in page.content.decode()
