"""Migrations 0005/0006: each offence cleared on its own becomes an incident of its own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from beacon.agencies.models import Agency, Jurisdiction
from beacon.operations.models import Arrest, Operation, Person

BEFORE = [("interchange", "0004_ncic_entry")]
AFTER = [("interchange", "0006_offense_clearance_on_incident")]
AT = datetime.fromisoformat("2021-08-20T22:00:00+00:00")


@pytest.fixture
def back_to_latest() -> Iterator[None]:
    """Going back to 0004 also unapplies what depends on it (operations 0008's stamp
    triggers, 0009 onwards): every app is migrated to its latest again afterwards, or the
    tests after this one would run without them."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest")
def test_offences_move_into_incidents_with_their_clearance() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    # Other apps stay at their latest migrations: their current models write their rows.
    Offense = executor.loader.project_state(BEFORE).apps.get_model("interchange", "Offense")
    place = Jurisdiction.objects.create(kind="state", code="ZZ", name_en="Testland")
    agency = Agency.objects.create(ori="NM0070100", name="LCPD", kind="local")
    op = Operation.objects.create(name="Op", code="OP-M", start=date(2021, 5, 1))
    person = Person.objects.create(last_name="Reyes")
    arrest = Arrest.objects.create(
        operation=op,
        agency=agency,
        jurisdiction=place,
        at=AT,
        person=person,
        role="trafficker",
        ref="arr-1",
    )
    by_arrest = Offense.objects.create(
        operation_id=op.pk,
        ref="off-1",
        code="64A",
        clearance="arrest",
        cleared_on=date(2021, 8, 20),
    )
    by_arrest.arrests.set([arrest.pk])
    Offense.objects.create(
        operation_id=op.pk, ref="off-2", code="64B", clearance="B", cleared_on=date(2021, 8, 25)
    )
    Offense.objects.create(operation_id=op.pk, ref="off-3", code="40A")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Incident = new.get_model("interchange", "Incident")
    rows = {
        i.ref: (i.exceptional, i.cleared_on, sorted(a.ref for a in i.arrests.all()))
        for i in Incident.objects.all()
    }
    assert rows == {
        "inc-off-1": ("N", None, ["arr-1"]),
        "inc-off-2": ("B", date(2021, 8, 25), []),
        "inc-off-3": ("N", None, []),
    }
    offenses = new.get_model("interchange", "Offense").objects.order_by("ref")
    assert [(o.ref, o.incident.ref) for o in offenses] == [
        ("off-1", "inc-off-1"),
        ("off-2", "inc-off-2"),
        ("off-3", "inc-off-3"),
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest")
def test_incidents_and_offences_keep_their_rows_when_operations_takes_them_over() -> None:
    """interchange 0007 / operations 0009 move the models, not the data: rows written
    before the move are read after it by operations' models, in the same tables."""
    before = [("interchange", "0006_offense_clearance_on_incident")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    op = Operation.objects.create(name="Op", code="OP-N", start=date(2021, 5, 1))
    incident = old.get_model("interchange", "Incident").objects.create(
        operation_id=op.pk, ref="inc-1", exceptional="B", cleared_on=date(2021, 6, 1)
    )
    old.get_model("interchange", "Offense").objects.create(
        operation_id=op.pk, incident_id=incident.pk, ref="off-1", code="64A"
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    from beacon.operations.models import Incident, Offense

    moved = Incident.objects.get(ref="inc-1")
    assert (moved.exceptional, moved.cleared_on) == ("B", date(2021, 6, 1))
    assert [(o.ref, o.code) for o in Offense.objects.filter(incident=moved)] == [("off-1", "64A")]
    assert list(moved.arrests.all()) == []
