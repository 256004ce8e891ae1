"""An incremental run's pairs found through the blocking index are exactly those of
the scan of every earlier row, and the index (a cache) is rebuilt or extended when the
base changes, never trusted when it is stale."""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]
import pytest

from beacon.core.actor import Actor
from beacon.intake import blocking_index, incremental, services, spec, storage
from beacon.intake.engine import present_columns
from beacon.intake.fields import FIELDS
from beacon.intake.normalise import link_table

from .conftest import NCMEC_MAPPING

FIRST = ["Maria", "Mariah", "Jose", "Josue", "Ashley", "Ashlee", "Liam", "Noah", "Cui", "Jie"]
LAST = ["Garcia", "Garcya", "Nguyen", "Nguyenn", "Brown", "Browne", "Wang", "Xiahan", "Lara"]


def _people(n: int, seed: int, source: str) -> list[dict[str, object]]:
    """A fixed sample that makes every kind of rule fire: few names (many equal keys),
    typos (similar names), swapped names and dates, missing names and dates."""
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    for i in range(n):
        first: str | None = rng.choice(FIRST)
        last: str | None = rng.choice(LAST)
        dob: dt.date | None = dt.date(
            2010 + rng.randrange(3), rng.randrange(1, 4), rng.randrange(1, 4)
        )
        kind = rng.randrange(10)
        if kind == 0:
            first, last = last, first
        elif kind == 1:
            dob = None
        elif kind == 2:
            first = None
        elif kind == 3 and dob is not None and dob.day <= 12:
            dob = dt.date(dob.year, dob.day, dob.month)
        rows.append(
            {
                "unique_id": f"{source}:{i}",
                "source": source,
                "first_name": first,
                "last_name": last,
                "dob": dob,
                "sex": rng.choice(["M", "F"]),
            }
        )
    return rows


def _link(con: duckdb.DuckDBPyConnection, rows: list[dict[str, object]], out: str) -> None:
    table = pa.table(
        {
            "unique_id": [r["unique_id"] for r in rows],
            "source": [r["source"] for r in rows],
            **{
                name: pa.array(
                    [r.get(name) for r in rows], pa.date32() if name == "dob" else pa.string()
                )
                for name in FIELDS
            },
        }
    )
    con.register("people_arrow", table)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {out}_people AS SELECT * FROM people_arrow")
    con.unregister("people_arrow")
    link_table(con, f"{out}_people", out, [])


def _cached(rows: list[dict[str, object]], name: str) -> str:
    """Linkage rows written as a run's cache writes them; the path relative to DATA_DIR."""
    relative = f"{storage.FOLDER}/1/{name}.parquet"
    target = storage.data_dir() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    _link(con, rows, "rows")
    con.execute(f"COPY rows TO {storage.sql_literal(target)} (FORMAT parquet)")
    con.close()
    return relative


class _Intake:
    pk = 1


def _found(
    files: list[str], new: list[dict[str, object]], *, scan: bool
) -> tuple[set[tuple[str, str]], set[str], bool]:
    """(pairs, ids of link_in, whether the index was used) of the new rows against
    ``files``."""
    con = duckdb.connect()
    _link(con, new, "link_new")
    present = present_columns(con, "link_new")
    if scan:
        incremental._pairs_by_scan(con, present, incremental._files(files))
        layout = None
    else:
        _, layout = incremental._pairs(con, present, _Intake(), files)  # type: ignore[arg-type]
    pairs = set(con.execute("SELECT unique_id_l, unique_id_r FROM incoming_pairs").fetchall())
    ids = {row[0] for row in con.execute("SELECT unique_id FROM link_in").fetchall()}
    con.close()
    return pairs, ids, layout is not None


def test_the_index_finds_exactly_the_pairs_of_the_scan() -> None:
    files = [_cached(_people(1500, 1, "10"), "a"), _cached(_people(700, 2, "11"), "b")]
    new = _people(300, 3, "12")

    scanned, scanned_ids, _ = _found(files, new, scan=True)
    indexed, indexed_ids, used = _found(files, new, scan=False)
    assert used
    assert indexed == scanned
    assert indexed_ids == scanned_ids
    # a sample where the rules do work: thousands of pairs, with the earlier rows of
    # both files and the new rows among themselves, and pairs that only a similarity
    # rule makes (a typo in the surname, the year of birth and the day both wrong)
    assert len(scanned) > 5000
    assert {(a.split(":")[0], b.split(":")[0]) for a, b in scanned} >= {
        ("10", "12"),
        ("11", "12"),
        ("12", "12"),
    }
    con = duckdb.connect()
    _link(con, _people(1500, 1, "10") + new, "joint")
    present = present_columns(con, "joint")
    similar = [r for r in spec.blocking_rule_sql(present, skip_registry_pairs=False) if "jaro" in r]
    assert similar
    only_similar = con.execute(
        "SELECT count(*) FROM joint l JOIN joint r ON l.unique_id < r.unique_id "
        f"AND ({' OR '.join(similar)}) AND NOT coalesce(l.last_name = r.last_name, false) "
        "AND NOT coalesce(l.dob = r.dob, false)"
    ).fetchall()[0][0]
    assert only_similar > 0


def test_the_index_is_extended_with_new_files_and_reads_only_the_base() -> None:
    a = _cached(_people(800, 4, "10"), "a")
    b = _cached(_people(400, 5, "11"), "b")
    new = _people(200, 6, "12")
    path = blocking_index.path_of(1)

    # built for [a]; a later base [a, b] adds b's rows, a's are not read again
    assert _found([a], new, scan=False)[0] == _found([a], new, scan=True)[0]
    built = path.stat().st_size
    assert _found([a, b], new, scan=False)[0] == _found([a, b], new, scan=True)[0]
    con = duckdb.connect()
    con.execute(f"ATTACH {storage.sql_literal(path)} AS i (READ_ONLY)")
    assert con.execute("SELECT path, file_id FROM i.files ORDER BY 2").fetchall() == [
        (a, 1),
        (b, 2),
    ]
    assert con.execute("SELECT count(*) FROM i.rows").fetchall()[0][0] == 1200
    con.close()
    assert path.stat().st_size >= built

    # a run on the earlier base [a] (the one on [a, b] deleted): b's rows are in the
    # index but not read, and no pair with them is made
    pairs, ids, used = _found([a], new, scan=False)
    assert used and pairs == _found([a], new, scan=True)[0]
    assert not any(key.startswith("11:") for key in ids)


def _meta(path: Path, sql: str) -> None:
    con = duckdb.connect()
    con.execute(f"ATTACH {storage.sql_literal(path)} AS i")
    con.execute(sql)
    con.close()


@pytest.mark.parametrize(
    "spoil",
    [
        "UPDATE i.meta SET canary = canary + 1",  # another hash function
        "UPDATE i.meta SET signature = 'rules of an older version'",
    ],
)
def test_a_stale_index_is_rebuilt_from_the_cached_files(spoil: str) -> None:
    a = _cached(_people(800, 7, "10"), "a")
    new = _people(200, 8, "12")
    expected = _found([a], new, scan=True)[0]
    assert _found([a], new, scan=False)[0] == expected
    path = blocking_index.path_of(1)
    _meta(path, spoil)
    found, _, used = _found([a], new, scan=False)
    assert used and found == expected


def test_an_unreadable_index_is_rebuilt() -> None:
    a = _cached(_people(600, 9, "10"), "a")
    new = _people(150, 10, "12")
    path = blocking_index.path_of(1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a database" * 100)
    found, _, used = _found([a], new, scan=False)
    assert used and found == _found([a], new, scan=True)[0]


def test_an_index_another_process_holds_is_left_alone_and_the_base_scanned() -> None:
    a = _cached(_people(600, 11, "10"), "a")
    new = _people(150, 12, "12")
    _found([a], new, scan=False)
    path = blocking_index.path_of(1)
    before = path.read_bytes()
    holder = subprocess.Popen(  # noqa: S603 (this interpreter, a fixed script)
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
            "print('held', flush=True); time.sleep(60)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        found, _, used = _found([a], new, scan=False)
    finally:
        holder.kill()
        holder.wait()
    assert not used
    assert found == _found([a], new, scan=True)[0]
    assert path.read_bytes() == before


def test_a_full_link_builds_the_index_and_each_incremental_run_extends_it(
    system: Actor, lists_dir: dict[str, Path]
) -> None:
    intake = services.create_intake(system, "Indexed")
    services.import_list(system, intake, lists_dir["ncic"], source="NCIC")
    first = services.link(system, intake)
    path = blocking_index.path_of(intake.pk)

    def held() -> list[str]:
        con = duckdb.connect()
        con.execute(f"ATTACH {storage.sql_literal(path)} AS i (READ_ONLY)")
        files = [
            str(row[0])
            for row in con.execute("SELECT path FROM i.files ORDER BY file_id").fetchall()
        ]
        con.close()
        return files

    assert held() == first.cache["link"]
    services.import_list(system, intake, lists_dir["agency"], source="LCPD")
    second = services.link_new(system, intake)
    assert held() == second.cache["link"] == [*first.cache["link"], second.cache["link"][-1]]
    # the index is a cache: removed, the next run rebuilds it from the cached files
    path.unlink()
    services.import_list(system, intake, lists_dir["ncmec"], source="NCMEC", mapping=NCMEC_MAPPING)
    third = services.link_new(system, intake)
    assert held() == third.cache["link"]
