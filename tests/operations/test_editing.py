"""Changing an operation: all or nothing, field by field, only by its own agencies."""

from __future__ import annotations

import pytest

from beacon.core.actor import system_actor
from beacon.core.errors import Forbidden, NotVisible, ValidationFailed
from beacon.operations.editing import update_operation
from beacon.operations.models import Operation
from tests.personas import acting

from .factories import CODE, LEAD, OTHER, PARTNER, load_tiny

pytestmark = pytest.mark.django_db


def test_a_lead_agency_changes_status_period_and_adds_a_partner() -> None:
    load_tiny()
    changed = update_operation(
        acting(LEAD, "supervisor"),
        CODE,
        {"status": "closed", "end": "2021-12-31"},
        add_partners=[OTHER],
    )
    assert changed.status == "closed" and str(changed.end) == "2021-12-31"
    assert changed.participations.filter(agency__ori=OTHER, role="partner").exists()


def test_bad_values_are_refused_by_field_and_nothing_changes() -> None:
    load_tiny()
    before = Operation.objects.get(code=CODE)
    with pytest.raises(ValidationFailed) as refused:
        update_operation(
            system_actor(),
            CODE,
            {"status": "over", "start": "soon", "code": "NEW"},
            add_partners=["ZZ9999999"],
        )
    assert set(refused.value.fields) == {"status", "start", "code"}
    with pytest.raises(ValidationFailed) as unknown:
        update_operation(system_actor(), CODE, {}, add_partners=["NM9999999"])
    assert "partners" in unknown.value.fields
    after = Operation.objects.get(code=CODE)
    assert (after.status, after.start) == (before.status, before.start)


def test_an_agency_outside_the_operation_cannot_change_it() -> None:
    load_tiny()
    with pytest.raises((NotVisible, Forbidden)):
        update_operation(acting(OTHER, "supervisor"), CODE, {"status": "closed"})
    with pytest.raises(Forbidden):
        update_operation(acting(PARTNER, role="investigator"), CODE, {"status": "closed"})
