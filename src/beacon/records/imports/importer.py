"""``import_records``: all-or-nothing bulk entry of records from a CSV or XLSX file.

Every row is parsed and validated (the same RecordValidator as a single entry, plus
duplicates inside the file and against the registry); if any row is bad, nothing is
written and every bad row, column and reason is reported. Otherwise the records, their
names, alias DOBs, search keys and ``enter`` transactions are written with fast bulk
inserts in one transaction, with one audit event for the import.

A large file is cut into chunks validated by worker processes (beacon.records.
import_work) while this process writes the chunks already validated, in file order,
inside the one transaction. The first bad row stops the writing (validation goes on,
so every bad row is reported) and the transaction is rolled back: nothing of the file
stays. docs/registry-performance.md says why each shortcut is safe.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.agencies.models import Agency, Jurisdiction
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import Conflict, ValidationFailed
from beacon.records import codes, variants
from beacon.records.imports import bulk
from beacon.records.imports import context as import_context
from beacon.records.imports import files as import_files
from beacon.records.imports import rows as import_rows
from beacon.records.imports import work as import_work
from beacon.records.models import (
    MissingPersonRecord,
    NameKey,
    RecordDob,
    RecordName,
    RecordTransaction,
)
from beacon.records.nic import assign_nics
from beacon.vault import sealing
from beacon.vault.services import bulk_sealer

Progress = Callable[[str, int, int], None]  # (phase, done, total)
MAX_REPORTED = 1000
CHUNK_ROWS = 20_000  # rows per chunk (about 100 bytes a row when cutting a CSV file)
PARALLEL_MIN_ROWS = 50_000  # below this, starting worker processes costs more than it saves
# Search-key rows written in one sorted batch while the writer waits for a worker's chunk
# (about 80,000 records); the rest is written, sorted, at the end.
KEY_BATCH_ROWS = 500_000


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


def _existing(lookup: str, first: int | None, values: list[str]) -> list[tuple[str, str]]:
    """Rows of ``lookup`` (``BY_OCA`` or ``BY_NIC``) for ``values`` (raw SQL: a million
    parameters through the ORM cost more than the lookups themselves).

    PostgreSQL: one statement per chunk, the values as one array parameter, each value
    looked up through the unique index (``unnest`` and a ``LATERAL ... LIMIT 1`` probe).
    The plain ``= ANY(%s)`` form let the planner, which has no statistics for rows this
    transaction wrote, scan the table or every row of the agency once per chunk: at
    1,000,000 records these checks took 26 s instead of a few. SQLite: ``IN`` lists of
    900 (SQLite probes the index once per item)."""
    if not values:
        return []
    column, where = LOOKUPS[lookup]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT v.value, m.nic FROM unnest(%s::text[]) AS v(value) CROSS JOIN "
                f"LATERAL (SELECT nic FROM {TABLE} WHERE {where}{column} = v.value "
                f"LIMIT 1) AS m",
                [values, first] if first else [values],
            )
            return [(str(a), str(b)) for a, b in cursor.fetchall()]
        found: list[tuple[str, str]] = []
        step = 900
        for i in range(0, len(values), step):
            chunk = values[i : i + step]
            marks = "IN (" + ", ".join(["%s"] * len(chunk)) + ")"
            cursor.execute(
                f"SELECT {column}, nic FROM {TABLE} WHERE {where}{column} {marks}",
                [first, *chunk] if first else chunk,
            )
            found.extend((str(a), str(b)) for a, b in cursor.fetchall())
    return found


TABLE = MissingPersonRecord._meta.db_table
BY_OCA = "oca"  # ORI and OCA: the agency's id is the lookup's first parameter
BY_NIC = "nic"
LOOKUPS = {BY_OCA: ("oca", "originating_agency_id = %s AND "), BY_NIC: ("nic", "")}


class _Writer:
    """Checks each validated chunk against the rest of the file and the registry, in file
    order, and writes it while the file has shown no bad row (inside the caller's
    transaction, which a bad row anywhere rolls back)."""

    def __init__(
        self, actor: Actor, ctx: import_work.Context, total: int, *, registry_empty: bool
    ) -> None:
        self.actor = actor
        # SQLite, registry empty at BEGIN IMMEDIATE: the write lock keeps every other
        # writer out until commit, so the registry holds only this file's rows, which the
        # in-file checks already cover; no lookups needed (1,000,000 records: 11 s).
        self.registry_empty = registry_empty
        self.ctx = ctx
        self.errors: list[RowError] = []
        self.bad_rows = 0
        self.rows = 0
        self.seen_oca: dict[tuple[str, str], int] = {}
        self.seen_nic: dict[str, int] = {}
        self.assigned: dict[str, int] = {}  # NICs this import gave, by record id
        self.nics: list[str] = []
        self.keys: list[tuple[Any, Any]] = []
        self.total = total
        self._fresh: Iterator[str] = iter(())
        self.seal = (
            bulk_sealer(TABLE, "notes")
            if sealing.connected()
            else (lambda _agency_id, _row_id, text: text)
        )
        self.transaction_head = (
            codes.TransactionKind.ENTER.value,
            import_work.db_datetime(ctx.vendor)(ctx.now),
            actor.name,
            actor.user_id,
            actor.agency_id,
            "imported",
        )

    def _error(self, line: int, field_name: str, message: str) -> None:
        self.errors.append(
            RowError(line, import_work.column_for(field_name, self.ctx.header), message)
        )

    def take(self, result: import_work.ChunkResult) -> None:
        if result.fatal is not None:
            raise ValidationFailed(result.fatal[0], fields=result.fatal[1])
        self.rows += result.rows
        self.bad_rows += result.bad_lines
        self.errors.extend(RowError(line, column, m) for line, column, m in result.errors)
        candidates: list[tuple[int, int, str, str]] = []
        seen_oca, seen_nic = self.seen_oca, self.seen_nic
        for line, ori, oca, nic, agency_id in result.idents:
            duplicate = False
            if oca and (ori, oca) in seen_oca:
                self._error(line, "oca", f"same ORI and OCA as line {seen_oca[(ori, oca)]}")
                duplicate = True
            else:
                seen_oca[(ori, oca)] = line
            if nic and nic in seen_nic:
                self._error(line, "nic", f"same NIC as line {seen_nic[nic]}")
                duplicate = True
            else:
                seen_nic.setdefault(nic, line)
            if duplicate:
                self.bad_rows += 1 if agency_id else 0
            elif agency_id:
                candidates.append((line, agency_id, oca, nic))
        if self.registry_empty:
            self._renumber_given(candidates)
        else:
            self._against_registry(candidates)
        if not self.errors and result.good is not None:
            self._write(result.good)

    def _against_registry(self, rows: list[tuple[int, int, str, str]]) -> None:
        """Rows whose NIC, or ORI and OCA, the registry already holds."""
        by_agency: dict[int, dict[str, int]] = {}
        nics: dict[str, int] = {}
        for line, agency_id, oca, nic in rows:
            by_agency.setdefault(agency_id, {})[oca] = line
            if nic:
                nics[nic] = line
        bad: set[int] = set()
        for agency_id, ocas in by_agency.items():
            for oca, nic in _existing(BY_OCA, agency_id, sorted(ocas)):
                self._error(ocas[oca], "oca", f"the agency already has it (NIC {nic})")
                bad.add(ocas[oca])
        for nic, _same in _existing(BY_NIC, None, sorted(nics)):
            if nic in self.assigned:  # a number this import drew: give that record another
                self._renumber(nic)
                continue
            self._error(nics[nic], "nic", "already in the registry")
            bad.add(nics[nic])
        self.bad_rows += len(bad)

    def _renumber_given(self, rows: list[tuple[int, int, str, str]]) -> None:
        """A NIC given in the file that this import drew for an earlier row: that earlier
        record gets another number (what the lookup in the registry would have found)."""
        for _line, _agency_id, _oca, nic in rows:
            if nic and nic in self.assigned:
                self._renumber(nic)

    def _renumber(self, nic: str) -> None:
        record_id = self.assigned.pop(nic)
        other = next(iter(assign_nics(1, taken=[nic])))
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {TABLE} SET nic = %s WHERE id = %s", [other, record_id])
        self.assigned[other] = record_id
        self.nics[self.nics.index(nic)] = other

    def _next_nic(self) -> str:
        while True:
            nic = next(self._fresh, None)
            if nic is None:  # more rows than the file's line count promised (never, in practice)
                self._fresh = iter(sorted(assign_nics(max(1000, self.total - len(self.nics)))))
                continue
            if nic not in self.seen_nic:  # an earlier row of the file gave this one
                return nic

    def start(self) -> None:
        """Draw the NICs of the whole file up front: handed out in ascending order with
        ascending ids, both unique indexes of the record table only ever grow at the end."""
        self._fresh = iter(sorted(assign_nics(self.total)))

    def _write(self, good: import_work.Good) -> None:
        count = len(good.lines)
        if not count:
            return
        ids = bulk.allocate_ids(MissingPersonRecord, count)
        nics: list[str] = []
        for given, rid in zip(good.nics, ids, strict=True):
            if given:
                nics.append(given)
            else:
                nic = self._next_nic()
                self.assigned[nic] = rid
                nics.append(nic)
        self.nics.extend(nics)
        seal = self.seal
        # Sealed before the insert starts: fetching a key while a PostgreSQL COPY streams
        # on the same connection would block it.
        notes = [
            seal(agency_id, rid, text) if text else ""
            for agency_id, rid, text in zip(good.agency_ids, ids, good.notes, strict=True)
        ]
        columns = [*import_work.OWN_COLUMNS, *self.ctx.record_columns]
        bulk.insert_ready(
            TABLE,
            columns,
            [
                (rid, nic, note, *rest)
                for rid, nic, note, rest in zip(ids, nics, notes, good.records, strict=True)
            ],
        )
        bulk.insert_ready(
            RecordName._meta.db_table,
            ["record_id", "kind", "last_name", "first_name", "middle_name"],
            [
                (ids[pos], kind, last, first, middle)
                for pos, kind, last, first, middle in good.names
            ],
        )
        if good.dobs:
            bulk.insert_ready(
                RecordDob._meta.db_table,
                ["record_id", "dob"],
                [(ids[pos], d) for pos, d in good.dobs],
            )
        head = self.transaction_head
        bulk.insert_ready(
            RecordTransaction._meta.db_table,
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
            [(rid, *head, detail, 1) for rid, detail in zip(ids, good.details, strict=True)],
        )
        owners = np.asarray(ids, dtype=np.int64)[good.key_owners]
        self.keys.append((good.key_values, owners))

    def _write_keys(self) -> None:
        """The pending search keys, in key order (B-tree inserts in order are the cheap
        kind; the key table is clustered on the key)."""
        if not self.keys:
            return
        keys = np.concatenate([k for k, _ in self.keys])
        owners = np.concatenate([o for _, o in self.keys])
        self.keys = []
        order = np.lexsort((owners, keys))
        bulk.insert_pairs(NameKey._meta.db_table, ["key", "record_id"], keys[order], owners[order])

    def idle(self) -> bool:
        """While the writer waits for a worker: write a batch of search keys if one is
        due (the database would otherwise idle now and write them all at the end, while
        the workers idle). True when it wrote one."""
        if self.errors or sum(len(k) for k, _ in self.keys) < KEY_BATCH_ROWS:
            return False
        self._write_keys()
        return True

    def finish(self) -> None:
        """The search keys not written yet."""
        self._write_keys()


def _chunks(rows: Iterator[tuple[int, dict[str, str]]], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _results(
    ctx: import_work.Context,
    specs: Iterator[Any],
    workers: int,
    idle: Callable[[], bool] = lambda: False,
) -> Iterator[import_work.ChunkResult]:
    """Each chunk's result, in file order: in-process, or from ``workers`` processes with
    at most two chunks per worker in flight (the writer sets the pace; memory stays flat).
    While the next result is not ready, ``idle`` is called until it returns False."""
    if workers <= 1:
        for spec in specs:
            yield import_work.validate_chunk(ctx, spec)
        return
    # spawn: a forked child would inherit this process's open database connection.
    pool_context = multiprocessing.get_context("spawn")
    with pool_context.Pool(workers, import_context.start_worker, (ctx,)) as pool:
        pending: deque[Any] = deque()
        for spec in specs:
            pending.append(pool.apply_async(import_work.run_chunk, (spec,)))
            if len(pending) >= 2 * workers:
                yield _when_ready(pending.popleft(), idle)
        while pending:
            yield _when_ready(pending.popleft(), idle)


def _when_ready(result: Any, idle: Callable[[], bool]) -> import_work.ChunkResult:
    while not result.ready() and idle():
        pass
    return result.get()  # type: ignore[no-any-return]


def _preloaded() -> dict[str, Any]:
    """The lookups worker processes answer without a database: agencies, jurisdictions
    and the name-variant table."""
    places: dict[tuple[str, str, str], int] = {}
    for pk, kind, code, abbreviation in Jurisdiction.objects.values_list(
        "pk", "kind", "code", "abbreviation"
    ):
        if code:
            places.setdefault((kind, "code", str(code)), pk)
        if abbreviation:
            places.setdefault((kind, "abbreviation", str(abbreviation)), pk)
    return {
        "agencies": {str(ori): pk for pk, ori in Agency.objects.values_list("pk", "ori")},
        "jurisdictions": places,
        "name_variants": variants.table(),
    }


def import_records(
    actor: Actor,
    path: str | Path,
    *,
    progress: Progress | None = None,
    workers: int | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> ImportResult:
    """Import every row of the file, or none (ImportFailed lists each bad row).

    ``workers``: validating processes (default: one per CPU for a file of at least
    PARALLEL_MIN_ROWS rows, else none, validation in this process).
    """
    policy.require(actor, Permission.RECORDS_IMPORT, object_type="record")
    started = timezone.now()
    clock = datetime.now()
    path = Path(path)
    if not path.is_file():
        raise ValidationFailed.on("file", f"no such file: {path}")
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    xlsx = import_files.is_xlsx(path)
    header, rows = import_files.read(path, None if xlsx else raw)
    problems = import_rows.header_errors(header)
    if problems:
        raise ImportFailed([RowError(1, c, m) for c, m in problems], bad_rows=1)
    total = import_files.count_rows(path) if xlsx else max(0, raw.count(b"\n"))
    if workers is None:
        workers = (os.cpu_count() or 1) if total >= PARALLEL_MIN_ROWS else 0
    split = None if xlsx or workers <= 1 else import_files.split_csv(raw, chunk_rows * 100)
    del raw
    source = {"file": path.name, "sha256": digest}
    record_columns = tuple(
        c
        for c in bulk.columns_of(MissingPersonRecord, with_id=True)
        if c not in import_work.OWN_COLUMNS
    )
    ctx = import_work.Context(
        header=header,
        now=started,
        own_ori=actor.agency.ori,
        own_agency_id=actor.agency_id,
        is_system=actor.is_system,
        vendor=connection.vendor,
        record_columns=record_columns,
        detail_head='{"import": ' + json.dumps(source)[:-1] + ', "line": ',  # + line + "}}"
        csv_path=str(path),
        delimiter=split.delimiter if split else ";",
        **(_preloaded() if workers > 1 else {}),
    )
    specs: Iterator[Any] = iter(split.ranges) if split else _chunks(rows, chunk_rows)
    tables = [MissingPersonRecord, RecordName, RecordDob, RecordTransaction]
    try:
        with bulk.large_cache(), transaction.atomic():
            # Rebuild the secondary indexes after the rows only when the import at least
            # doubles the table (SQLite; see bulk.deferred_indexes).
            existing = bulk.row_count(MissingPersonRecord)
            large = total >= existing
            # Only SQLite's write lock makes "empty now" hold until commit; on PostgreSQL
            # another writer may commit a clashing record meanwhile (reported row by row
            # when it committed before the chunk's check).
            empty = existing == 0 and connection.vendor == "sqlite"
            writer = _Writer(actor, ctx, total, registry_empty=empty)
            writer.start()
            with bulk.deferred_indexes(tables, enabled=large):
                for result in _results(ctx, specs, workers, writer.idle):
                    writer.take(result)
                    if progress:
                        progress("validate", writer.rows, max(total, writer.rows))
                if progress:
                    progress("validate", writer.rows, writer.rows)
                if writer.errors:  # raised inside the transaction: whatever was written goes
                    writer.errors.sort(key=lambda e: e.line)
                    raise ImportFailed(writer.errors, bad_rows=writer.bad_rows)
                if not writer.rows:
                    raise ValidationFailed.on("file", "the file has a header but no rows")
                if progress:
                    progress("write", 0, writer.rows)
                writer.finish()
            audit.record(
                actor,
                "records.import",
                object_type="record",
                object_id=path.name,
                detail={**source, "records": writer.rows},
            )
    except IntegrityError:
        # PostgreSQL: another transaction committed a record with one of the file's NICs,
        # or ORI and OCA, after the chunk was checked (on SQLite the import's write lock
        # keeps other writers out). The transaction is rolled back: nothing stays.
        raise Conflict(
            "another writer entered a record with the same NIC, or ORI and OCA, while the "
            "file was being imported; nothing was imported (import it again to see which rows)"
        ) from None
    if progress:
        progress("write", writer.rows, writer.rows)
    seconds = (datetime.now() - clock).total_seconds()
    return ImportResult(path.name, digest, writer.rows, seconds, writer.nics)
