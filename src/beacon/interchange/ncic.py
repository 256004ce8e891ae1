"""NCIC Missing Person File entries: written and read as NCIC messages.

Export gives each visible record as the NCIC message an agency keys into its state
switch (``EMJ.ORI/NM0070100.NAM/MARTINEZ, GUADALUPE.SEX/F...``: the message key, then
``TAG/value`` fields separated by periods, MIS last). Import reads a state system's
messages of active records into an operation's target list through the registry's own
services; lines in Beacon's former fixed-column layout are still read (legacy, see
``ncic_fixed``). The NCIC fields the registry does not hold (MPC F, POB, SKN, DOE, MNP
AA, FBI, SOC, OLN/OLS/OLY, MNU) are kept beside the record (``NcicEntry``) and written
back out. Layout, codes and sources: docs/formats/ncic.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import NamedTuple

from django.db import transaction

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import DomainError, ValidationFailed
from beacon.interchange import ncic_codes, ncic_fixed
from beacon.interchange.errors import Collector, Progress
from beacon.interchange.models import NcicEntry
from beacon.interchange.ncic_message import (
    IDENTIFIERS,
    Message,
    day,
    format_message,
    is_message,
    name_field,
    parse_message,
)
from beacon.interchange.targets import ImportResult, add_target, digest, existing_record
from beacon.operations.services import get_operation
from beacon.records import codes as record_codes
from beacon.records import services as registry
from beacon.records.inputs import RecordInput
from beacon.records.models import MissingPersonRecord, RecordName, may_share_outside
from beacon.records.validation import RecordValidator

FORMAT = "ncic"
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
    "aliases": "AKA",
    "height_in": "HGT",
    "weight_lb": "WGT",
    "eyes": "EYE",
    "hair": "HAI",
    "smt": "SMT",
    "dlc": "DLC",
    "oca": "OCA",
    "nic": "NIC",
    "circumstances": "MPC",
    "place_last_seen": "MKE",
    "notes": "MIS",
}


# ------------------------------------------------------------------ export


def _identifiers(entry: NcicEntry | None) -> dict[str, list[str]]:
    if entry is None or not entry.identifiers:
        return {}
    try:
        value = json.loads(entry.identifiers)
    except ValueError:  # unreadable: its agency key was destroyed
        return {}
    return value if isinstance(value, dict) else {}


def _mnp(record: MissingPersonRecord, entry: NcicEntry | None) -> str:
    """MNP: CA for a child abduction, DV for a catastrophe victim (EMV), AA if a state
    system gave AA, else MP."""
    if record.circumstances in ABDUCTIONS:
        return "CA"
    if record.category == record_codes.Category.CATASTROPHE_VICTIM:
        return "DV"
    return "AA" if entry is not None and entry.mnp == "AA" else "MP"


def _mpc(record: MissingPersonRecord, entry: NcicEntry | None) -> str:
    code = ncic_codes.MPC_OF_CIRCUMSTANCE.get(record_codes.Circumstance(record.circumstances))
    if code:
        return code
    return entry.mpc if entry is not None and entry.mpc == "F" else ""


def fields_of(record: MissingPersonRecord) -> list[tuple[str, str]]:
    """The record's NCIC message fields, in the order Beacon writes them."""
    entry: NcicEntry | None = getattr(record, "ncic_entry", None)
    numbers = _identifiers(entry)
    height = record.height_in
    names = record.names.all() if record.pk else []
    aliases = [n for n in names if n.kind in (RecordName.Kind.ALIAS, RecordName.Kind.NICKNAME)]
    return [
        ("MKE", record.category),
        ("ORI", record.originating_agency.ori),
        ("NAM", name_field(record.last_name, record.first_name, record.middle_name)),
        ("SEX", record.sex),
        ("RAC", record.race),
        ("POB", entry.pob if entry else ""),
        ("DOB", day(record.dob)),
        ("DOE", day(entry.doe) if entry else ""),
        ("HGT", f"{height // 12}{height % 12:02d}" if height else ""),
        ("WGT", f"{record.weight_lb:03d}" if record.weight_lb else ""),
        ("EYE", record.eyes),
        # NCIC has no code for bald: its XXX is "unknown or completely bald".
        ("HAI", "XXX" if record.hair == record_codes.Hair.BALD else record.hair),
        ("SKN", entry.skn if entry else ""),
        *[("SMT", s) for s in record.smt or []],
        *[(tag, v) for tag in IDENTIFIERS for v in numbers.get(tag, [])],
        *[("AKA", name_field(n.last_name, n.first_name, n.middle_name)) for n in aliases],
        ("MNP", _mnp(record, entry)),
        ("DLC", day(record.dlc)),
        ("OCA", record.oca),
        ("NIC", record.nic),
        ("MPC", _mpc(record, entry)),
        ("MIS", " ".join(record.notes.split())),
    ]


def format_line(record: MissingPersonRecord) -> tuple[str, list[str]]:
    """One NCIC message, and the fields that cannot be written."""
    return format_message(fields_of(record))


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
    """NCIC messages of the visible records named (by NIC, or an operation's targets).

    Returns the file's text, the NICs in it and the NICs withheld. A NIC the actor may
    not see is refused like an unknown one. A record whose values NCIC would refuse (too
    long, a period outside MIS) is refused with its NIC and tag.
    The file leaves the actor's organisation, so TLP 2.0 applies
    (``may_share_outside``): a record named by NIC that may not leave is refused
    by name (nothing is exported); an operation's such records are withheld, and the
    audit event lists them.
    """
    policy.require(actor, Permission.RECORDS_VIEW, object_type="record")
    if not nics and not operation:
        raise ValidationFailed.on("nics", "name records by NIC or give an operation")
    visible = (
        MissingPersonRecord.objects.visible_to(actor)
        .select_related("originating_agency", "ncic_entry")
        .prefetch_related("names")
    )
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
            if not may_share_outside(actor, r)
        }
        if kept:
            raise ValidationFailed(
                f"{len(kept)} record(s) may not leave your organisation; nothing was exported.",
                fields=kept,
            )
        withheld: list[str] = []
    else:
        every = list(visible.order_by("nic").distinct())
        records = [r for r in every if may_share_outside(actor, r)]
        withheld = [r.nic for r in every if not may_share_outside(actor, r)]
    lines: list[str] = []
    refused: dict[str, list[str]] = {}
    for record in records:
        line, problems = format_line(record)
        if problems:
            refused[record.nic] = problems
        lines.append(line)
    if refused:
        raise ValidationFailed(
            f"{len(refused)} record(s) do not fit an NCIC message; nothing was exported.",
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


def _field_column(name: str, message: Message | None) -> str:
    tag = TAG_OF.get(name.split(".")[0], name)
    if message is not None:
        return message.where(tag)
    f = ncic_fixed.BY_TAG.get("CIR" if tag == "MPC" else tag)
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
    message: Message | None  # None: a legacy fixed-column line


def _parse(text: str, number: int, errors: Collector) -> tuple[RecordInput | None, Message | None]:
    if is_message(text):
        message = parse_message(text, number, errors)
        return (message.data if message else None), message
    return ncic_fixed.parse_line(text, number, errors), None


def _keep_entry(
    record: MissingPersonRecord, message: Message | None, source: str, result: ImportResult
) -> None:
    """Keep the message's fields the registry does not hold beside the record (a record
    that has them already keeps its own: the difference is reported, not applied)."""
    if message is None or not message.has_extras:
        return
    values = {
        "mpc": message.mpc if message.mpc == "F" else "",
        "mnp": message.mnp if message.mnp == "AA" else "",
        "pob": message.pob,
        "skn": message.skn,
        "doe": message.doe,
        "identifiers": json.dumps(message.identifiers, sort_keys=True)
        if message.identifiers
        else "",
    }
    entry = NcicEntry.objects.filter(record=record).first()
    if entry is None:
        NcicEntry.objects.create(
            record=record, agency_id=record.originating_agency_id, source=source, **values
        )
        result.count("ncic_fields_kept")
        return
    held = {name: getattr(entry, name) for name in values}
    if held != values:
        result.skipped.append(
            f"{record.nic}: the NCIC fields Beacon already holds (MPC, MNP, POB, SKN, DOE, "
            "identifying numbers) differ from the file's; Beacon's were kept"
        )


def import_ncic(
    actor: Actor,
    operation: str,
    data: bytes,
    *,
    source: str = "ncic.txt",
    progress: Progress | None = None,
) -> ImportResult:
    """Put every record of a state system's NCIC messages on the operation's target
    list, or none (lines in Beacon's legacy fixed columns are read too).

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
        parsed, message = _parse(text, number, errors)
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
            errors.add(number, _field_column("originating_ori", message), "this field is required")
            continue
        try:  # every line is checked, also those of records Beacon already holds
            clean = validator.clean(parsed, default_agency=actor.agency)
        except ValidationFailed as exc:
            for name, reasons in exc.fields.items():
                for reason in reasons:
                    errors.add(number, _field_column(name, message), reason)
            continue
        record, problem = existing_record(
            actor, nic=parsed.nic, ori=parsed.originating_ori, oca=parsed.oca
        )
        if problem:
            errors.add(number, _field_column("nic", message), problem)
            continue
        own = actor.is_system or clean.originating_agency.pk == actor.agency_id
        if record is None and not own:
            errors.add(
                number,
                _field_column("originating_ori", message),
                "you may enter only your agency's",
            )
            continue
        rows.append(_Row(number, parsed, record, message))
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
                _keep_entry(record, row.message, source, result)
                _target, new = add_target(actor, op, record, source=source)
                result.count("targets_added" if new else "targets_unchanged")
                result.nics.append(record.nic)
            except DomainError as exc:
                for name, reasons in (exc.fields or {"record": [exc.message]}).items():
                    for reason in reasons:
                        errors.add(row.line, _field_column(name, row.message), reason)
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
