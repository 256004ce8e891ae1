"""The pairs of an incremental run, found through the blocking index.

The same pairs as joining the new rows with every earlier row under each blocking rule
(``incremental._pairs_by_scan``, kept as the reference), found faster: the rule's
equalities are one integer join on hashed keys (``blocking_index``), and its other
conditions are evaluated once per distinct combination of the values they read, not
once per joined pair. A hashed value is read back through a dictionary, checked to map
each hash to one value; a collision (never seen, about one chance in 10^10 per run)
raises ``Collision`` and the run falls back to the scan. Equal keys always hash alike,
so no pair is ever lost; two different keys of one hash (64 bits: about one chance in
10^8 per run at a million rows) would add a pair the scan does not make, scored as any.
"""

from __future__ import annotations

import re

import duckdb

from beacon.intake.blocking_index import Layout, Rule, refs


class Collision(Exception):
    """Two values with one hash: the index cannot tell them apart."""


def _column(side: str, column: str) -> str:
    return f"{side}_{column}"


def prepare_new(con: duckdb.DuckDBPyConnection, layout: Layout, new: str, old_dicts: str) -> None:
    """``beacon_nk``: the new rows' ids and hashed columns; ``beacon_dict_<column>``: each
    value's hash, earlier and new rows' (``old_dicts``: the index alias)."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE beacon_nk AS SELECT row_number() OVER () AS nid, "
        f"unique_id, {layout.select()} FROM {new}"
    )
    for column in layout.values:
        table = f"beacon_dict_{column}"
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT h, s FROM {old_dicts}.d_{column} "
            f"UNION SELECT hash({column}), {column} FROM {new} WHERE {column} IS NOT NULL"
        )
        clashes = con.execute(
            f"SELECT count(*) FROM (SELECT h FROM {table} GROUP BY h HAVING count(*) > 1)"
        ).fetchall()[0][0]
        if clashes:
            raise Collision(column)


def _rewrite(disjunct: str, dicts: dict[tuple[str, str], str]) -> str:
    """``l.x`` / ``r.x`` read as the dictionary value joined for that side and column."""
    for (side, column), alias in dicts.items():
        disjunct = _replace(disjunct, side, column, f"{alias}.s")
    return disjunct


def _replace(sql: str, side: str, column: str, to: str) -> str:
    return re.sub(rf"\b{side}\.{column}\b", to, sql)


def rule_hits(
    con: duckdb.DuckDBPyConnection,
    layout: Layout,
    rule: Rule,
    old: str,
    number: int,
) -> None:
    """Append to ``beacon_hits`` (rid, nid, old_is_l) the earlier and new rows that
    ``rule`` pairs, each way round it reads differently."""
    ways = [True] if rule.symmetric else [True, False]
    read = sorted({(s, c) for ors in rule.rest for d in ors for s, c in refs(d)})
    for way, old_is_l in enumerate(ways):
        o_key = layout.key(rule.left if old_is_l else rule.right)
        n_key = layout.key(rule.right if old_is_l else rule.left)
        carried = []
        for side, column in read:
            table = "o" if (side == "l") == old_is_l else "n"
            carried.append(f"{table}.v_{column} AS {_column(side, column)}")
        cand = f"beacon_cand_{number}_{way}"
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {cand} AS SELECT o.rid, n.nid"
            + "".join(f", {c}" for c in carried)
            + f" FROM {old} o JOIN beacon_nk n ON o.{o_key} = n.{n_key}"
        )
        joins, conditions = [], []
        for t, ors in enumerate(rule.rest):
            alternatives = []
            for d, disjunct in enumerate(ors):
                used = refs(disjunct)
                if not used:
                    alternatives.append(f"({disjunct})")
                    continue
                cols = [_column(side, column) for side, column in used]
                dicts = {ref: f"d{i}" for i, ref in enumerate(used)}
                lookups = " ".join(
                    f"LEFT JOIN beacon_dict_{column} {dicts[(side, column)]} "
                    f"ON {dicts[(side, column)]}.h = c.{_column(side, column)}"
                    for side, column in used
                )
                ok = f"beacon_ok_{number}_{way}_{t}_{d}"
                con.execute(
                    f"CREATE OR REPLACE TEMP TABLE {ok} AS SELECT {', '.join(f'c.{c}' for c in cols)} "
                    f"FROM (SELECT DISTINCT {', '.join(cols)} FROM {cand}) c {lookups} "
                    f"WHERE {_rewrite(disjunct, dicts)}"
                )
                alias = f"ok{t}_{d}"
                on = " AND ".join(f"{alias}.{c} IS NOT DISTINCT FROM c.{c}" for c in cols)
                joins.append(f"LEFT JOIN (SELECT *, true AS hit FROM {ok}) {alias} ON {on}")
                alternatives.append(f"{alias}.hit IS NOT NULL")
            conditions.append("(" + " OR ".join(alternatives) + ")")
        where = " AND ".join(conditions) or "true"
        con.execute(
            f"INSERT INTO beacon_hits SELECT c.rid, c.nid, {str(old_is_l).lower()}, "
            f"{str(rule.symmetric).lower()} FROM {cand} c {' '.join(joins)} WHERE {where}"
        )
        con.execute(f"DROP TABLE {cand}")
        for t, ors in enumerate(rule.rest):
            for d in range(len(ors)):
                con.execute(f"DROP TABLE IF EXISTS beacon_ok_{number}_{way}_{t}_{d}")


def old_new_pairs(
    con: duckdb.DuckDBPyConnection, layout: Layout, rules: list[Rule], old: str
) -> str:
    """A query of the (unique_id_l, unique_id_r) pairs of an earlier and a new row that
    the rules make, ordered as Splink orders a dedupe pair (and as ``_pairs_by_scan``
    does: a rule that reads differently each way round keeps each way's pairs whose
    ``l`` is the lower key); ``beacon_kept`` holds the earlier rows' ids (``rid``)."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE beacon_hits "
        "(rid BIGINT, nid BIGINT, old_is_l BOOLEAN, same_both_ways BOOLEAN)"
    )
    for number, rule in enumerate(rules):
        rule_hits(con, layout, rule, old, number)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE beacon_hit_ids AS SELECT h.rid, o.unique_id AS old_id, "
        "n.unique_id AS new_id, h.old_is_l, h.same_both_ways FROM "
        "(SELECT DISTINCT rid, nid, old_is_l, same_both_ways FROM beacon_hits) h "
        f"JOIN {old} o ON o.rid = h.rid JOIN beacon_nk n ON n.nid = h.nid"
    )
    # the hits a rule that reads differently each way round keeps (l the lower key)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE beacon_kept AS SELECT rid, "
        "CASE WHEN same_both_ways THEN least(old_id, new_id) "
        "WHEN old_is_l THEN old_id ELSE new_id END AS l, "
        "CASE WHEN same_both_ways THEN greatest(old_id, new_id) "
        "WHEN old_is_l THEN new_id ELSE old_id END AS r FROM beacon_hit_ids "
        "WHERE same_both_ways OR (old_is_l AND old_id < new_id) "
        "OR (NOT old_is_l AND new_id < old_id)"
    )
    return "SELECT DISTINCT l, r FROM beacon_kept"
