"""Registry records inside a bundle: the registry's own input fields (RecordInput)."""

from __future__ import annotations

import dataclasses
from typing import Any

from beacon.operations.bundles.reader import Reader, Row
from beacon.records.inputs import NameInput, RecordInput

RECORD_FIELDS = tuple(f.name for f in dataclasses.fields(RecordInput))
_DATES = {"dob", "dlc"}
_INTS = {"height_in", "weight_lb"}
_REQUIRED = {"originating_ori", "oca", "category", "last_name", "sex", "dlc"}


def parse_record(reader: Reader, path: str, row: Row) -> Row:
    """Typed RecordInput values; the registry validates their content when entering."""
    out: Row = {}
    for name in RECORD_FIELDS:
        required = name in _REQUIRED
        if name in _DATES:
            out[name] = reader.day(row, name, path, required=required)
        elif name in _INTS:
            out[name] = reader.integer(row, name, path, required=required)
        elif name == "reported_at":
            out[name] = reader.moment(row, name, path)
        elif name == "alias_dobs":
            days = []
            for index, _value in enumerate(reader.strings(row, name, path)):
                days.append(reader.day({"d": row[name][index]}, "d", f"{path}.{name}[{index}]"))
            out[name] = tuple(d for d in days if d is not None)
        elif name == "smt":
            out[name] = tuple(reader.strings(row, name, path))
        elif name == "aliases":
            out[name] = _aliases(reader, path, row.get(name, []))
        elif name == "originating_ori":
            out[name] = reader.ori(row, name, path)
        elif name == "oca":
            out[name] = reader.text(row, name, path, required=True, max_len=20).upper()
        else:
            out[name] = reader.text(row, name, path, required=required, max_len=2000)
    return out


def _aliases(reader: Reader, path: str, value: Any) -> tuple[NameInput, ...]:
    if not isinstance(value, list):
        reader.fail(f"{path}.aliases", "must be a list")
        return ()
    names = []
    for index, item in enumerate(value):
        apath = f"{path}.aliases[{index}]"
        if not isinstance(item, dict):
            reader.fail(apath, "must be an object with last_name")
            continue
        names.append(
            NameInput(
                last_name=reader.text(item, "last_name", apath, required=True),
                first_name=reader.text(item, "first_name", apath),
                middle_name=reader.text(item, "middle_name", apath),
                kind=reader.text(item, "kind", apath) or "alias",
            )
        )
    return tuple(names)


def record_input(row: Row) -> RecordInput:
    values = {k: v for k, v in row.items() if v is not None}
    for name in ("race", "eyes", "hair", "circumstances", "tlp"):
        if not values.get(name):
            values.pop(name, None)
    return RecordInput(**values)
