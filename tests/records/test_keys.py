"""The search keys an import writes are the keys the query side builds."""

from __future__ import annotations

from datetime import date

import pytest

from beacon.records.keys import key_hash, key_specs, record_key_values

NAMES = [
    ("Garcia Lopez", "Maria"),
    ("de la Cruz", "Jesus"),
    ("O'Brien", "Bill"),
    ("Nguyen", ""),
    ("Begay", "Kate"),
    ("Martínez", "Guadalupe"),
]


def _reference(names: list[tuple[str, str]], dobs: list[date]) -> set[int]:
    """Every key_specs of every name hashed one by one (the definition of a record's keys)."""
    return {
        key_hash(kind, *parts)
        for last, first in names
        for kind, parts in key_specs(last, first, dobs)
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "dobs", [[], [date(2010, 3, 5)], [date(2010, 3, 5), date(2010, 5, 3), date(2010, 3, 5)]]
)
def test_cached_record_keys_equal_the_keys_of_every_spec(dobs: list[date]) -> None:
    for i in range(len(NAMES)):
        names = NAMES[i:] + NAMES[:i][:2]
        assert record_key_values(names, dobs) == _reference(names, dobs)
        assert record_key_values(names, dobs) == _reference(names, dobs)  # cached the 2nd time
