"""The record's fields are declared once (RecordInput); the import and modify follow it."""

from __future__ import annotations

from dataclasses import fields

from beacon.records.imports.rows import header_errors
from beacon.records.inputs import RecordInput, coerce_changes


def test_every_record_field_is_an_import_column() -> None:
    header = [f.name for f in fields(RecordInput)]
    assert header_errors(header) == []


def test_an_unknown_column_is_refused_by_name() -> None:
    header = [*(f.name for f in fields(RecordInput)), "favourite_colour"]
    assert [column for column, _ in header_errors(header)] == ["favourite_colour"]


def test_a_modify_may_change_every_descriptor_but_not_identity_or_agency() -> None:
    changes = {"notes": "seen at the bus station", "nic": "M123456789", "originating_ori": "X"}
    values, errors = coerce_changes(changes)
    assert values == {"notes": "seen at the bus station"}
    assert set(errors) == {"nic", "originating_ori"}
