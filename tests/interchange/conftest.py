"""Interchange fixtures: an operation two agencies take part in, and their hub coordinators
(the other actors are the personas of tests/personas.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from beacon.agencies.models import Agency, Jurisdiction
from beacon.core.actor import Actor
from beacon.operations.models import Operation, Participation
from beacon.records.inputs import NameInput, RecordInput
from beacon.records.models import MissingPersonRecord
from beacon.records.services import enter_record
from tests.personas import acting

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "formats" / "samples"


@pytest.fixture
def operation(agency_a: Agency, agency_b: Agency) -> Operation:
    op = Operation.objects.create(
        name="Operation Rescue Me", code="RESCUE-ME", start=date(2021, 5, 1), status="active"
    )
    Participation.objects.create(operation=op, agency=agency_a, role="lead")
    Participation.objects.create(operation=op, agency=agency_b, role="partner")
    return op


@pytest.fixture
def other_operation(agency_b: Agency) -> Operation:
    op = Operation.objects.create(name="Other", code="OTHER", start=date(2021, 6, 1))
    Participation.objects.create(operation=op, agency=agency_b, role="lead")
    return op


@pytest.fixture
def hub_a(agency_a: Agency) -> Actor:
    """A hub coordinator of the lead agency (the persona ``hub_coordinator`` is of an
    agency outside the operation)."""
    return acting(agency_a, "hub_coordinator", "hannah")


@pytest.fixture
def hub_b(agency_b: Agency) -> Actor:
    """A hub coordinator of the partner agency."""
    return acting(agency_b, "hub_coordinator", "boris")


@pytest.fixture
def new_mexico(db: None) -> Jurisdiction:
    return Jurisdiction.objects.get(kind="state", abbreviation="NM")


def a_record(**overrides: Any) -> RecordInput:
    values: dict[str, Any] = {
        "category": "EMJ",
        "last_name": "Martinez",
        "first_name": "Guadalupe",
        "middle_name": "Isabel",
        "sex": "F",
        "race": "W",
        "dob": date(2008, 4, 3),
        "dlc": date(2021, 4, 28),
        "oca": "LC-2021-0001",
        "height_in": 62,
        "weight_lb": 110,
        "eyes": "BRO",
        "hair": "BLK",
        "smt": ("TAT L ARM",),
        "place_last_seen": "Las Cruces",
        "jurisdiction_last_seen": "state:NM",
        "circumstances": "runaway",
        "notes": "Last seen leaving school on foot",
        "aliases": (NameInput("Martinez", "Lupita", kind="nickname"),),
    }
    values.update(overrides)
    return RecordInput(**values)


@pytest.fixture
def enter(investigator_a: Actor) -> Callable[..., MissingPersonRecord]:
    def make(actor: Actor | None = None, **overrides: Any) -> MissingPersonRecord:
        return enter_record(actor or investigator_a, a_record(**overrides))

    return make


def in_rolled_back_transaction(build: Callable[[], Any]) -> Any:
    """Run ``build`` and undo what it wrote (to re-import an export into a clean registry)."""
    with transaction.atomic():
        result = build()
        transaction.set_rollback(True)
    return result


def moment(days_ago: int) -> datetime:
    return timezone.now().replace(microsecond=0) - timedelta(days=days_ago)
