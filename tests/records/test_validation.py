"""Every validation rule refuses with the field named (NCIC-style entry checks)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from beacon.core.actor import Actor
from beacon.core.errors import ValidationFailed
from beacon.records.inputs import NameInput
from beacon.records.models import MissingPersonRecord
from beacon.records.services import enter_record

from .conftest import juvenile

TODAY = timezone.localdate()
FUTURE = TODAY + timedelta(days=2)

CASES: list[tuple[str, dict[str, Any], str]] = [
    ("last_name", {"last_name": ""}, "required"),
    ("last_name", {"last_name": "Garc1a"}, "letters"),
    ("last_name", {"last_name": "A" * 61}, "at most 60"),
    ("first_name", {"first_name": "J@ne"}, "letters"),
    ("middle_name", {"middle_name": "x_y"}, "letters"),
    ("category", {"category": "EMX"}, "not a code"),
    ("sex", {"sex": ""}, "required"),
    ("sex", {"sex": "Q"}, "not a code"),
    ("race", {"race": "Z"}, "not a code"),
    ("eyes", {"eyes": "PUR"}, "not a code"),
    ("hair", {"hair": "NOPE"}, "not a code"),
    ("circumstances", {"circumstances": "vanished"}, "not a code"),
    ("tlp", {"tlp": "BLACK"}, "not a code"),
    ("dlc", {"dlc": None}, "required"),
    ("dlc", {"dlc": FUTURE}, "future"),
    ("dob", {"dob": FUTURE, "category": "EMO"}, "future"),
    ("dob", {"dob": TODAY - timedelta(days=1), "dlc": TODAY - timedelta(days=5)}, "before"),
    ("dob", {"dob": date(1890, 1, 1), "category": "EMO"}, "125 years"),
    ("dob", {"dob": None}, "required for category EMJ"),
    ("dob", {"dob": TODAY - timedelta(days=25 * 366)}, "under 21"),
    ("alias_dobs.0", {"alias_dobs": (FUTURE,)}, "future"),
    ("height_in", {"height_in": 5}, "between 12 and 107"),
    ("weight_lb", {"weight_lb": 1200}, "between 1 and 999"),
    ("oca", {"oca": ""}, "required"),
    ("oca", {"oca": "X" * 21}, "up to 20"),
    ("oca", {"oca": "bad oca!"}, "up to 20"),
    ("ncmec_number", {"ncmec_number": "NCMEC #1"}, "letters, digits"),
    ("nic", {"nic": "12345"}, "one letter followed by 9 digits"),
    ("smt", {"smt": tuple(f"TAT {i}" for i in range(11))}, "at most 10"),
    ("smt.0", {"smt": ("X" * 41,)}, "at most 40"),
    ("place_last_seen", {"place_last_seen": "x" * 201}, "at most 200"),
    ("notes", {"category": "EME", "notes": ""}, "required for category EME"),
    ("notes", {"category": "EMD", "notes": ""}, "required for category EMD"),
    ("circumstances", {"category": "EMI", "circumstances": "unknown"}, "required for category EMI"),
    ("circumstances", {"category": "EMI", "circumstances": "runaway"}, "must be an abduction"),
    ("place_last_seen", {"category": "EMV", "place_last_seen": ""}, "required for category EMV"),
    ("jurisdiction_last_seen", {"jurisdiction_last_seen": "planet:MARS"}, "unknown"),
    ("jurisdiction_last_seen", {"jurisdiction_last_seen": "state:QQ"}, "unknown"),
    ("originating_ori", {"originating_ori": "ZZ9999999"}, "no agency"),
    ("reported_at", {"reported_at": datetime(2020, 1, 1, 10, 0)}, "time zone"),
    ("reported_at", {"reported_at": timezone.now() + timedelta(hours=3)}, "future"),
    ("reported_at", {"reported_at": timezone.now() - timedelta(days=30)}, "before the date"),
    ("aliases.0.last_name", {"aliases": (NameInput("", ""),)}, "needs a last or a first"),
    ("aliases.0.kind", {"aliases": (NameInput("Lopez", "Ana", kind="street"),)}, "alias or"),
    ("aliases.0.first_name", {"aliases": (NameInput("Lopez", "An4"),)}, "letters"),
]


@pytest.mark.parametrize(("field", "change", "message"), CASES)
def test_bad_entry_is_refused_naming_the_field(
    investigator_a: Actor, field: str, change: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        enter_record(investigator_a, juvenile(**change))
    assert field in caught.value.fields, caught.value.fields
    assert any(message in m for m in caught.value.fields[field]), caught.value.fields[field]
    assert not MissingPersonRecord.objects.exists()


def test_every_bad_field_is_reported_at_once(investigator_a: Actor) -> None:
    with pytest.raises(ValidationFailed) as caught:
        enter_record(investigator_a, juvenile(sex="Q", eyes="PUR", oca=""))
    assert {"sex", "eyes", "oca"} <= set(caught.value.fields)


def test_the_system_actor_must_name_the_originating_agency(system: Actor) -> None:
    with pytest.raises(ValidationFailed) as caught:
        enter_record(system, juvenile())
    assert "originating_ori" in caught.value.fields


def test_a_known_jurisdiction_is_stored(investigator_a: Actor) -> None:
    record = enter_record(investigator_a, juvenile(jurisdiction_last_seen="state:NM"))
    assert record.jurisdiction_last_seen is not None
    assert record.jurisdiction_last_seen.abbreviation == "NM"


def test_a_juvenile_entered_late_gets_an_entry_deadline(investigator_a: Actor) -> None:
    reported = timezone.now() - timedelta(hours=5)
    record = enter_record(investigator_a, juvenile(reported_at=reported))
    assert record.entry_due_at == reported + timedelta(hours=2)
    assert record.validation_due_at == record.entered_at + timedelta(days=90)
