"""Legacy: Beacon's own fixed-column NCIC-style records, read only.

Beacon wrote this layout before it wrote NCIC messages; no partner is known to use it,
so it is only read (files Beacon wrote earlier still import). Layout:
docs/formats/ncic.md, "Legacy fixed columns".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from beacon.interchange.errors import Collector
from beacon.records import codes as record_codes
from beacon.records.inputs import RecordInput


@dataclass(frozen=True)
class Field:
    tag: str
    start: int  # 0-based column
    width: int

    @property
    def columns(self) -> str:
        return f"{self.tag} (columns {self.start + 1}-{self.start + self.width})"


def _layout(spec: list[tuple[str, int]]) -> list[Field]:
    out, at = [], 0
    for tag, width in spec:
        out.append(Field(tag, at, width))
        at += width
    return out


SMT_SLOTS = 5
LAYOUT = _layout(
    [
        ("MKE", 3),
        ("ORI", 9),
        ("NAM", 30),
        ("SEX", 1),
        ("RAC", 1),
        ("DOB", 8),
        ("HGT", 3),
        ("WGT", 3),
        ("EYE", 3),
        ("HAI", 3),
        *[("SMT", 10)] * SMT_SLOTS,
        ("DLC", 8),
        ("OCA", 20),
        ("NIC", 10),
        ("MNP", 2),
        ("CIR", 20),
        ("MIS", 500),
    ]
)
LINE_MAX = LAYOUT[-1].start + LAYOUT[-1].width
BY_TAG = {f.tag: f for f in LAYOUT}


def _cut(text: str, f: Field) -> str:
    return text[f.start : f.start + f.width].strip()


def _parse_day(value: str, f: Field, line: int, errors: Collector) -> date | None:
    if not value:
        return None
    try:
        if len(value) != 8 or not value.isdigit():
            raise ValueError
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        errors.add(line, f.columns, f"{value!r} is not a date (YYYYMMDD)")
        return None


def _parse_int(value: str, f: Field, line: int, errors: Collector) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        errors.add(line, f.columns, f"{value!r} is not a number")
        return None
    if f.tag == "HGT":
        feet, inches = int(value[:-2] or "0"), int(value[-2:])
        if len(value) != 3 or inches > 11:
            errors.add(line, f.columns, f"{value!r} is not a height (FII: feet, 2-digit inches)")
            return None
        return feet * 12 + inches
    return int(value)


def parse_line(text: str, line: int, errors: Collector) -> RecordInput | None:
    """A RecordInput from one fixed record; problems go to ``errors`` (None if any)."""
    before = len(errors.errors)
    if len(text) > LINE_MAX:
        errors.add(line, "line", f"{len(text)} characters; a fixed record has at most {LINE_MAX}")
        return None
    value = {f.tag: _cut(text, f) for f in LAYOUT if f.tag != "SMT"}
    smt = tuple(_cut(text, f) for f in LAYOUT if f.tag == "SMT")
    last, _sep, given = value["NAM"].partition(",")
    first, _sp, middle = given.strip().partition(" ")
    mnp = value["MNP"]
    if mnp not in ("MP", "CA", "AA", "DV"):
        errors.add(
            line,
            BY_TAG["MNP"].columns,
            "MP (missing person), CA (child abduction), DV (catastrophe victim) or AA (AMBER Alert)",
        )
    circumstances = value["CIR"].lower() or "unknown"
    dob = _parse_day(value["DOB"], BY_TAG["DOB"], line, errors)
    dlc = _parse_day(value["DLC"], BY_TAG["DLC"], line, errors)
    height = _parse_int(value["HGT"], BY_TAG["HGT"], line, errors)
    weight = _parse_int(value["WGT"], BY_TAG["WGT"], line, errors)
    if len(errors.errors) > before:
        return None
    return RecordInput(
        category=value["MKE"],
        last_name=last.strip(),
        first_name=first.strip(),
        middle_name=middle.strip(),
        sex=value["SEX"],
        race=value["RAC"] or "U",
        dob=dob,
        height_in=height,
        weight_lb=weight,
        eyes=value["EYE"] or record_codes.Eyes.UNKNOWN.value,
        hair=value["HAI"] or record_codes.Hair.UNKNOWN.value,
        smt=tuple(s for s in smt if s),
        dlc=dlc,
        oca=value["OCA"],
        nic=value["NIC"],
        circumstances=circumstances,
        originating_ori=value["ORI"],
        notes=value["MIS"],
    )
