"""Validating one chunk of an import file: the work the importer spreads over processes.

``validate_chunk`` turns a chunk of rows into a ``ChunkResult``: every problem of every
row (line, column, reason), the identity of every row (for duplicates across the whole
file, checked by the importer in file order) and, when the whole chunk is good, its rows
ready to write (values in database form, search keys as arrays). The importer calls it
in-process for small files and in a pool of worker processes for large ones; the code
is the same, so are the results.

Worker processes never open a database connection: the agencies, jurisdictions and the
name-variant table they need are read once by the importer and handed over in the
``Context``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

import numpy as np

from beacon.agencies.models import Agency, Jurisdiction
from beacon.core.errors import ValidationFailed
from beacon.records import codes, deadlines
from beacon.records.imports import context as import_context
from beacon.records.imports import files as import_files
from beacon.records.imports import rows as import_rows
from beacon.records.imports.context import OWN_COLUMNS, Context
from beacon.records.imports.fast import FastRows
from beacon.records.keys import one_name_key_values, record_key_values
from beacon.records.validation import RecordValidator

__all__ = ["OWN_COLUMNS", "ChunkResult", "Context", "Good", "validate_chunk"]


@dataclass
class Good:
    """A chunk's rows, all valid, in database form (record ids are positions here)."""

    lines: list[int] = field(default_factory=list)
    agency_ids: list[int] = field(default_factory=list)
    nics: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    records: list[tuple[Any, ...]] = field(default_factory=list)  # Context.record_columns
    names: list[tuple[int, str, str, str, str]] = field(default_factory=list)
    dobs: list[tuple[int, Any]] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    key_values: Any = None  # numpy int64
    key_owners: Any = None  # numpy int64, positions in this chunk


@dataclass
class ChunkResult:
    rows: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (line, column, reason)
    bad_lines: int = 0
    # (line, ORI, OCA, NIC, agency id of a valid row or 0): every row, in file order.
    idents: list[tuple[int, str, str, str, int]] = field(default_factory=list)
    good: Good | None = None
    fatal: tuple[str, dict[str, list[str]]] | None = None  # the file cannot be read


class _Validator(RecordValidator):
    """RecordValidator answering agency and jurisdiction lookups from preloaded tables."""

    def __init__(self, ctx: Context) -> None:
        super().__init__(now=ctx.now)
        self._ctx = ctx

    def agency(self, ori: str) -> Agency | None:
        table = self._ctx.agencies
        if table is None:
            return super().agency(ori)
        ori = ori.strip().upper()
        if ori not in self._agencies:
            pk = table.get(ori)
            self._agencies[ori] = None if pk is None else Agency(pk=pk, ori=ori)
        return self._agencies[ori]

    def find_jurisdiction(self, kind: str, lookup: str, value: str) -> Jurisdiction | None:
        table = self._ctx.jurisdictions
        if table is None:
            return super().find_jurisdiction(kind, lookup, value)
        pk = table.get((kind, lookup, value))
        return None if pk is None else Jurisdiction(pk=pk)


@lru_cache(maxsize=256)
def _column_for(field_name: str, header: tuple[str, ...]) -> str:
    """The file's own name of the column behind a validation field (dob, aliases.0...)."""
    base = import_rows.canonical_column(field_name.split(".")[0].lower())
    for name in header:
        if import_rows.canonical_column(import_files.fold_column(name)) == base:
            return name + field_name[len(field_name.split(".")[0]) :]
    return field_name


def column_for(field_name: str, header: list[str]) -> str:
    return _column_for(field_name, tuple(header))


def _rows_of(ctx: Context, spec: Any) -> Iterator[tuple[int, dict[str, str] | None, Any]]:
    """(line, row, cells) of a chunk: rows given as such (cells None), or a byte range of
    the CSV file (row None: made from the cells only when the fast path declines)."""
    if isinstance(spec, list):
        for line, row in spec:
            yield line, row, None
        return
    start, end, first_line = spec
    with open(ctx.csv_path, "rb") as handle:
        handle.seek(start)
        text = handle.read(end - start).decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=ctx.delimiter)
    for line, cells in import_files.csv_cells(reader, first_line - 1):
        yield line, None, cells


def validate_chunk(ctx: Context, spec: Any) -> ChunkResult:
    out = ChunkResult()
    try:
        _validate(ctx, spec, out)
    except ValidationFailed as exc:  # the file itself (e.g. a cell over csv's limit)
        out.fatal = (exc.message, exc.fields)
    return out


def _validate(ctx: Context, spec: Any, out: ChunkResult) -> None:
    validator = _Validator(ctx)
    header = ctx.header
    default_agency = Agency(pk=ctx.own_agency_id, ori=ctx.own_ori)
    good: Good | None = Good()
    when = db_datetime(ctx.vendor)
    day = db_date(ctx.vendor)
    entered_at = when(ctx.now)
    validation_due = when(deadlines.first_validation_due_at(ctx.now))
    fixed: dict[str, Any] = {
        "entered_at": entered_at,
        "status": codes.Status.ACTIVE.value,
        "version": 1,
        "validation_due_at": validation_due,
    }
    juvenile = codes.Category.JUVENILE.value
    pick = itemgetter(*ctx.record_columns)  # a record's values in column order
    key_values: list[int] = []
    key_owners: list[int] = []
    folded = [import_files.fold_column(h) for h in header]
    fast = FastRows(
        validator,
        folded,
        default_agency=default_agency,
        own_ori=ctx.own_ori,
        is_system=ctx.is_system,
    )
    for line, given, cells in _rows_of(ctx, spec):
        out.rows += 1
        clean = None if cells is None else fast.clean(cells)
        if clean is not None:  # a simple, valid row (import_fast)
            agency_id = int(clean.originating_agency.pk)
            ori = str(clean.originating_agency.ori)
            out.idents.append((line, ori, str(clean.values["oca"]), clean.nic, agency_id))
        else:
            row = given if given is not None else import_files.row_of(folded, cells)
            data, problems = import_rows.to_input(row)
            found = [(line, column_for(c, header), m) for c, m in problems]
            unreadable = {import_rows.canonical_column(c) for c, _ in problems}
            try:
                clean = validator.clean(data, default_agency=default_agency)
            except ValidationFailed as exc:
                for name, messages in exc.fields.items():
                    if name.split(".")[0] not in unreadable:
                        found.extend((line, column_for(name, header), m) for m in messages)
            ori = data.originating_ori.strip().upper() or ctx.own_ori
            if not ctx.is_system and ori != ctx.own_ori:
                found.append((line, column_for("originating_ori", header), "not your agency"))
            oca, nic = data.oca.strip().upper(), data.nic.strip().upper()
            valid = clean is not None and not found
            agency_id = int(clean.originating_agency.pk) if clean is not None and valid else 0
            out.idents.append((line, ori, oca, nic, agency_id))
            if not valid or clean is None:
                out.errors.extend(found)
                out.bad_lines += 1
                good = None
                continue
        if good is None:  # the chunk has a bad row: nothing of it will be written
            continue
        # The row's values become its record row in place (the dict is this row's own).
        v = clean.values
        dob, reported, smt = v["dob"], v["reported_at"], v["smt"]
        place = v["jurisdiction_last_seen"]
        last, first = str(v["last_name"]), str(v["first_name"])
        position = len(good.lines)
        good.lines.append(line)
        good.agency_ids.append(agency_id)
        good.nics.append(clean.nic)
        good.notes.append(str(v["notes"]))
        v.update(fixed)
        v["originating_agency_id"] = agency_id
        v["jurisdiction_last_seen_id"] = getattr(place, "pk", None)
        v["smt"] = json.dumps(smt) if smt else "[]"
        v["entry_due_at"] = (
            when(deadlines.entry_due_at(juvenile, reported))
            if v["category"] == juvenile and isinstance(reported, datetime)
            else None
        )
        v["dob"] = day(dob)
        v["dlc"] = day(v["dlc"])
        v["reported_at"] = when(reported)
        good.records.append(pick(v))
        good.names.append((position, "primary", last, first, str(v["middle_name"])))
        if clean.aliases or clean.alias_dobs:
            names = [(last, first)]
            for a in clean.aliases:
                good.names.append((position, a.kind, a.last_name, a.first_name, a.middle_name))
                names.append((a.last_name, a.first_name))
            for d in clean.alias_dobs:
                good.dobs.append((position, day(d)))
            dobs = ([dob] if isinstance(dob, date) else []) + clean.alias_dobs
            keys: set[int] | frozenset[int] = record_key_values(names, dobs)
        else:
            keys = one_name_key_values(last, first, dob if isinstance(dob, date) else None)
        key_values.extend(keys)
        key_owners.extend([position] * len(keys))
        good.details.append(f"{ctx.detail_head}{line}}}}}")
    if good is not None:
        good.key_values = np.asarray(key_values, dtype=np.int64)
        good.key_owners = np.asarray(key_owners, dtype=np.int64)
    out.good = good if out.bad_lines == 0 else None


def run_chunk(spec: Any) -> Any:
    """A worker's task: ``validate_chunk`` with the Context its pool started it with.

    Unpickled in the worker after ``import_context.start_worker`` has set Django up."""
    return validate_chunk(import_context.worker_context(), spec)


def db_datetime(vendor: str) -> Any:
    if vendor != "sqlite":
        return lambda value: value
    from django.db import connection

    adapt = connection.ops.adapt_datetimefield_value
    return lambda value: None if value is None else adapt(value)


def db_date(vendor: str) -> Any:
    if vendor != "sqlite":
        return lambda value: value
    return lambda value: None if value is None else value.isoformat()
