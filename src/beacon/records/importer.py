"""``import_records``: all-or-nothing bulk entry of records from a CSV or XLSX file.

Every row is parsed and validated first (the same RecordValidator as a single entry,
plus duplicates inside the file and against the registry); if any row is bad, nothing
is written and every bad row, column and reason is reported. Otherwise the records,
their names, alias DOBs, search keys and ``enter`` transactions are written with fast
bulk inserts in one transaction, with one audit event for the import.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import ValidationFailed
from beacon.records import bulk, codes, deadlines, import_files, import_rows
from beacon.records.keys import record_key_values
from beacon.records.models import (
    MissingPersonRecord,
    NameKey,
    RecordDob,
    RecordName,
    RecordTransaction,
)
from beacon.records.nic import assign_nics
from beacon.records.validation import CleanRecord, RecordValidator
from beacon.vault import sealing
from beacon.vault.services import bulk_sealer

Progress = Callable[[str, int, int], None]  # (phase, done, total)
MAX_REPORTED = 1000
PROGRESS_EVERY = 5_000


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


class ImportFailed(ValidationFailed):
    """The file has bad rows; nothing was imported."""

    def __init__(self, errors: list[RowError], *, bad_rows: int) -> None:
        shown = errors[:MAX_REPORTED]
        fields: dict[str, list[str]] = {}
        for e in shown:
            fields.setdefault(f"line {e.line}", []).append(f"{e.column}: {e.message}")
        more = f" (first {MAX_REPORTED} errors shown)" if len(errors) > MAX_REPORTED else ""
        super().__init__(
            f"{bad_rows} bad row(s), {len(errors)} error(s); nothing was imported{more}.",
            fields=fields,
        )
        self.errors = shown


@dataclass
class ImportResult:
    file: str
    sha256: str
    records: int
    seconds: float
    nics: list[str] = field(default_factory=list)

    @property
    def records_per_s(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


@dataclass
class _Prepared:
    line: int
    clean: CleanRecord
    keys: set[int]


def _column_for(field_name: str, header: list[str]) -> str:
    """The file's own name of the column behind a validation field (dob, aliases.0...)."""
    base = import_rows.canonical_column(field_name.split(".")[0].lower())
    for name in header:
        if import_rows.canonical_column(import_files.fold_column(name)) == base:
            return name + field_name[len(field_name.split(".")[0]) :]
    return field_name


def _validate(
    actor: Actor, header: list[str], rows: Any, total: int, now: datetime, progress: Progress | None
) -> tuple[list[_Prepared], list[RowError], int]:
    validator = RecordValidator(now=now)
    prepared: list[_Prepared] = []
    errors: list[RowError] = []
    bad_lines: set[int] = set()
    seen_oca: dict[tuple[str, str], int] = {}
    seen_nic: dict[str, int] = {}
    own_ori = actor.agency.ori
    done = 0
    for line, row in rows:
        done += 1
        if progress and done % PROGRESS_EVERY == 0:
            progress("validate", done, total)
        data, problems = import_rows.to_input(row)
        found = [RowError(line, _column_for(c, header), m) for c, m in problems]
        unreadable = {import_rows.canonical_column(c) for c, _ in problems}
        clean: CleanRecord | None = None
        try:
            clean = validator.clean(data, default_agency=actor.agency)
        except ValidationFailed as exc:
            for name, messages in exc.fields.items():
                if name.split(".")[0] not in unreadable:
                    found.extend(RowError(line, _column_for(name, header), m) for m in messages)
        ori = data.originating_ori.strip().upper() or own_ori
        if not actor.is_system and ori != own_ori:
            found.append(RowError(line, _column_for("originating_ori", header), "not your agency"))
        oca_key = (ori, data.oca.strip().upper())
        if oca_key[1] and oca_key in seen_oca:
            message = f"same ORI and OCA as line {seen_oca[oca_key]}"
            found.append(RowError(line, _column_for("oca", header), message))
        seen_oca.setdefault(oca_key, line)
        nic = data.nic.strip().upper()
        if nic and nic in seen_nic:
            found.append(
                RowError(line, _column_for("nic", header), f"same NIC as line {seen_nic[nic]}")
            )
        seen_nic.setdefault(nic, line)
        if found or clean is None:
            errors.extend(found)
            bad_lines.add(line)
            continue
        names = [(str(clean.values["last_name"]), str(clean.values["first_name"]))]
        names += [(a.last_name, a.first_name) for a in clean.aliases]
        dob = clean.values["dob"]
        dobs = ([dob] if isinstance(dob, date) else []) + clean.alias_dobs
        prepared.append(_Prepared(line, clean, record_key_values(names, dobs)))
    if progress:
        progress("validate", done, max(total, done))
    _against_registry(prepared, errors, bad_lines, header)
    return prepared, errors, len(bad_lines)


def _existing(sql: str, first: int | None, values: list[str]) -> list[tuple[str, str]]:
    """Rows of ``sql`` for chunks of ``values`` (raw SQL: a million parameters through the
    ORM cost more than the lookups themselves)."""
    found: list[tuple[str, str]] = []
    step = 900
    with connection.cursor() as cursor:
        for i in range(0, len(values), step):
            chunk = values[i : i + step]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(sql.format(marks=marks), [first, *chunk] if first else chunk)
            found.extend((str(a), str(b)) for a, b in cursor.fetchall())
    return found


def _against_registry(
    prepared: list[_Prepared], errors: list[RowError], bad: set[int], header: list[str]
) -> None:
    """Rows whose NIC, or ORI and OCA, the registry already holds."""
    table = MissingPersonRecord._meta.db_table
    by_agency: dict[int, dict[str, int]] = {}
    nics: dict[str, int] = {}
    for p in prepared:
        by_agency.setdefault(p.clean.originating_agency.pk, {})[str(p.clean.values["oca"])] = p.line
        if p.clean.nic:
            nics[p.clean.nic] = p.line
    by_oca = f"SELECT oca, nic FROM {table} WHERE originating_agency_id = %s AND oca IN ({{marks}})"
    for agency_id, ocas in by_agency.items():
        for oca, nic in _existing(by_oca, agency_id, sorted(ocas)):
            message = f"the agency already has it (NIC {nic})"
            errors.append(RowError(ocas[oca], _column_for("oca", header), message))
            bad.add(ocas[oca])
    by_nic = f"SELECT nic, nic FROM {table} WHERE nic IN ({{marks}})"
    for nic, _same in _existing(by_nic, None, sorted(nics)):
        errors.append(RowError(nics[nic], _column_for("nic", header), "already in the registry"))
        bad.add(nics[nic])


def _sorted_key_rows(prepared: list[_Prepared], ids: list[int]) -> Iterator[tuple[int, int]]:
    """(key, record_id) pairs in key order: B-tree inserts in order are the cheap kind."""
    sizes = np.fromiter((len(p.keys) for p in prepared), dtype=np.int64, count=len(prepared))
    keys = np.fromiter(
        (k for p in prepared for k in p.keys), dtype=np.int64, count=int(sizes.sum())
    )
    owners = np.repeat(np.asarray(ids, dtype=np.int64), sizes)
    order = np.lexsort((owners, keys))
    return zip(keys[order].tolist(), owners[order].tolist(), strict=True)


def _write(
    actor: Actor, prepared: list[_Prepared], now: datetime, source: dict[str, str]
) -> list[str]:
    # NICs ascending with ids: both unique indexes of the record table grow at the end.
    fresh = iter(sorted(assign_nics(sum(1 for p in prepared if not p.clean.nic))))
    nics = [p.clean.nic or next(fresh) for p in prepared]
    ids = bulk.allocate_ids(MissingPersonRecord, len(prepared))
    large = len(prepared) >= bulk.row_count(MissingPersonRecord)
    validation_due = deadlines.first_validation_due_at(now)
    record_columns = bulk.columns_of(MissingPersonRecord, with_id=True)
    fixed = {
        "entered_at": now,
        "status": codes.Status.ACTIVE,
        "version": 1,
        "validation_due_at": validation_due,
    }

    # Each column's value: from the validated values, or computed per record.
    per_record = {
        "id",
        "nic",
        "originating_agency_id",
        "jurisdiction_last_seen_id",
        "smt",
        "entry_due_at",
        "notes",
    }
    juvenile = codes.Category.JUVENILE
    # Notes are sealed at rest like the single-record path does (ids are known already).
    seal_notes = (
        bulk_sealer(MissingPersonRecord._meta.db_table, "notes")
        if sealing.connected()
        else (lambda _agency_id, _row_id, text: text)
    )
    # Sealed before the insert starts: fetching a key while a PostgreSQL COPY streams on
    # the same connection would block it.
    notes = {
        rid: seal_notes(p.clean.originating_agency.pk, rid, str(p.clean.values["notes"]))
        for p, rid in zip(prepared, ids, strict=True)
    }

    def record_rows() -> Iterator[list[Any]]:
        for p, rid, nic in zip(prepared, ids, nics, strict=True):
            v = p.clean.values
            reported = v["reported_at"]
            smt = v["smt"]
            computed = {
                "id": rid,
                "nic": nic,
                "originating_agency_id": p.clean.originating_agency.pk,
                "jurisdiction_last_seen_id": getattr(v["jurisdiction_last_seen"], "pk", None),
                "smt": json.dumps(smt) if smt else "[]",
                "notes": notes[rid],
                "entry_due_at": deadlines.entry_due_at(juvenile, reported)
                if v["category"] == juvenile and isinstance(reported, datetime)
                else None,
            }
            yield [
                computed[c] if c in per_record else fixed[c] if c in fixed else v[c]
                for c in record_columns
            ]

    tables = [MissingPersonRecord, RecordName, RecordDob, RecordTransaction]
    with bulk.deferred_indexes(tables, enabled=large):
        bulk.insert(MissingPersonRecord, record_columns, record_rows(), json_text=["smt"])
        bulk.insert(
            RecordName,
            ["record_id", "kind", "last_name", "first_name", "middle_name"],
            (
                row
                for p, rid in zip(prepared, ids, strict=True)
                for row in [
                    (
                        rid,
                        RecordName.Kind.PRIMARY,
                        p.clean.values["last_name"],
                        p.clean.values["first_name"],
                        p.clean.values["middle_name"],
                    )
                ]
                + [(rid, a.kind, a.last_name, a.first_name, a.middle_name) for a in p.clean.aliases]
            ),
        )
        bulk.insert(
            RecordDob,
            ["record_id", "dob"],
            ((rid, d) for p, rid in zip(prepared, ids, strict=True) for d in p.clean.alias_dobs),
        )
        bulk.insert(NameKey, ["key", "record_id"], _sorted_key_rows(prepared, ids))
        agency_id, name, user_id = actor.agency_id, actor.name, actor.user_id
        enter = codes.TransactionKind.ENTER
        detail_head = '{"import": ' + json.dumps(source)[:-1] + ', "line": '  # + line + "}}"
        bulk.insert(
            RecordTransaction,
            [
                "record_id",
                "kind",
                "at",
                "actor",
                "user_id",
                "agency_id",
                "reason",
                "detail",
                "version",
            ],
            (
                (
                    rid,
                    enter,
                    now,
                    name,
                    user_id,
                    agency_id,
                    "imported",
                    f"{detail_head}{p.line}}}}}",
                    1,
                )
                for p, rid in zip(prepared, ids, strict=True)
            ),
            json_text=["detail"],
        )
    return nics


def import_records(
    actor: Actor, path: str | Path, *, progress: Progress | None = None
) -> ImportResult:
    """Import every row of the file, or none (ImportFailed lists each bad row)."""
    policy.require(actor, Permission.RECORDS_IMPORT, object_type="record")
    started = timezone.now()
    clock = datetime.now()
    path = Path(path)
    header, rows = import_files.read(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    problems = import_rows.header_errors(header)
    if problems:
        raise ImportFailed([RowError(1, c, m) for c, m in problems], bad_rows=1)
    total = import_files.count_rows(path)
    prepared, errors, bad_rows = _validate(actor, header, rows, total, started, progress)
    if errors:
        errors.sort(key=lambda e: e.line)
        raise ImportFailed(errors, bad_rows=bad_rows)
    if not prepared:
        raise ValidationFailed.on("file", "the file has a header but no rows")
    source = {"file": path.name, "sha256": digest}
    with bulk.large_cache(), transaction.atomic():
        if progress:
            progress("write", 0, len(prepared))
        nics = _write(actor, prepared, started, source)
        audit.record(
            actor,
            "records.import",
            object_type="record",
            object_id=path.name,
            detail={**source, "records": len(prepared)},
        )
    if progress:
        progress("write", len(prepared), len(prepared))
    seconds = (datetime.now() - clock).total_seconds()
    return ImportResult(path.name, digest, len(prepared), seconds, nics)
