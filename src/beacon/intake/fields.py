"""The person fields an intake list is mapped onto, and the column-mapping step.

A mapping says which source columns feed each Beacon field (several columns are joined
with a space, e.g. street number + street) and how the source writes dates. It is
remembered per source (see ``SourceMapping``) so the next list from NCMEC or an agency
is imported without asking again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from beacon.core.errors import ValidationFailed

# Beacon's intake fields, in display order.
FIELDS: tuple[str, ...] = (
    "source_id",
    "first_name",
    "middle_name",
    "last_name",
    "dob",
    "sex",
    "address",
    "place",
    "state",
    "postcode",
    "nic",
    "oca",
    "ncmec_number",
)
IDENTIFIER_FIELDS: tuple[str, ...] = ("nic", "oca", "ncmec_number")
# Mapping-only: a whole name in one column ("Maria Garcia" or "Garcia, Maria"), split on import.
FULL_NAME = "full_name"
MAPPABLE: tuple[str, ...] = (*FIELDS, FULL_NAME)

# Header spellings recognised without asking (compared lower-case, punctuation as spaces).
SYNONYMS: dict[str, frozenset[str]] = {
    "source_id": frozenset({"id", "record id", "rec id", "case id", "source id", "row id"}),
    "full_name": frozenset({"name", "full name", "child", "child name", "person"}),
    "first_name": frozenset({"first name", "first", "given name", "forename", "fname"}),
    "middle_name": frozenset({"middle name", "middle", "mname"}),
    "last_name": frozenset({"last name", "last", "surname", "family name", "lname"}),
    "dob": frozenset({"dob", "date of birth", "birth date", "birthdate", "born"}),
    "sex": frozenset({"sex", "gender"}),
    "address": frozenset({"address", "street", "street address", "address 1", "address line 1"}),
    "place": frozenset(
        {"place", "city", "town", "suburb", "place last seen", "last seen", "locality"}
    ),
    "state": frozenset({"state", "province", "region"}),
    "postcode": frozenset({"postcode", "zip", "zip code", "postal code"}),
    "nic": frozenset({"nic", "ncic", "ncic number", "nic number"}),
    "oca": frozenset({"oca", "case number", "agency case number", "originating case number"}),
    "ncmec_number": frozenset({"ncmec", "ncmec number", "ncmec case number", "ncmec id"}),
}

DOB_FORMATS: dict[str, tuple[str, ...]] = {
    # "auto": ISO, US month-first, compact. Day-first sources must say so.
    "auto": ("%Y-%m-%d", "%m/%d/%Y", "%Y%m%d"),
    "iso": ("%Y-%m-%d",),
    "month-first": ("%m/%d/%Y", "%m-%d-%Y"),
    "day-first": ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"),
    "compact": ("%Y%m%d",),
}
DOB_FORMAT_HELP = {
    "auto": "YYYY-MM-DD, MM/DD/YYYY or YYYYMMDD",
    "iso": "YYYY-MM-DD",
    "month-first": "MM/DD/YYYY",
    "day-first": "DD/MM/YYYY",
    "compact": "YYYYMMDD",
}


def header_key(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", header.lower()).strip()


@dataclass
class ColumnMapping:
    """Which source columns feed each field, and the source's date format."""

    columns: dict[str, list[str]] = field(default_factory=dict)
    dob_format: str = "auto"

    def as_dict(self) -> dict[str, Any]:
        return {"columns": self.columns, "dob_format": self.dob_format}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ColumnMapping:
        columns = data.get("columns", {})
        fmt = str(data.get("dob_format", "auto"))
        if not isinstance(columns, dict):
            raise ValidationFailed.on("mapping", "columns must map field names to headers")
        clean: dict[str, list[str]] = {}
        for name, sources in columns.items():
            listed = [sources] if isinstance(sources, str) else list(sources)
            clean[str(name)] = [str(s) for s in listed]
        return cls(columns=clean, dob_format=fmt)

    @classmethod
    def parse_pairs(cls, pairs: list[str], dob_format: str = "auto") -> ColumnMapping:
        """``["First Name=first_name", "No+Street=address"]`` (CLI form)."""
        columns: dict[str, list[str]] = {}
        for pair in pairs:
            source, sep, target = pair.rpartition("=")
            if not sep or not source or not target:
                raise ValidationFailed.on("map", f"{pair!r} is not HEADER=field")
            columns[target.strip()] = [s.strip() for s in source.split("+")]
        return cls(columns=columns, dob_format=dob_format)

    def check(self, headers: list[str]) -> None:
        """Every field known, every header present, at least one name field mapped."""
        errors: dict[str, list[str]] = {}
        present = set(headers)
        for name, sources in self.columns.items():
            if name not in MAPPABLE:
                errors.setdefault(name, []).append(f"unknown field (known: {', '.join(MAPPABLE)})")
            for source in sources:
                if source not in present:
                    errors.setdefault(name, []).append(f"the file has no column {source!r}")
        if not {"first_name", "last_name", FULL_NAME} & set(self.columns):
            errors.setdefault("last_name", []).append(
                "map a first name, a last name or a full name"
            )
        if self.dob_format not in DOB_FORMATS:
            errors.setdefault("dob_format", []).append(f"must be one of {', '.join(DOB_FORMATS)}")
        if errors:
            raise ValidationFailed(
                "The column mapping does not fit this file.",
                fields={**errors, "headers": [", ".join(headers)]},
            )


def propose_mapping(headers: list[str]) -> ColumnMapping:
    """A first mapping from header names alone; the reviewer corrects and it is remembered."""
    columns: dict[str, list[str]] = {}
    for header in headers:
        key = header_key(header)
        for name, spellings in SYNONYMS.items():
            if (key in spellings or key == name.replace("_", " ")) and name not in columns:
                columns[name] = [header]
                break
    return ColumnMapping(columns=columns)
