"""Field-level need-to-know is in the query: what an actor may not read is never loaded.

A caseworker (child welfare, NGO) reads of a victim referred to them only
CASEWORKER_VICTIM_FIELDS. These tests hold the rule whatever code reads the rows: the SQL
never selects the other columns, a row refuses to fetch them later, and a victim reached
through a referral is narrowed the same way.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from beacon.access.scoping import FieldNotShown
from beacon.operations.models import Person, Referral, Victim
from beacon.operations.models.events import CASEWORKER_VICTIM_FIELDS
from beacon.records.models import MissingPersonRecord, RecordName
from tests.access import world as w

SPEC = w.Spec(
    records=[(0, "AMBER"), (1, "AMBER")],
    operations=[(frozenset({0}), None)],
    targets=[(0, 0, 0)],
    victims=[0, 0],
    referrals=[(0, 4)],
)
HIDDEN = ("notes", "form", "operation", "agency")


@pytest.fixture
def world(db: None) -> w.World:
    built = w.build(SPEC)
    Victim.objects.filter(pk=built.victims[0].pk).update(form="sexual")
    return built


def _columns(sql: str) -> set[str]:
    """The victim table's columns a SELECT names."""
    table = Victim._meta.db_table
    return {f.column for f in Victim._meta.concrete_fields if f'"{table}"."{f.column}"' in sql}


def test_a_caseworkers_query_never_selects_the_hidden_victim_columns(world: w.World) -> None:
    ngo = w.actor(world, 4, "caseworker")
    with CaptureQueriesContext(connection) as queries:
        victims = list(Victim.objects.visible_to(ngo))
    assert [v.pk for v in victims] == [world.victims[0].pk]
    selected = _columns(queries.captured_queries[-1]["sql"])
    assert selected, "the victim query was not captured"
    assert {"notes", "form", "operation_id", "agency_id"}.isdisjoint(selected)
    assert {"ref", "age_group", "person_id"} <= selected


def test_a_caseworkers_victim_refuses_to_load_a_hidden_field(world: w.World) -> None:
    ngo = w.actor(world, 4, "caseworker")
    victim = Victim.objects.visible_to(ngo).get()
    for name in HIDDEN:
        with pytest.raises(FieldNotShown):
            getattr(victim, name)
    assert victim.ref == world.victims[0].ref and victim.age_group
    assert str(victim.person)  # an allowed relation loads


def test_a_narrowed_query_cannot_be_widened(world: w.World) -> None:
    visible = Victim.objects.visible_to(w.actor(world, 4, "caseworker"))
    with pytest.raises(FieldNotShown):
        visible.values("notes")
    with pytest.raises(FieldNotShown):
        visible.values_list("operation__name", flat=True)
    with pytest.raises(FieldNotShown):
        visible.annotate(n=Count("people"))
    with pytest.raises(FieldNotShown):
        _ = visible.only("notes").get().notes
    assert set(visible.values()[0]) <= CASEWORKER_VICTIM_FIELDS | {
        f"{f}_id" for f in CASEWORKER_VICTIM_FIELDS
    }


def test_a_victim_reached_through_a_referral_is_narrowed_too(world: w.World) -> None:
    ngo = w.actor(world, 4, "caseworker")
    referral = Referral.objects.visible_to(ngo).get()
    assert referral.victim.ref == world.victims[0].ref
    with pytest.raises(FieldNotShown):
        _ = referral.victim.notes
    with pytest.raises(FieldNotShown):
        Referral.objects.visible_to(ngo).select_related("victim")
    with pytest.raises(FieldNotShown):
        Referral.objects.visible_to(ngo).values("victim__form")


def test_an_operation_agency_reads_every_victim_field(world: w.World) -> None:
    investigator = w.actor(world, 0, "investigator")
    victims = Victim.objects.visible_to(investigator)
    assert victims.shown_fields is None
    victim = victims.select_related("operation").get(pk=world.victims[0].pk)
    assert victim.form == "sexual" and victim.operation.pk == world.operations[0].pk
    referral = Referral.objects.visible_to(investigator).select_related("victim").get()
    assert referral.victim.form == "sexual"


def test_rows_that_belong_to_a_record_are_visible_with_it(world: w.World) -> None:
    own = w.actor(world, 0, "investigator")
    names = set(RecordName.objects.visible_to(own).values_list("record_id", flat=True))
    records = set(MissingPersonRecord.objects.visible_to(own).values_list("pk", flat=True))
    assert names == records and world.records[1].pk not in names


def test_a_person_is_visible_through_a_role_the_actor_sees(world: w.World) -> None:
    ngo = w.actor(world, 4, "caseworker")
    assert list(Person.objects.visible_to(ngo)) == [world.victims[0].person]
    assert not Person.objects.visible_to(w.actor(world, 3, "caseworker")).exists()
    assert not Person.objects.visible_to(w.actor(world, 0, "pio")).exists()
