"""The earlier rows' blocking keys, kept in a DuckDB file for incremental runs.

An incremental run pairs each new row with every earlier row that a blocking rule joins
it to. Read from the cached Parquet files, that is a scan of every earlier row's string
keys per rule, and a Jaro-Winkler similarity per joined pair (millions at a million
rows). Here each rule is split into its equalities (``l.a = r.b``) and the rest: the
equalities become one hashed key per rule side, computed once per earlier row and kept;
the rest is evaluated once per distinct combination of the values it reads (a name
pair's similarity once, however many pairs share it), values being hashed too and read
back through a dictionary.

The file (``DATA_DIR/intake/<intake>/blocking-index.duckdb``) is a cache of the cached
Parquet files, which stay the truth: it holds the rows of each link file it was given
(``files``), and a run reads only the files of its base. It is rebuilt from the Parquet
files when its layout, the rules, the DuckDB version or DuckDB's hash function differ
from those it was built with, and when it cannot be read.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from beacon.intake import spec, storage

NAME = "blocking-index.duckdb"
LAYOUT = 1
CANARY = "beacon blocking index"  # its hash is kept: another hash function, a rebuild
_EQUAL = re.compile(r"^([lr])\.(\w+) = ([lr])\.(\w+)$")
_REF = re.compile(r"\b([lr])\.(\w+)\b")


@dataclass(frozen=True)
class Rule:
    """A blocking rule as an equi-join on hashed keys and a filter on the joined pairs.

    ``left``/``right``: the columns of ``l`` and ``r`` that must be equal, in the same
    order; ``rest``: the other conditions, AND-ed, each an OR of disjuncts (SQL on
    ``l.`` and ``r.``)."""

    sql: str
    left: tuple[str, ...]
    right: tuple[str, ...]
    rest: tuple[tuple[str, ...], ...]
    symmetric: bool


def _unwrap(term: str) -> str:
    term = term.strip()
    while term.startswith("(") and term.endswith(")") and spec._balanced(term[1:-1]):
        term = term[1:-1].strip()
    return term


def parse(rule: str) -> Rule | None:
    """``rule`` split into hashed equalities and the rest; None when it has no equality
    of the two sides (it is then joined as it is)."""
    equal: list[tuple[str, str]] = []
    rest: list[tuple[str, ...]] = []
    for term in spec._split(_unwrap(rule), "AND"):
        term = _unwrap(term)
        found = _EQUAL.match(term)
        if found and {found.group(1), found.group(3)} == {"l", "r"}:
            a, b = (found.group(2), found.group(4))
            equal.append((a, b) if found.group(1) == "l" else (b, a))
        else:
            rest.append(tuple(_unwrap(part) for part in spec._split(term, "OR")))
    if not equal:
        return None
    equal.sort()
    return Rule(
        sql=rule,
        left=tuple(a for a, _ in equal),
        right=tuple(b for _, b in equal),
        rest=tuple(rest),
        symmetric=spec.symmetric(rule),
    )


def refs(sql: str) -> list[tuple[str, str]]:
    """(side, column) read by a condition, in order of first use."""
    return list(dict.fromkeys((m.group(1), m.group(2)) for m in _REF.finditer(sql)))


@dataclass(frozen=True)
class Layout:
    """The hashed columns an index keeps for a set of rules: one per key tuple
    (``k<i>``), one per value read by a rule's rest (``v_<column>``)."""

    keys: tuple[tuple[str, ...], ...]
    values: tuple[str, ...]

    @classmethod
    def of(cls, rules: list[Rule]) -> Layout:
        keys = sorted({side for rule in rules for side in (rule.left, rule.right)})
        values = sorted(
            {col for rule in rules for ors in rule.rest for d in ors for _, col in refs(d)}
        )
        return cls(tuple(keys), tuple(values))

    def key(self, columns: tuple[str, ...]) -> str:
        return f"k{self.keys.index(columns)}"

    def select(self) -> str:
        """The hashed columns, computed on a table of linkage rows."""
        parts = []
        for i, columns in enumerate(self.keys):
            missing = " OR ".join(f"{c} IS NULL" for c in columns)
            values = ", ".join(f"{c}::VARCHAR" for c in columns)
            parts.append(f"CASE WHEN {missing} THEN NULL ELSE hash({values}) END AS k{i}")
        for column in self.values:
            parts.append(
                f"CASE WHEN {column} IS NULL THEN NULL ELSE hash({column}) END AS v_{column}"
            )
        return ", ".join(parts)

    def signature(self, columns: list[tuple[str, str]]) -> str:
        text = json.dumps([LAYOUT, duckdb.__version__, self.keys, self.values, columns])
        return hashlib.sha256(text.encode()).hexdigest()


def path_of(intake_id: int) -> Path:
    return storage.data_dir() / storage.FOLDER / str(intake_id) / NAME


def _canary(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute(f"SELECT hash('{CANARY}')").fetchall()[0][0])


def open_index(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    layout: Layout,
    link_files: list[str],
    alias: str = "bidx",
) -> list[int]:
    """Attach the index at ``path`` as ``alias``, rebuilt when stale and given the
    link files it lacks (paths relative to DATA_DIR); returns the ids of ``link_files``."""
    sample = ", ".join(storage.sql_literal(storage.data_dir() / p) for p in link_files[:1])
    columns = [
        (str(name), str(kind))
        for name, kind, *_ in con.execute(
            f"DESCRIBE SELECT * FROM read_parquet([{sample}])"
        ).fetchall()
    ]
    signature = layout.signature(columns)
    if not _usable(con, path, alias, signature):
        path.unlink(missing_ok=True)
        Path(f"{path}.wal").unlink(missing_ok=True)
        con.execute(f"ATTACH {storage.sql_literal(path)} AS {alias}")
        con.execute(f"CREATE TABLE {alias}.meta (signature VARCHAR, canary UBIGINT)")
        con.execute(f"INSERT INTO {alias}.meta VALUES (?, ?)", [signature, _canary(con)])
        con.execute(f"CREATE TABLE {alias}.files (file_id INTEGER, path VARCHAR)")
        names = ", ".join(f"{n} {t}" for n, t in columns)
        hashed = ", ".join(
            [f"k{i} UBIGINT" for i in range(len(layout.keys))]
            + [f"v_{c} UBIGINT" for c in layout.values]
        )
        con.execute(f"CREATE TABLE {alias}.rows (file_id INTEGER, rid BIGINT, {names}, {hashed})")
        for column in layout.values:
            kind = dict(columns)[column]
            con.execute(f"CREATE TABLE {alias}.d_{column} (h UBIGINT, s {kind})")
    known = add_files(con, layout, link_files, alias)
    return [known[p] for p in link_files]


def add_files(
    con: duckdb.DuckDBPyConnection, layout: Layout, link_files: list[str], alias: str = "bidx"
) -> dict[str, int]:
    """The link files the attached index lacks appended; returns every file's id."""
    known = {
        str(path): int(file_id)
        for path, file_id in con.execute(f"SELECT path, file_id FROM {alias}.files").fetchall()
    }
    for relative in link_files:
        if relative not in known:
            known[relative] = _add_file(con, alias, layout, relative, len(known) + 1)
    return known


class Busy(Exception):
    """Another process holds the index (its run reads the base by a scan instead)."""


def _usable(con: duckdb.DuckDBPyConnection, path: Path, alias: str, signature: str) -> bool:
    if not path.exists():
        return False
    try:
        con.execute(f"ATTACH {storage.sql_literal(path)} AS {alias}")
    except duckdb.IOException as error:
        if "could not set lock" in str(error).lower():  # (the path says "blocking")
            raise Busy(str(path)) from error
        return False
    except duckdb.Error:
        return False
    try:
        rows = con.execute(f"SELECT signature, canary FROM {alias}.meta").fetchall()
        ok = rows == [(signature, _canary(con))]
    except duckdb.Error:
        ok = False
    if not ok:
        con.execute(f"DETACH {alias}")
    return ok


def _add_file(
    con: duckdb.DuckDBPyConnection, alias: str, layout: Layout, relative: str, file_id: int
) -> int:
    """One cached link file's rows appended, with their hashed keys and values."""
    source = storage.sql_literal(storage.data_dir() / relative)
    start = int(con.execute(f"SELECT coalesce(max(rid), 0) FROM {alias}.rows").fetchall()[0][0])
    con.execute("BEGIN")
    try:
        con.execute(
            f"INSERT INTO {alias}.rows BY NAME SELECT {file_id} AS file_id, "
            f"{start} + row_number() OVER () AS rid, *, "
            f"{layout.select()} FROM read_parquet({source})"
        )
        for column in layout.values:
            con.execute(
                f"INSERT INTO {alias}.d_{column} SELECT DISTINCT v_{column}, {column} "
                f"FROM {alias}.rows WHERE file_id = {file_id} AND v_{column} IS NOT NULL "
                f"AND v_{column} NOT IN (SELECT h FROM {alias}.d_{column})"
            )
        con.execute(f"INSERT INTO {alias}.files VALUES (?, ?)", [file_id, relative])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return file_id


def layout_for(present: frozenset[str]) -> Layout | None:
    """The layout of the blocking rules that fire on ``present``; None when a rule has no
    equality of the two sides (incremental runs then scan the base)."""
    parsed = [parse(rule) for rule in spec.blocking_rule_sql(present, skip_registry_pairs=False)]
    rules = [rule for rule in parsed if rule is not None]
    return Layout.of(rules) if len(rules) == len(parsed) else None


def build(intake_id: int, present: frozenset[str], link_files: list[str]) -> bool:
    """Build (or extend) the intake's index for a run just cached, so that the first
    incremental run on it finds it ready; False when it could not be (the next
    incremental run builds it, or scans)."""
    layout = layout_for(present)
    if layout is None:
        return False
    con = duckdb.connect()
    try:
        open_index(con, path_of(intake_id), layout, link_files)
    except (Busy, duckdb.Error):
        return False
    finally:
        con.close()
    return True
