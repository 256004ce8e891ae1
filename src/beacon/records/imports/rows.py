"""Turning one import row ({column: text}) into a RecordInput, naming bad columns.

Columns are the RecordInput field names; NCIC codes are accepted as aliases
(MKE, NAM_LAST, SEX, RAC, DOB, HGT, WGT, EYE, HAI, SMT, DLC, ORI, OCA, NIC).
Lists (aliases, alias_dobs, smt) separate items with ``|``; an alias is
``Last, First`` optionally followed by `` (nickname)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, fields
from datetime import date, datetime
from functools import lru_cache

from beacon.records.inputs import RECORD_FIELDS, NameInput, RecordInput

ALIASES = {
    "mke": "category",
    "nam_last": "last_name",
    "nam_first": "first_name",
    "nam_middle": "middle_name",
    "rac": "race",
    "hgt": "height_in",
    "wgt": "weight_lb",
    "eye": "eyes",
    "hai": "hair",
    "ori": "originating_ori",
    "aka": "aliases",
}
COLUMNS = RECORD_FIELDS
REQUIRED_COLUMNS = ("category", "last_name", "sex", "dlc", "oca", "originating_ori")


def canonical_column(name: str) -> str:
    return ALIASES.get(name, name)


def header_errors(header: list[str]) -> list[tuple[str, str]]:
    """(column, reason) for unknown, repeated or missing columns (header as written)."""
    errors: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name in header:
        column = canonical_column(name.strip().lower().replace(" ", "_"))
        if not name:
            errors.append(("(empty)", "a column has no name"))
        elif column not in COLUMNS:
            errors.append((name, "unknown column"))
        elif column in seen:
            errors.append((name, "column appears twice"))
        seen.add(column)
    for column in REQUIRED_COLUMNS:
        if column not in seen:
            errors.append((column, "required column is missing"))
    return errors


def read_date(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10]) if len(text) >= 10 else date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def read_int(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(f"{text!r} is not a whole number")
    return int(text)


def _datetime(text: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not a date and time (ISO 8601 with time zone)") from None


def _alias(text: str) -> NameInput:
    kind = "alias"
    if text.endswith("(nickname)"):
        kind, text = "nickname", text[: -len("(nickname)")]
    last, _, first = text.partition(",")
    return NameInput(last_name=last.strip(), first_name=first.strip(), kind=kind)


def _dates(text: str) -> tuple[date, ...]:
    return tuple(d for d in map(read_date, text.split("|")) if d)


def _aliases(text: str) -> tuple[NameInput, ...]:
    return tuple(_alias(a.strip()) for a in text.split("|") if a.strip())


def _list(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.split("|") if s.strip())


def _text(text: str) -> str:
    return text.strip()


Parser = Callable[[str], object]
PARSERS: dict[str, Parser] = {
    "dob": read_date,
    "dlc": read_date,
    "height_in": read_int,
    "weight_lb": read_int,
    "reported_at": _datetime,
    "alias_dobs": _dates,
    "aliases": _aliases,
    "smt": _list,
}


@lru_cache(maxsize=64)
def _plan(name: str) -> tuple[str, Parser] | None:
    """(field, parser) for a folded column name; None outside the known columns."""
    column = canonical_column(name)
    if column not in COLUMNS:
        return None
    return column, PARSERS.get(column, _text)


_FIELD_DEFAULTS = {f.name: f.default for f in fields(RecordInput) if f.default is not MISSING}
_ROW_DEFAULTS = {
    **_FIELD_DEFAULTS,
    "dlc": None,
    "category": "",
    "last_name": "",
    "sex": "",
    "oca": "",
}


def _record_input(values: dict[str, object]) -> RecordInput:
    """``RecordInput(**values)`` without the frozen dataclass's per-field setattr (the
    importer builds a million): every field is set, from ``values`` or its default."""
    made = object.__new__(RecordInput)
    made.__dict__.update(_ROW_DEFAULTS)
    made.__dict__.update(values)
    return made


def to_input(row: dict[str, str]) -> tuple[RecordInput, list[tuple[str, str]]]:
    """The row as a RecordInput and (column, reason) for each cell that could not be read.

    Unreadable cells are left out (the input keeps its default there), so the rest of
    the row is still validated and every problem of the row is reported at once.
    """
    values: dict[str, object] = {}
    errors: list[tuple[str, str]] = []
    for name, text in row.items():
        plan = _plan(name)
        if plan is None:
            if text.strip():
                errors.append((name, "value outside the file's columns"))
            continue
        parse = plan[1]
        if parse is _text:
            values[plan[0]] = text.strip()
            continue
        try:
            values[plan[0]] = parse(text)
        except ValueError as exc:
            errors.append((name, str(exc)))
    return _record_input(values), errors
