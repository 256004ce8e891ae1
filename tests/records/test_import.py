"""All-or-nothing import of CSV (; or , with or without BOM) and XLSX files."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone
from openpyxl import Workbook

from beacon.agencies.models import Agency, Jurisdiction
from beacon.audit.models import AuditEvent
from beacon.core.actor import Actor
from beacon.core.errors import ValidationFailed
from beacon.records import services
from beacon.records.imports.importer import ImportFailed, import_records
from beacon.records.models import MissingPersonRecord, NameKey, RecordName, RecordTransaction
from beacon.records.search import SearchQuery
from beacon.vault.services import PREFIX

HEADER = [
    "MKE",
    "last_name",
    "first_name",
    "sex",
    "dob",
    "dlc",
    "oca",
    "ori",
    "aliases",
    "alias_dobs",
    "smt",
    "hgt",
    "notes",
]
DLC = (timezone.localdate() - timedelta(days=10)).isoformat()
GOOD = [
    [
        "EMJ",
        "Martínez",
        "Guadalupe",
        "F",
        "2010-03-05",
        DLC,
        "LC-1",
        "NM0070100",
        "Martinez, Lupita (nickname)|Ruiz, Lupe",
        "2010-05-03",
        "TAT L ARM|SC R HND",
        "60",
        "",
    ],
    [
        "EME",
        "Begay",
        "Tyrell",
        "M",
        "2009-11-20",
        DLC,
        "LC-2",
        "NM0070100",
        "",
        "",
        "",
        "",
        "diabetic, needs insulin",
    ],
    ["EMO", "Nguyen", "Linh", "F", "", DLC, "SP-1", "NM0070200", "", "", "", "", ""],
]


def write_csv(path: Path, rows: list[list[str]], *, sep: str = ";", bom: bool = False) -> Path:
    lines = [sep.join(f'"{c}"' if sep in c or "," in c else c for c in row) for row in rows]
    path.write_text(("\ufeff" if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_xlsx(path: Path, rows: list[list[str]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def agencies(agency_a: Agency, agency_b: Agency) -> None:
    return None


@pytest.mark.parametrize(("sep", "bom"), [(";", False), (";", True), (",", False), (",", True)])
def test_csv_imports_every_row(
    tmp_path: Path, system: Actor, agencies: None, sep: str, bom: bool
) -> None:
    path = write_csv(tmp_path / "r.csv", [HEADER, *GOOD], sep=sep, bom=bom)
    result = import_records(system, path)
    assert result.records == 3
    first = MissingPersonRecord.objects.get(oca="LC-1")
    assert (first.last_name, first.originating_agency.ori, first.height_in) == (
        "Martínez",
        "NM0070100",
        60,
    )
    assert first.smt == ["TAT L ARM", "SC R HND"]
    assert RecordName.objects.filter(record=first).count() == 3
    assert first.status == services.derived_status(first)
    entry = RecordTransaction.objects.get(record=first)
    assert entry.detail["import"]["line"] == 2
    assert AuditEvent.objects.filter(action="records.import").count() == 1
    hits = services.search_records(
        system, SearchQuery(last_name="Ruiz", first_name="Lupita", dob=first.dob)
    )
    assert hits[0].nic == first.nic


def test_xlsx_imports_every_row(tmp_path: Path, system: Actor, agencies: None) -> None:
    result = import_records(system, write_xlsx(tmp_path / "r.xlsx", [HEADER, *GOOD]))
    assert result.records == 3
    assert MissingPersonRecord.objects.filter(oca__in=["LC-1", "LC-2", "SP-1"]).count() == 3
    assert NameKey.objects.count() > 3


BAD = [
    ["EMJ", "Garc1a", "Ana", "F", "2010-02-30", DLC, "LC-9", "NM0070100", "", "", "", "", ""],
    ["EMX", "Lopez", "Ana", "Q", "2011-01-01", DLC, "LC-1", "NM0070100", "", "", "", "tall", ""],
    ["EMO", "Diaz", "Ana", "F", "", DLC, "LC-7", "ZZ9999999", "", "", "", "", ""],
]


def expected_errors() -> set[tuple[int, str]]:
    return {
        (5, "dob"),  # 2010-02-30 is not a date
        (6, "MKE"),  # unknown category, reported under the file's column name
        (6, "sex"),
        (6, "oca"),  # same ORI and OCA as line 2
        (6, "hgt"),
        (7, "ori"),
    }


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_bad_rows_import_nothing_and_each_is_reported(
    tmp_path: Path, system: Actor, agencies: None, kind: str
) -> None:
    rows = [HEADER, *GOOD, *BAD]
    path = (
        write_csv(tmp_path / "r.csv", rows)
        if kind == "csv"
        else write_xlsx(tmp_path / "r.xlsx", rows)
    )
    with pytest.raises(ImportFailed) as caught:
        import_records(system, path)
    found = {(e.line, e.column) for e in caught.value.errors}
    assert expected_errors() <= found, found
    assert "nothing was imported" in caught.value.message
    assert not MissingPersonRecord.objects.exists()
    assert not NameKey.objects.exists()


def test_unknown_and_missing_columns_are_refused(tmp_path: Path, system: Actor) -> None:
    path = write_csv(tmp_path / "r.csv", [["last_name", "colour"], ["Diaz", "red"]])
    with pytest.raises(ImportFailed) as caught:
        import_records(system, path)
    found = {(e.line, e.column, e.message) for e in caught.value.errors}
    assert (1, "colour", "unknown column") in found
    assert (1, "oca", "required column is missing") in found


def test_rows_already_in_the_registry_are_refused(
    tmp_path: Path, system: Actor, agencies: None
) -> None:
    import_records(system, write_csv(tmp_path / "a.csv", [HEADER, GOOD[0]]))
    with pytest.raises(ImportFailed) as caught:
        import_records(system, write_csv(tmp_path / "b.csv", [HEADER, *GOOD]))
    assert [(e.line, e.column) for e in caught.value.errors] == [(2, "oca")]
    assert MissingPersonRecord.objects.count() == 1


def test_not_utf8_is_refused(tmp_path: Path, system: Actor) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(";".join(HEADER).encode() + b"\nEMJ;Mart\xednez\n")
    with pytest.raises(ValidationFailed) as caught:
        import_records(system, path)
    assert "file" in caught.value.fields


def test_cli_prints_each_bad_row_and_exits_2(
    tmp_path: Path, agencies: None, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "r.csv", [HEADER, *GOOD, *BAD])
    with pytest.raises(CommandError) as caught:
        call_command("import", "records", str(path), "--quiet")
    assert caught.value.returncode == 2
    text = str(caught.value)
    assert "line 5: dob:" in text
    assert "line 6: MKE:" in text
    assert "line 7: ori:" in text
    assert not MissingPersonRecord.objects.exists()


def test_cli_imports_a_good_file(tmp_path: Path, agencies: None) -> None:
    out = StringIO()
    call_command(
        "import",
        "records",
        str(write_csv(tmp_path / "r.csv", [HEADER, *GOOD])),
        "--quiet",
        stdout=out,
    )
    assert "Imported 3 records" in out.getvalue()


def test_imported_notes_are_sealed_at_rest_and_read_back_in_clear(
    tmp_path: Path, system: Actor, agencies: None
) -> None:
    import_records(system, write_csv(tmp_path / "r.csv", [HEADER, *GOOD]))
    stored = MissingPersonRecord.objects.filter(oca="LC-2").values_list("notes", flat=True).get()
    assert stored.startswith(PREFIX)
    assert "insulin" not in stored
    assert MissingPersonRecord.objects.get(oca="LC-2").notes == "diabetic, needs insulin"
    assert (
        MissingPersonRecord.objects.filter(oca="LC-1").values_list("notes", flat=True).get() == ""
    )


def _many(count: int, prefix: str, *, aliases: bool = True) -> list[list[str]]:
    """``count`` good rows (OCAs ``prefix-i``), names and DOBs varied; with ``aliases``
    some cells hold a comma and are quoted (the file is then read in this process)."""
    firsts = ["Maria", "Jose", "Linh", "Tyrell", "Guadalupe", "William", "Kate"]
    lasts = ["Garcia", "Nguyen", "Begay", "Smith", "Martinez", "OBrien", "De la Cruz"]
    return [
        [
            "EMO" if i % 3 else "EME",
            lasts[i % len(lasts)],
            firsts[(i // 7) % len(firsts)],
            "F" if i % 2 else "M",
            f"{1990 + i % 20}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            DLC,
            f"{prefix}-{i}",
            "NM0070100" if i % 2 else "NM0070200",
            f"{lasts[(i + 1) % len(lasts)]}, Lupe" if aliases and i % 5 == 0 else "",
            "2001-02-03" if i % 4 == 0 else "",
            "",
            "",
            f"note {i}" if i % 3 == 0 else "",
        ]
        for i in range(count)
    ]


def _state(prefix: str) -> dict[str, object]:
    """What an import wrote, by row number (the OCA's suffix), notes decrypted."""
    records = MissingPersonRecord.objects.filter(oca__startswith=f"{prefix.upper()}-")
    by_id = {r.pk: r.oca.split("-", 1)[1] for r in records}
    keys: dict[str, set[int]] = {}
    for key, record_id in NameKey.objects.filter(record_id__in=by_id).values_list(
        "key", "record_id"
    ):
        keys.setdefault(by_id[record_id], set()).add(key)
    fields = ("last_name", "first_name", "dob", "dlc", "category", "sex", "version", "status")
    return {
        "keys": keys,
        "records": sorted(
            (by_id[r.pk], r.notes, r.originating_agency.ori, *(getattr(r, f) for f in fields))
            for r in records.select_related("originating_agency")
        ),
        "names": sorted(
            (by_id[n.record_id], n.kind, n.last_name, n.first_name)
            for n in RecordName.objects.filter(record_id__in=by_id)
        ),
        "history": sorted(
            (by_id[t.record_id], t.kind, t.reason, t.version, t.detail["import"]["line"])
            for t in RecordTransaction.objects.filter(record_id__in=by_id)
        ),
    }


@pytest.mark.parametrize("aliases", [False, True], ids=["cut-into-byte-ranges", "quoted"])
@pytest.mark.parametrize("key_batch", [500_000, 1], ids=["keys-at-the-end", "keys-in-batches"])
def test_parallel_import_writes_what_the_single_process_path_writes(
    tmp_path: Path,
    system: Actor,
    agencies: None,
    aliases: bool,
    key_batch: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Same rows, names, history, sealed notes and search keys, whether the keys are written
    at the end or in batches while the writer waits for the workers."""
    from beacon.records.imports import importer

    monkeypatch.setattr(importer, "KEY_BATCH_ROWS", key_batch)
    alone = import_records(
        system,
        write_csv(tmp_path / "a.csv", [HEADER, *_many(130, "a", aliases=aliases)]),
        workers=0,
        chunk_rows=30,
    )
    pooled = import_records(
        system,
        write_csv(tmp_path / "b.csv", [HEADER, *_many(130, "b", aliases=aliases)]),
        workers=2,
        chunk_rows=30,
    )
    assert alone.records == pooled.records == 130
    assert len(set(alone.nics) | set(pooled.nics)) == 260
    assert _state("a") == _state("b")
    at_rest = MissingPersonRecord.objects.filter(oca="B-3").values_list("notes", flat=True).get()
    assert at_rest.startswith(PREFIX)
    assert MissingPersonRecord.objects.get(oca="B-3").notes == "note 3"


@pytest.mark.parametrize("workers", [0, 2])
def test_a_bad_row_in_the_last_chunk_imports_nothing(
    tmp_path: Path, system: Actor, agencies: None, workers: int
) -> None:
    rows = _many(100, "c", aliases=False)
    rows[-1][3] = "Q"  # sex
    with pytest.raises(ImportFailed) as caught:
        import_records(
            system, write_csv(tmp_path / "r.csv", [HEADER, *rows]), workers=workers, chunk_rows=30
        )
    assert [(e.line, e.column) for e in caught.value.errors] == [(101, "sex")]
    assert not MissingPersonRecord.objects.exists()
    assert not NameKey.objects.exists()
    assert not RecordTransaction.objects.exists()
    assert not AuditEvent.objects.filter(action="records.import").exists()


@pytest.mark.parametrize("workers", [0, 2])
def test_every_bad_row_of_every_chunk_is_reported_in_line_order(
    tmp_path: Path, system: Actor, agencies: None, workers: int
) -> None:
    import_records(system, write_csv(tmp_path / "old.csv", [HEADER, *_many(1, "d")]), workers=0)
    rows = _many(100, "e", aliases=False)
    rows[2][1] = "G4rcia"  # line 4, last_name
    rows[40][4] = "1999-02-30"  # line 42, dob
    rows[41][6] = "E-1"  # line 43, same ORI and OCA as line 3
    rows[70][6] = "D-0"  # line 72, already in the registry
    rows[70][7] = "NM0070200"
    rows[99][0] = "EMX"  # line 101, category
    with pytest.raises(ImportFailed) as caught:
        import_records(
            system, write_csv(tmp_path / "r.csv", [HEADER, *rows]), workers=workers, chunk_rows=30
        )
    assert [(e.line, e.column) for e in caught.value.errors] == [
        (4, "last_name"),
        (42, "dob"),
        (43, "oca"),
        (72, "oca"),
        (101, "MKE"),
    ]
    assert "5 bad row(s)" in caught.value.message
    assert MissingPersonRecord.objects.count() == 1
    assert NameKey.objects.filter(record__oca__startswith="E-").count() == 0


@pytest.mark.django_db(transaction=True)
def test_another_writer_during_an_import_never_gets_a_duplicate_in(
    tmp_path: Path, agency_a: Agency, agency_b: Agency
) -> None:
    """Another writer enters a row's ORI and OCA while the file imports: either the import
    refuses that row (nothing of the file stays) or the other writer is refused; never
    both records, never part of the file."""
    import threading

    from django.db import connection

    from beacon.core.actor import system_actor
    from tests.records.conftest import juvenile

    system = system_actor()
    path = write_csv(tmp_path / "r.csv", [HEADER, *_many(90, "f", aliases=False)])
    other: dict[str, object] = {}

    def enter_same_oca() -> None:
        try:
            services.enter_record(system, juvenile(oca="F-80", originating_ori="NM0070200"))
            other["outcome"] = "entered"
        except Exception as exc:  # refused: duplicate, or the database is locked
            other["outcome"] = type(exc).__name__
        finally:
            connection.close()

    writer = threading.Thread(target=enter_same_oca)

    def progress(phase: str, done: int, total: int) -> None:
        if not writer.is_alive() and "outcome" not in other and phase == "validate":
            writer.start()
            writer.join(timeout=3)  # PostgreSQL: commits now; SQLite: waits for our lock

    imported = True
    try:
        import_records(system, path, workers=0, chunk_rows=30, progress=progress)
    except ImportFailed as exc:
        imported = False
        assert [(e.line, e.column) for e in exc.errors] == [(82, "oca")]
    writer.join()
    assert MissingPersonRecord.objects.filter(oca="F-80").count() == 1
    if imported:
        assert other["outcome"] != "entered"
        assert MissingPersonRecord.objects.filter(oca__startswith="F-").count() == 90
    else:
        assert other["outcome"] == "entered"
        assert MissingPersonRecord.objects.filter(oca__startswith="F-").count() == 1


def _fake_nics(count: int, taken: tuple[str, ...] | list[str] = ()) -> list[str]:
    """assign_nics drawing from M000000001 up (so a test can give the next drawn number)."""
    used = set(MissingPersonRecord.objects.values_list("nic", flat=True)) | set(taken)
    return [n for n in (f"M{i:09d}" for i in range(1, 10_000)) if n not in used][:count]


@pytest.mark.parametrize("given_first", [True, False])
def test_a_given_nic_equal_to_a_drawn_one_is_kept_and_the_drawn_one_replaced(
    tmp_path: Path,
    system: Actor,
    agencies: None,
    monkeypatch: pytest.MonkeyPatch,
    given_first: bool,
) -> None:
    from beacon.records.imports import importer

    monkeypatch.setattr(importer, "assign_nics", _fake_nics)
    rows = [[*row, ""] for row in _many(2, "g", aliases=False)]
    rows[0 if given_first else 1][-1] = "M000000001"
    path = write_csv(tmp_path / "r.csv", [[*HEADER, "nic"], *rows])
    result = import_records(system, path, workers=0, chunk_rows=1)
    given = MissingPersonRecord.objects.get(oca="G-0" if given_first else "G-1")
    other = MissingPersonRecord.objects.get(oca="G-1" if given_first else "G-0")
    assert given.nic == "M000000001"
    assert other.nic not in ("", "M000000001")
    assert sorted(result.nics) == sorted([given.nic, other.nic])


@pytest.mark.django_db
def test_the_record_table_keeps_only_the_indexes_its_queries_use() -> None:
    """Each index is one more B-tree insert per imported record (docs/registry-performance.md):
    no index on the agency alone (the unique agency + OCA index leads with it), on
    PostgreSQL no ``LIKE`` index on the NIC (NICs are looked up by equality only), and the
    late-entry and jurisdiction indexes partial (only the rows their queries read)."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(
            cursor, MissingPersonRecord._meta.db_table
        )
    indexed = sorted(
        tuple(info["columns"]) for info in constraints.values() if info["index"] or info["unique"]
    )
    assert ("originating_agency_id",) not in indexed
    assert ("originating_agency_id", "oca") in indexed
    assert indexed.count(("nic",)) == 1  # the unique index only
    assert ("dob",) in indexed  # search by DOB
    assert ("status", "category") not in indexed  # replaced by the partial late-entry index
    assert ("status", "validation_due_at") in indexed  # overdue validations (due_records)
    partial = {"record_late_entry", "record_jurisdiction_seen"}
    assert partial <= set(constraints)
    assert indexed.count(("jurisdiction_last_seen_id",)) == 1  # the partial one only
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE indexname = ANY(%s) "
                "AND indexdef LIKE '%%WHERE%%'",
                [sorted(partial)],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '%%WHERE%%'"
            )
        assert partial <= {str(r[0]) for r in cursor.fetchall()}


def statements_of(call: Callable[[], object]) -> list[tuple[str, Any]]:
    """The SQL and parameters of every statement ``call`` runs (the exceptions it raises
    are the caller's to expect)."""
    seen: list[tuple[str, Any]] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture), contextlib.suppress(Exception):
        call()
    return seen


def plan_of(sql: str, params: Any) -> str:
    """The plan of one statement with its parameters bound as the application binds them
    (PostgreSQL: sequential scans off, so a tiny test table shows whether an index can
    serve the query)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            return " ".join(str(r[0]) for r in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " ".join(str(r[-1]) for r in cursor.fetchall())


def test_the_jurisdiction_protect_check_reads_the_partial_index(
    enter: Callable[..., MissingPersonRecord],
) -> None:
    record = enter(jurisdiction_last_seen="county:35013")
    place = record.jurisdiction_last_seen
    assert place is not None
    statements = statements_of(place.delete)
    assert Jurisdiction.objects.filter(pk=place.pk).exists()  # PROTECT refused the delete
    table = MissingPersonRecord._meta.db_table
    checks = [
        (sql, p) for sql, p in statements if table in sql and "jurisdiction_last_seen_id" in sql
    ]
    assert checks, statements
    for sql, params in checks:
        plan = plan_of(sql, params)
        assert "record_jurisdiction_seen" in plan, plan


def test_the_registry_checks_probe_the_unique_indexes_per_value(
    tmp_path: Path, system: Actor, agencies: None
) -> None:
    """Each chunk's ORI + OCA and NICs are looked up value by value in the unique indexes.
    PostgreSQL has no statistics for the rows the import's own transaction wrote: with
    ``oca = ANY(%s)`` it read every row of the agency per chunk, with ``nic = ANY(%s)`` the
    whole table (26 s of a 1,000,000-record import)."""
    import_records(system, write_csv(tmp_path / "a.csv", [HEADER, *_many(40, "r", aliases=False)]))
    rows = [[*row, f"M{123456780 + i}"] for i, row in enumerate(_many(40, "s", aliases=False))]
    path = write_csv(tmp_path / "b.csv", [[*HEADER, "nic"], *rows])
    table = MissingPersonRecord._meta.db_table
    statements = statements_of(lambda: import_records(system, path, workers=0))
    checks = [
        (sql, p)
        for sql, p in statements
        if f"FROM {table} WHERE" in sql and ("oca" in sql or "nic" in sql) and "SELECT" in sql
    ]
    assert {"oca", "nic"} <= {
        "oca" if "originating_agency_id" in sql else "nic" for sql, _ in checks
    }
    for sql, params in checks:
        plan = " ".join(_plain_plan(sql, params))
        if connection.vendor == "postgresql":
            assert "Seq Scan" not in plan and "Bitmap" not in plan, plan
            assert "= v.value)" in plan, plan  # the index is searched for each value
        else:
            assert "SCAN" not in plan.replace("SCAN CONSTANT ROW", ""), plan
            assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan


def test_sqlite_skips_the_registry_lookups_when_the_registry_was_empty_at_begin(
    tmp_path: Path, system: Actor, agencies: None
) -> None:
    """SQLite holds the write lock from BEGIN: an empty registry stays empty but for the
    file's own rows, which the in-file checks cover. PostgreSQL still looks each chunk up
    (another writer may commit meanwhile)."""
    path = write_csv(tmp_path / "a.csv", [HEADER, *_many(30, "e", aliases=False)])
    table = MissingPersonRecord._meta.db_table
    statements = statements_of(lambda: import_records(system, path, workers=0))
    assert MissingPersonRecord.objects.count() == 30
    lookups = [sql for sql, _ in statements if f"FROM {table} WHERE" in sql and "oca" in sql]
    assert bool(lookups) == (connection.vendor == "postgresql"), lookups


def _plain_plan(sql: str, params: Any) -> list[str]:
    """The plan the database would choose, nothing disabled."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN " + sql, params)
            return [str(r[0]) for r in cursor.fetchall()]
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [str(r[-1]) for r in cursor.fetchall()]


@pytest.mark.django_db
def test_record_ids_are_drawn_whole_even_when_not_consecutive() -> None:
    """PostgreSQL: ids are ``nextval``s of the sequence, answered as a range when they are
    consecutive and as a list when not (here the sequence steps by 3, as if another session
    drew in between); SQLite: the ids after the largest, under the write lock."""
    from beacon.records.imports import bulk

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_serial_sequence(%s, 'id')", [MissingPersonRecord._meta.db_table]
            )
            sequence = cursor.fetchone()[0]
            first = bulk.allocate_ids(MissingPersonRecord, 4)
            assert first == list(range(first[0], first[0] + 4))
            cursor.execute(f"ALTER SEQUENCE {sequence} INCREMENT BY 3")
            spread = bulk.allocate_ids(MissingPersonRecord, 4)
            assert spread == [first[-1] + 3 * i for i in range(1, 5)]
            cursor.execute(f"ALTER SEQUENCE {sequence} INCREMENT BY 1")
            cursor.execute(f"SELECT nextval('{sequence}')")
            assert cursor.fetchone()[0] == spread[-1] + 1  # none of them is handed out again
    else:
        before = MissingPersonRecord.objects.order_by("-id").values_list("id", flat=True).first()
        assert bulk.allocate_ids(MissingPersonRecord, 3) == [(before or 0) + i for i in (1, 2, 3)]


def test_validating_workers_yield_the_cpu_to_the_writer() -> None:
    """The writer (and PostgreSQL's backend) is the import's bottleneck; the workers run
    at a lower priority, which also leaves the web server its share during an import."""
    from beacon.records.imports import context as import_context

    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, datetime\n"
            "from beacon.records.imports import context as c\n"
            "c.start_worker(c.Context(header=[], now=datetime.datetime.now(datetime.UTC),"
            " own_ori='', own_agency_id=0, is_system=True, vendor='sqlite',"
            " record_columns=(), detail_head=''))\n"
            "print(os.nice(0))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert import_context.WORKER_NICENESS > 0
    assert int(child.stdout) == min(19, os.nice(0) + import_context.WORKER_NICENESS)


def test_typographic_apostrophes_are_stored_as_plain_ones(
    tmp_path: Path, system: Actor, agencies: None
) -> None:
    # A list typed in a word processor writes D\u2019Alia; refusing it refused the whole list.
    row = ["EMJ", "D\u2019Alia", "O\u02bcNeil", "F", "2011-02-03", DLC, "LC-9", "NM0070100"]
    path = write_csv(tmp_path / "r.csv", [HEADER[:8], row])
    assert import_records(system, path).records == 1
    record = MissingPersonRecord.objects.get(oca="LC-9")
    assert (record.last_name, record.first_name) == ("D'Alia", "O'Neil")
    hits = services.search_records(
        system, SearchQuery(last_name="D\u2019Alia", first_name="O'Neil", dob=record.dob)
    )
    assert hits[0].nic == record.nic
