"""Records fixtures: a valid juvenile entry, entered through the real service."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from beacon.core.actor import Actor
from beacon.records.inputs import NameInput, RecordInput
from beacon.records.models import MissingPersonRecord
from beacon.records.services import enter_record


def juvenile(**overrides: Any) -> RecordInput:
    today = timezone.localdate()
    base = RecordInput(
        category="EMJ",
        last_name="Martinez",
        first_name="Guadalupe",
        middle_name="Isabel",
        sex="F",
        race="W",
        dob=today - timedelta(days=15 * 365),
        dlc=today - timedelta(days=3),
        oca="LC-2021-0001",
        height_in=62,
        weight_lb=110,
        eyes="BRO",
        hair="BLK",
        smt=("TAT L ARM",),
        place_last_seen="Las Cruces, NM",
        circumstances="runaway",
        aliases=(NameInput("Martinez", "Lupita", kind="nickname"),),
        alias_dobs=(date(2010, 4, 3),),
    )
    return dataclasses.replace(base, **overrides)


@pytest.fixture
def enter(investigator_a: Actor) -> Callable[..., MissingPersonRecord]:
    def make(actor: Actor | None = None, **overrides: Any) -> MissingPersonRecord:
        return enter_record(actor or investigator_a, juvenile(**overrides))

    return make


@pytest.fixture
def record(enter: Callable[..., MissingPersonRecord]) -> MissingPersonRecord:
    return enter()
