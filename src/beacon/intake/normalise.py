"""Mapping, validating and normalising list rows, set-wise in DuckDB (no per-row Python).

``map_rows`` turns a raw table (source headers) into Beacon's fields; a bad cell is
emptied and a row with nothing to link on left out, each reported (line, column,
reason) while the rest of the list is kept. ``link_table`` turns
stored rows (and registry records) into the columns the Splink model compares:
upper-case names without accents or punctuation, DOB parts, nickname-canonical first
names and phonetic keys (computed once per distinct name, not per row).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import duckdb
import jellyfish
import pyarrow as pa  # type: ignore[import-untyped]

from beacon.intake.fields import DOB_FORMAT_HELP, DOB_FORMATS, MAPPABLE, ColumnMapping
from beacon.intake.readers import LINE

SEX_CODES = {
    "M": "M",
    "MALE": "M",
    "F": "F",
    "FEMALE": "F",
    "U": "U",
    "UNKNOWN": "U",
    "X": "U",
}
NAME_MAX = 60


def count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    """A single integer from ``sql`` (the result fully read, as DuckDB requires)."""
    rows = con.execute(sql).fetchall()
    return int(rows[0][0]) if rows else 0


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _field_expr(sources: list[str]) -> str:
    parts = ", ".join(f"nullif(trim({_q(s)}), '')" for s in sources)
    return f"nullif(trim(concat_ws(' ', {parts})), '')"


def map_rows(
    con: duckdb.DuckDBPyConnection, raw: str, mapping: ColumnMapping, out: str, label: str
) -> tuple[int, list[dict[str, Any]]]:
    """Create ``out`` (line + FIELDS, dob as DATE, sex as M/F/U) from the rows that can be
    linked; returns (rows kept, quarantine).

    A bad cell (an impossible or future date, an unknown sex code, a malformed NIC, an
    over-long value) is left empty and its row kept; a row with nothing to link on (no
    name, date of birth or identifier, once its bad cells are emptied) is left out. Each
    is reported in the quarantine: line, column (the source's header), value, reason and
    what was done. The rest of the list is imported: one bad cell never refuses a list.
    """
    formats = "[" + ", ".join(_lit(f) for f in DOB_FORMATS[mapping.dob_format]) + "]"
    selects = [f"{LINE} AS line"]
    for name in MAPPABLE:
        sources = mapping.columns.get(name)
        selects.append(f"{_field_expr(sources) if sources else 'NULL::VARCHAR'} AS {name}")
    con.execute(
        f"CREATE TEMP TABLE {out}_text AS SELECT *, try_strptime(dob, {formats})::DATE AS parsed"
        f" FROM (SELECT {', '.join(selects)} FROM {raw})"
    )
    column_of = {name: " + ".join(srcs) for name, srcs in mapping.columns.items()}
    sex_values = ", ".join(_lit(k) for k in SEX_CODES)
    # (field, condition on the raw cell, reason): the cell is emptied when it holds.
    cells = [
        (
            "dob",
            "dob IS NOT NULL AND parsed IS NULL",
            f"is not a date (expected {DOB_FORMAT_HELP[mapping.dob_format]})",
        ),
        ("dob", "parsed > current_date", "is in the future"),
        ("dob", "parsed < DATE '1900-01-01'", "is before 1900"),
        ("sex", f"sex IS NOT NULL AND upper(sex) NOT IN ({sex_values})", "must be M, F or U"),
        (
            "nic",
            "nic IS NOT NULL AND NOT regexp_full_match(upper(nic), '[A-Z][0-9]{9}')",
            "is not an NIC (a letter and nine digits)",
        ),
    ]
    for name in ("first_name", "middle_name", "last_name"):
        cells.append(
            (name, f"length({name}) > {NAME_MAX}", f"is longer than {NAME_MAX} characters")
        )
    cells.append(("full_name", "length(full_name) > 120", "is longer than 120 characters"))
    for name in ("oca", "ncmec_number", "source_id", "postcode", "state"):
        cells.append((name, f"length({name}) > 40", "is longer than 40 characters"))
    bad_of: dict[str, list[str]] = {}
    for name, cond, _ in cells:
        bad_of.setdefault(name, []).append(f"coalesce({cond}, false)")
    cleared = {name: " OR ".join(conds) for name, conds in bad_of.items()}
    replaced = ", ".join(
        f"CASE WHEN {cond} THEN NULL ELSE {'parsed' if name == 'dob' else name} END AS "
        f"{'parsed' if name == 'dob' else name}"
        for name, cond in cleared.items()
    )
    con.execute(f"CREATE TEMP TABLE {out}_clean AS SELECT * REPLACE ({replaced}) FROM {out}_text")
    empty = (
        "first_name IS NULL AND last_name IS NULL AND full_name IS NULL AND parsed IS NULL"
        " AND nic IS NULL AND oca IS NULL AND ncmec_number IS NULL"
    )
    found = [
        f"SELECT line, {_lit(name)} AS field, {name}::VARCHAR AS value, {_lit(msg)} AS msg, "
        f"'cell left empty' AS action FROM {out}_text WHERE {cond}"
        for name, cond, msg in cells
    ]
    found.append(
        f"SELECT line, 'last_name', NULL, 'the row has no name, date of birth or identifier',"
        f" 'row left out' FROM {out}_clean WHERE {empty}"
    )
    problems = con.execute(
        f"SELECT * FROM ({' UNION ALL '.join(found)}) ORDER BY line, field, msg"
    ).fetchall()
    quarantine = [
        {
            "line": line,
            "column": column_of.get(name, name),
            "value": value,
            "reason": message,
            "action": action,
        }
        for line, name, value, message, action in problems
    ]
    sex_case = " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in SEX_CODES.items())
    con.execute(
        f"""CREATE TEMP TABLE {out} AS SELECT * EXCLUDE (full_name, parts, comma, parsed) REPLACE (
              parsed AS dob,
              CASE upper(sex) {sex_case} END AS sex,
              upper(regexp_replace(nic, '\\s', '', 'g')) AS nic,
              coalesce(first_name, parts[1]) AS first_name,
              coalesce(middle_name, nullif(array_to_string(
                CASE WHEN comma IS NOT NULL THEN parts[2:] ELSE parts[2:len(parts) - 1] END,
                ' '), '')) AS middle_name,
              coalesce(last_name, CASE WHEN comma IS NOT NULL THEN comma
                                       WHEN len(parts) > 1 THEN parts[-1] END) AS last_name)
            FROM (SELECT *,
                    CASE WHEN contains(full_name, ',')
                         THEN nullif(trim(split_part(full_name, ',', 1)), '') END AS comma,
                    string_split(regexp_replace(trim(CASE WHEN contains(full_name, ',')
                         THEN split_part(full_name, ',', 2) ELSE full_name END),
                         '\\s+', ' ', 'g'), ' ') AS parts
                  FROM {out}_clean WHERE NOT ({empty})) ORDER BY line"""
    )
    con.execute(f"DROP TABLE {out}_text")
    con.execute(f"DROP TABLE {out}_clean")
    return count(con, f"SELECT count(*) FROM {out}"), quarantine


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        r"""
        CREATE OR REPLACE MACRO beacon_name(x) AS nullif(trim(regexp_replace(
            regexp_replace(upper(strip_accents(x)), '[''`\x{2019}]', '', 'g'),
            '[^A-Z]+', ' ', 'g')), '');
        CREATE OR REPLACE MACRO beacon_text(x) AS nullif(trim(regexp_replace(
            upper(strip_accents(x)), '[^A-Z0-9]+', ' ', 'g')), '');
        CREATE OR REPLACE MACRO beacon_code(x) AS nullif(
            regexp_replace(upper(x), '[^A-Z0-9]+', '', 'g'), '');
        """
    )


# Columns the model compares (see spec.py), in order.
LINK_COLUMNS = (
    "unique_id",
    "source",
    "first_name",
    "middle_name",
    "last_name",
    "first_canon",
    "last_canon",
    "first_key",
    "first_name_key",
    "last_key",
    "middle_key",
    "first_initial",
    "last_initial",
    "dob",
    "dob_key",
    "dob_y",
    "dob_m",
    "dob_d",
    "birth_year",
    "sex",
    "address",
    "house",
    "street",
    "place",
    "state",
    "postcode",
    "nic",
    "oca",
    "ncmec",
)


def phonetic(name: str) -> str:
    return jellyfish.nysiis(name.replace(" ", "")) or name


def link_table(
    con: duckdb.DuckDBPyConnection,
    people: str,
    out: str,
    variants: Iterable[tuple[str, str]],
) -> None:
    """Build ``out`` (LINK_COLUMNS) from ``people`` (unique_id, source, FIELDS...).

    ``variants`` are (name, canonical) pairs from the registry's name-variant table:
    BILL -> WILLIAM makes the two compare as "a nickname of the same name".
    """
    install_macros(con)
    pairs = [(v.upper(), c.upper()) for v, c in variants]
    con.register(
        "beacon_variants_arrow",
        pa.table(
            {
                "variant": pa.array([p[0] for p in pairs], pa.string()),
                "canonical": pa.array([p[1] for p in pairs], pa.string()),
            }
        ),
    )
    # A name that is itself canonical stays itself (WILLIAM, also a form of GUILLERMO);
    # any other takes its first canonical form (BILL -> WILLIAM).
    con.execute(
        """CREATE OR REPLACE TEMP TABLE beacon_variants AS
           SELECT beacon_name(variant) AS variant,
                  coalesce(min(beacon_name(canonical)) FILTER (
                      WHERE beacon_name(canonical) = beacon_name(variant)),
                    min(beacon_name(canonical))) AS canonical
           FROM beacon_variants_arrow WHERE beacon_name(variant) IS NOT NULL GROUP BY 1"""
    )
    con.unregister("beacon_variants_arrow")
    # Names are folded, made canonical and keyed once per distinct spelling (a national
    # list of a million rows has a few thousand), then joined back to the rows.
    spellings = con.execute(
        f"""SELECT raw, name, coalesce(v.canonical, name) AS canon FROM (
              SELECT raw, beacon_name(raw) AS name FROM (
                SELECT first_name AS raw FROM {people} UNION
                SELECT middle_name FROM {people} UNION
                SELECT last_name FROM {people}) WHERE raw IS NOT NULL)
            LEFT JOIN beacon_variants v ON v.variant = name"""
    ).fetchall()
    keys: dict[str, str] = {}
    for _, name, canon in spellings:
        for word in (name, canon):
            if word is not None and word not in keys:
                keys[word] = phonetic(word)
    con.register(
        "beacon_names_arrow",
        pa.table(
            {
                "raw": pa.array([row[0] for row in spellings], pa.string()),
                "name": pa.array([row[1] for row in spellings], pa.string()),
                "canon": pa.array([row[2] for row in spellings], pa.string()),
                "canon_key": pa.array([keys.get(row[2]) for row in spellings], pa.string()),
                "name_key": pa.array([keys.get(row[1]) for row in spellings], pa.string()),
            }
        ),
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {out} AS
        SELECT p.unique_id, p.source,
          nf.name AS first_name, nm.name AS middle_name, nl.name AS last_name,
          nf.canon AS first_canon, nl.canon AS last_canon, nf.canon_key AS first_key, nf.name_key AS first_name_key,
          nl.name_key AS last_key, nm.name_key AS middle_key,
          left(nf.name, 1) AS first_initial, left(nl.name, 1) AS last_initial,
          strftime(p.dob, '%Y-%m-%d') AS dob,
          -- the date with day and month in order: a swapped date has the same key
          year(p.dob) * 10000 + least(month(p.dob), day(p.dob)) * 100
            + greatest(month(p.dob), day(p.dob)) AS dob_key,
          year(p.dob) AS dob_y, month(p.dob) AS dob_m, day(p.dob) AS dob_d,
          year(p.dob) AS birth_year,
          CASE WHEN p.sex IN ('M', 'F') THEN p.sex END AS sex,
          beacon_text(p.address) AS address,
          nullif(regexp_extract(beacon_text(p.address), '^([0-9]+)( |$)', 1), '') AS house,
          nullif(trim(regexp_replace(beacon_text(p.address), '^[0-9]+( |$)', '')), '') AS street,
          beacon_text(p.place) AS place,
          beacon_code(p.state) AS state,
          beacon_code(p.postcode) AS postcode,
          beacon_code(p.nic) AS nic,
          beacon_code(p.oca) AS oca,
          beacon_code(p.ncmec_number) AS ncmec
        FROM {people} p
        LEFT JOIN beacon_names_arrow nf ON nf.raw = p.first_name
        LEFT JOIN beacon_names_arrow nm ON nm.raw = p.middle_name
        LEFT JOIN beacon_names_arrow nl ON nl.raw = p.last_name"""
    )
    con.unregister("beacon_names_arrow")
