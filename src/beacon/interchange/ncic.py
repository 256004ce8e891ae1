"""NCIC-style fixed records: one missing-person entry per line, fields at fixed columns.

Export gives each visible record as the field list an agency keys into its state switch
(MKE, ORI, NAM, SEX, RAC, DOB, HGT, WGT, EYE, HAI, SMT x5, DLC, OCA, NIC, MNP, then
Beacon's CIR and the free-text MIS). Import reads a state system's export of active
records into an operation's target list through the registry's own services.
Layout and rules: docs/formats/ncic.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from django.db import transaction

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import DomainError, ValidationFailed
from beacon.interchange.errors import Collector, Progress
from beacon.interchange.targets import ImportResult, add_target, digest, existing_record
from beacon.operations.services import get_operation
from beacon.records import codes as record_codes
from beacon.records import services as registry
from beacon.records.inputs import RecordInput
from beacon.records.models import MissingPersonRecord
from beacon.records.validation import RecordValidator

FORMAT = "ncic"


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
        ("MIS", 500),  # NCIC allows 500 characters of miscellaneous data
    ]
)
LINE_MAX = LAYOUT[-1].start + LAYOUT[-1].width
BY_TAG = {f.tag: f for f in LAYOUT}
ABDUCTIONS = {
    record_codes.Circumstance.FAMILY_ABDUCTION,
    record_codes.Circumstance.NON_FAMILY_ABDUCTION,
}
# The registry's field names and the NCIC tag that carries each (for error reports).
TAG_OF = {
    "category": "MKE",
    "originating_ori": "ORI",
    "last_name": "NAM",
    "first_name": "NAM",
    "middle_name": "NAM",
    "sex": "SEX",
    "race": "RAC",
    "dob": "DOB",
    "height_in": "HGT",
    "weight_lb": "WGT",
    "eyes": "EYE",
    "hair": "HAI",
    "smt": "SMT",
    "dlc": "DLC",
    "oca": "OCA",
    "nic": "NIC",
    "circumstances": "CIR",
    "notes": "MIS",
}


# ------------------------------------------------------------------ export


def _day(value: date | None) -> str:
    return value.strftime("%Y%m%d") if value else ""


def _name(record: MissingPersonRecord) -> str:
    given = " ".join(n for n in (record.first_name, record.middle_name) if n)
    return f"{record.last_name},{given}".upper() if given else record.last_name.upper()


def fields_of(record: MissingPersonRecord) -> dict[str, list[str]]:
    """The record's NCIC fields (SMT has one value per slot)."""
    height = record.height_in
    return {
        "MKE": [record.category],
        "ORI": [record.originating_agency.ori],
        "NAM": [_name(record)],
        "SEX": [record.sex],
        "RAC": [record.race],
        "DOB": [_day(record.dob)],
        "HGT": [f"{height // 12}{height % 12:02d}" if height else ""],
        "WGT": [f"{record.weight_lb:03d}" if record.weight_lb else ""],
        "EYE": [record.eyes],
        # NCIC has no code for bald: its XXX is "unknown or completely bald".
        "HAI": ["XXX" if record.hair == record_codes.Hair.BALD else record.hair],
        "SMT": list(record.smt or []),
        "DLC": [_day(record.dlc)],
        "OCA": [record.oca],
        "NIC": [record.nic],
        "MNP": [_mnp(record)],
        "CIR": [record.circumstances.upper()],
        "MIS": [" ".join(record.notes.split())],
    }


def _mnp(record: MissingPersonRecord) -> str:
    """MNP: CA for a child abduction, DV for a catastrophe victim (EMV), else MP."""
    if record.circumstances in ABDUCTIONS:
        return "CA"
    return "DV" if record.category == record_codes.Category.CATASTROPHE_VICTIM else "MP"


def format_line(record: MissingPersonRecord) -> tuple[str, list[str]]:
    """One fixed record, and the fields that do not fit their columns."""
    values = fields_of(record)
    if len(values["SMT"]) > SMT_SLOTS:
        return "", [f"SMT: at most {SMT_SLOTS} scars, marks or tattoos fit"]
    problems: list[str] = []
    parts: list[str] = []
    slot = 0
    for f in LAYOUT:
        if f.tag == "SMT":
            smt = values["SMT"]
            value = smt[slot] if slot < len(smt) else ""
            slot += 1
        else:
            value = values[f.tag][0]
        if len(value) > f.width:
            problems.append(f"{f.tag}: {value!r} is longer than {f.width} characters")
        parts.append(value.ljust(f.width))
    return "".join(parts).rstrip(), problems


class NcicFile(NamedTuple):
    text: str
    nics: list[str]  # exported, in the file's order
    withheld: list[str]  # an operation's records TLP 2.0 keeps inside the organisation


KEPT_IN = (
    "TLP 2.0 lets only the originating agency send AMBER records out, and AMBER+STRICT "
    "and RED records never in a file (lower the marking first)"
)


def export_ncic(
    actor: Actor, *, nics: list[str] | None = None, operation: str | None = None
) -> NcicFile:
    """Fixed records of the visible records named (by NIC, or an operation's targets).

    Returns the file's text, the NICs in it and the NICs withheld. A NIC the actor may not see is NotVisible (404). A record
    whose values do not fit the fixed columns is refused with its NIC and field.
    The file leaves the actor's organisation, so TLP 2.0 applies
    (``policy.may_share_outside``): a record named by NIC that may not leave is refused
    by name (nothing is exported); an operation's such records are withheld, and the
    audit event lists them.
    """
    policy.require(actor, Permission.RECORDS_VIEW, object_type="record")
    if not nics and not operation:
        raise ValidationFailed.on("nics", "name records by NIC or give an operation")
    visible = policy.records_visible_to(actor).select_related("originating_agency")
    if operation:
        op = get_operation(actor, operation)
        visible = visible.filter(targets__operation=op)
    if nics:
        wanted = [n.strip().upper() for n in nics if n.strip()]
        rows = {r.nic: r for r in visible.filter(nic__in=wanted)}
        for nic in wanted:
            if nic not in rows:
                raise ValidationFailed.on("nics", f"{nic}: no such record visible to you")
        records = [rows[n] for n in dict.fromkeys(wanted)]
        kept = {
            r.nic: [f"marked TLP:{r.tlp}; {KEPT_IN}"]
            for r in records
            if not policy.may_share_outside(actor, r)
        }
        if kept:
            raise ValidationFailed(
                f"{len(kept)} record(s) may not leave your organisation; nothing was exported.",
                fields=kept,
            )
        withheld: list[str] = []
    else:
        every = list(visible.order_by("nic").distinct())
        records = [r for r in every if policy.may_share_outside(actor, r)]
        withheld = [r.nic for r in every if not policy.may_share_outside(actor, r)]
    lines: list[str] = []
    refused: dict[str, list[str]] = {}
    for record in records:
        line, problems = format_line(record)
        if problems:
            refused[record.nic] = problems
        lines.append(line)
    if refused:
        raise ValidationFailed(
            f"{len(refused)} record(s) do not fit the NCIC fixed layout; nothing was exported.",
            fields=refused,
        )
    exported = [r.nic for r in records]
    with transaction.atomic():
        audit.record(
            actor,
            "interchange.export",
            object_type="record",
            object_id=FORMAT,
            detail={
                "format": FORMAT,
                "operation": operation or "",
                "nics": exported,
                "withheld_tlp": withheld,
            },
        )
    return NcicFile("".join(f"{line}\n" for line in lines), exported, withheld)


# ------------------------------------------------------------------ import


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


def _field_column(name: str) -> str:
    tag = TAG_OF.get(name.split(".")[0], name)
    f = BY_TAG.get(tag)
    return f.columns if f else tag


def _decode(data: bytes, errors: Collector) -> list[str]:
    out: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte order mark
        data = data[3:]
    for number, raw in enumerate(data.splitlines(), start=1):
        try:
            out.append(raw.decode("utf-8").rstrip("\r\n"))
        except UnicodeDecodeError as exc:
            errors.add(number, f"column {exc.start + 1}", "not UTF-8 text")
            out.append("")
    return out


@dataclass
class _Row:
    line: int
    data: RecordInput
    record: MissingPersonRecord | None


def import_ncic(
    actor: Actor,
    operation: str,
    data: bytes,
    *,
    source: str = "ncic.txt",
    progress: Progress | None = None,
) -> ImportResult:
    """Put every record of a state system's export on the operation's target list, or none.

    A record the registry already holds (same NIC, or same ORI and OCA) is linked; a new
    one is entered through ``beacon.records.services.enter_record``. Every line is
    validated first; any problem rejects the whole file with each line and field.
    """
    policy.require(actor, Permission.RECORDS_IMPORT, object_type="operation", object_id=operation)
    policy.require(
        actor, Permission.OPERATIONS_MANAGE, object_type="operation", object_id=operation
    )
    op = get_operation(actor, operation)
    errors = Collector("NCIC")
    lines = _decode(data, errors)
    validator = RecordValidator()
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    total = len(lines)
    for number, text in enumerate(lines, start=1):
        if progress and number % 100 == 0:
            progress("validate", number, total)
        if not text.strip():
            continue
        parsed = parse_line(text, number, errors)
        if parsed is None:
            continue
        key = f"{parsed.originating_ori.upper()}/{parsed.oca.upper()}"
        for k in (key, parsed.nic.upper()):
            if k and k in seen:
                errors.add(number, "NIC/OCA", f"the same record as line {seen[k]}")
                break
        else:
            seen.update({key: number, **({parsed.nic.upper(): number} if parsed.nic else {})})
        if not parsed.originating_ori:
            errors.add(number, BY_TAG["ORI"].columns, "this field is required")
            continue
        try:  # every line is checked, also those of records Beacon already holds
            clean = validator.clean(parsed, default_agency=actor.agency)
        except ValidationFailed as exc:
            for name, messages in exc.fields.items():
                for message in messages:
                    errors.add(number, _field_column(name), message)
            continue
        record, problem = existing_record(
            actor, nic=parsed.nic, ori=parsed.originating_ori, oca=parsed.oca
        )
        if problem:
            errors.add(number, BY_TAG["NIC"].columns, problem)
            continue
        own = actor.is_system or clean.originating_agency.pk == actor.agency_id
        if record is None and not own:
            errors.add(number, BY_TAG["ORI"].columns, "you may enter only your agency's")
            continue
        rows.append(_Row(number, parsed, record))
    if progress:
        progress("validate", total, total)
    errors.raise_if_any()
    if not rows:
        raise ValidationFailed.on("file", "the file holds no records")
    result = ImportResult(FORMAT, source, digest(data))
    with transaction.atomic():
        for done, row in enumerate(rows, start=1):
            record = row.record
            try:
                if record is None:
                    record = registry.enter_record(
                        actor, row.data, reason=f"imported from {source} line {row.line}"
                    )
                    result.count("entered")
                else:
                    result.count("linked")
                _target, new = add_target(actor, op, record, source=source)
                result.count("targets_added" if new else "targets_unchanged")
                result.nics.append(record.nic)
            except DomainError as exc:
                for name, messages in (exc.fields or {"record": [exc.message]}).items():
                    for message in messages:
                        errors.add(row.line, _field_column(name), message)
            if progress and done % 50 == 0:
                progress("write", done, len(rows))
        errors.raise_if_any()
        audit.record(
            actor,
            "interchange.import",
            object_type="operation",
            object_id=op.code,
            detail={k: v for k, v in result.as_dict().items() if k != "nics"},
        )
    if progress:
        progress("write", len(rows), len(rows))
    return result
