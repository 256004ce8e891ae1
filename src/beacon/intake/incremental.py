"""Incremental linking: lists imported since the latest run, against that run's cache.

A full run relinks every list. ``link_new`` links only the lists that are new since the
latest run: their rows are normalised, the cached (normalised) rows of the earlier lists
and registry records that share a blocking key with a new row are picked out, and only
pairs involving a new row are scored, with the latest run's model and the term
frequencies of the whole intake (the cached counts plus the new rows'). Clusters: the
latest run's clusters are kept as they were; new rows join them, or each other, by the
same complete linkage at the same threshold (a join is refused unless every pair across
scored at or above it; two earlier clusters are never joined, their pairs are not
rescored). The run is a ``LinkRun`` with ``base`` set: its clusters are the base run's
untouched clusters (copied, same numbers and decisions) and the changed and new ones.

The earlier rows a new row pairs with are found through the intake's blocking index
(``blocking_index``, ``candidates``: the earlier rows' hashed blocking keys in a DuckDB
file, kept beside the cache), which gives the pairs the scan of every earlier row gives
(``_pairs_by_scan``, the fallback when the index cannot be used).
"""

from __future__ import annotations

import time
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]
from django.db import connection, transaction

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import IllegalTransition, ValidationFailed
from beacon.intake import blocking_index, candidates, spec, storage
from beacon.intake.clustering import Clusterer
from beacon.intake.engine import Session
from beacon.intake.fields import FIELDS
from beacon.intake.linking import (
    TF_COLUMNS,
    Progress,
    _edges,
    _labels,
    _load_lists,
    _quiet,
    _save_clusters,
    member_of,
    name_variants,
    write_cache,
)
from beacon.intake.models import Cluster, Intake, LinkRun, SourceList
from beacon.intake.normalise import count, link_table

STEPS = (
    "Loading new lists",
    "Normalising",
    "Finding candidates",
    "Scoring pairs",
    "Clustering",
    "Saving clusters",
)


def _files(paths: list[str]) -> str:
    return "[" + ", ".join(storage.sql_literal(storage.data_dir() / p) for p in paths) + "]"


def _pairs(
    con: duckdb.DuckDBPyConnection, present: frozenset[str], intake: Intake, files: list[str]
) -> tuple[int, blocking_index.Layout | None]:
    """As ``_pairs_by_scan`` (the same pairs, and ``link_in``), found through the
    intake's blocking index (see ``blocking_index`` and ``candidates``); the index is
    left attached as ``bidx`` for ``_index_new_rows``. Returns the pair count and the
    index's layout (None: the pairs were found by the scan)."""
    rules = spec.blocking_rule_sql(present, skip_registry_pairs=False)
    parsed = [blocking_index.parse(rule) for rule in rules]
    usable = [rule for rule in parsed if rule is not None]
    layout = blocking_index.layout_for(present)
    if layout is None:
        return _pairs_by_scan(con, present, _files(files)), None
    try:
        ids = blocking_index.open_index(con, blocking_index.path_of(intake.pk), layout, files)
    except blocking_index.Busy:
        return _pairs_by_scan(con, present, _files(files)), None
    con.execute(
        "CREATE TEMP VIEW link_old AS SELECT * FROM bidx.rows "
        f"WHERE file_id IN ({', '.join(str(i) for i in ids)})"
    )
    try:
        candidates.prepare_new(con, layout, "link_new", "bidx")
    except candidates.Collision:
        con.execute("DROP VIEW link_old")
        return _pairs_by_scan(con, present, _files(files)), None
    old_new = candidates.old_new_pairs(con, layout, usable, "link_old")
    new_new = []
    for rule in rules:
        within = rule.replace("l.", "a.").replace("r.", "b.")
        new_new.append(
            "SELECT a.unique_id AS l, b.unique_id AS r FROM link_new a JOIN link_new b "
            f"ON {within} AND a.unique_id < b.unique_id"
        )
    con.execute(
        "CREATE TEMP TABLE incoming_pairs AS SELECT l AS unique_id_l, r AS unique_id_r "
        f"FROM ({' UNION '.join([*new_new, old_new])})"
    )
    columns = ", ".join(str(row[0]) for row in con.execute("DESCRIBE link_new").fetchall())
    con.execute(
        f"CREATE TEMP TABLE link_in AS SELECT * FROM link_new UNION ALL SELECT {columns} "
        "FROM link_old WHERE rid IN (SELECT rid FROM beacon_kept)"
    )
    con.execute("DROP VIEW link_old")
    return count(con, "SELECT count(*) FROM incoming_pairs"), layout


def _pairs_by_scan(con: duckdb.DuckDBPyConnection, present: frozenset[str], files: str) -> int:
    """The pairs a full run's blocking would make that involve a new row, as
    ``incoming_pairs`` (unique_id_l < unique_id_r, as Splink orders a dedupe pair and
    reads each rule with ``l`` the lower key), and ``link_in``: the new rows and the
    earlier rows they pair with. Returns the pair count. Every earlier row is read and
    joined under each rule: the reference that ``_pairs`` must equal, and its fallback."""
    rules = spec.blocking_rule_sql(present, skip_registry_pairs=False)
    # the earlier rows read once, whole: the joins read their keys, link_in the rows
    # they pair with (the columns a five-field list leaves empty cost next to nothing)
    con.execute(f"CREATE TEMP TABLE link_old AS SELECT * FROM read_parquet({files})")
    selects = []
    for rule in rules:

        def read(left: str, right: str, rule: str = rule) -> str:
            return rule.replace("l.", f"{left}.").replace("r.", f"{right}.")

        selects.append(
            f"SELECT a.unique_id AS l, b.unique_id AS r FROM link_new a JOIN link_new b "
            f"ON {read('a', 'b')} AND a.unique_id < b.unique_id"
        )
        if spec.symmetric(rule):
            # a rule of equal keys reads the same both ways round: one join
            selects.append(
                "SELECT least(o.unique_id, n.unique_id) AS l, "
                "greatest(o.unique_id, n.unique_id) AS r "
                f"FROM link_old o JOIN link_new n ON {read('o', 'n')}"
            )
        else:
            selects.append(
                f"SELECT o.unique_id AS l, n.unique_id AS r FROM link_old o JOIN link_new n "
                f"ON {read('o', 'n')} AND o.unique_id < n.unique_id"
            )
            selects.append(
                f"SELECT n.unique_id AS l, o.unique_id AS r FROM link_old o JOIN link_new n "
                f"ON {read('n', 'o')} AND n.unique_id < o.unique_id"
            )
    con.execute(
        "CREATE TEMP TABLE incoming_pairs AS SELECT l AS unique_id_l, r AS unique_id_r "
        f"FROM ({' UNION '.join(selects)})"
    )
    con.execute(
        "CREATE TEMP TABLE link_in AS SELECT * FROM link_new UNION ALL "
        "SELECT * FROM link_old WHERE unique_id IN (SELECT unique_id_l FROM incoming_pairs "
        "UNION SELECT unique_id_r FROM incoming_pairs)"
    )
    con.execute("DROP TABLE link_old")
    return count(con, "SELECT count(*) FROM incoming_pairs")


def _term_frequencies(con: duckdb.DuckDBPyConnection, tf_path: str) -> dict[str, str]:
    """The whole intake's term frequencies: cached counts plus the new rows'."""
    new_counts = " UNION ALL ".join(
        f"SELECT '{c}' AS col, {c} AS value, count(*) AS n FROM link_new "
        f"WHERE {c} IS NOT NULL GROUP BY {c}"
        for c in TF_COLUMNS
    )
    con.execute(
        "CREATE TEMP TABLE beacon_tf_counts AS SELECT col, value, sum(n)::BIGINT AS n FROM ("
        f"SELECT * FROM read_parquet({_files([tf_path])}) UNION ALL {new_counts}) GROUP BY 1, 2"
    )
    tables = {}
    for column in TF_COLUMNS:
        table = f"beacon_tf_{column}"
        con.execute(
            f"CREATE TEMP TABLE {table} AS SELECT value AS {column}, "
            f"n::DOUBLE / sum(n) OVER () AS tf_{column} FROM beacon_tf_counts "
            f"WHERE col = '{column}'"
        )
        tables[column] = table
    return tables


def link_new(
    actor: Actor,
    intake: Intake,
    *,
    progress: Progress | None = None,
) -> LinkRun:
    """Link the lists imported since the latest run against it (see the module)."""
    policy.require(
        actor, Permission.INTAKE_MANAGE, object_type="intake.intake", object_id=intake.pk
    )
    intake = Intake.objects.get_visible(actor, pk=intake.pk)
    if intake.status != Intake.Status.OPEN:
        raise IllegalTransition("This intake was accepted; its links are final.")
    base = intake.runs.order_by("-run_at", "-pk").first()
    if base is None or not base.cache:
        raise ValidationFailed.on("intake", "link the intake in full once before --new")
    if base.model.spec_version != spec.SPEC_VERSION:
        raise ValidationFailed.on(
            "intake",
            "the latest run was made by an older linkage model: link in full once before --new",
        )
    linked = set(base.list_ids)
    new_lists = [listed for listed in intake.lists.order_by("pk") if listed.pk not in linked]
    if not new_lists:
        raise ValidationFailed.on("intake", "no list was imported since the latest run")
    step = progress or _quiet
    started = time.monotonic()
    cache: dict[str, Any] = base.cache
    present = frozenset(cache["present"])
    new_sources = tuple(str(listed.pk) for listed in new_lists)
    con = duckdb.connect()
    session: Session | None = None
    try:
        step(STEPS[0])
        _load_lists(con, new_lists, "people_new")
        step(STEPS[1])
        link_table(con, "people_new", "link_new", name_variants())
        new_records = count(con, "SELECT count(*) FROM link_new")
        step(STEPS[2])
        _, layout = _pairs(con, present, intake, cache["link"])
        session = Session("duckdb", con, "link_in", present=present, validate=False)
        session.use_term_frequencies(_term_frequencies(con, cache["tf"]))
        step(STEPS[3])
        model = base.model
        scored, levels = session.predict_pairs(model.params, base.threshold, "incoming_pairs")
        comparisons = list(levels.labels)
        new_edges = _edges(scored, comparisons)
        step(STEPS[4])
        old_keys = sorted(
            {
                key
                for e in new_edges
                for key in (e["l"], e["r"])
                if key.split(":")[0] not in new_sources
            }
        )
        con.register("touched_keys", pa.table({"key": pa.array(old_keys, pa.string())}))
        touched_numbers = [
            int(row[0])
            for row in con.execute(
                f"SELECT DISTINCT number FROM {_cluster_numbers(cache)} "
                "WHERE key IN (SELECT key FROM touched_keys)"
            ).fetchall()
        ]
        con.unregister("touched_keys")
        touched = {
            c.number: c
            for c in Cluster.objects.filter(run=base, number__in=touched_numbers).only(
                "number", "members", "pairs", "status"
            )
        }
        old_pairs = [pair for c in touched.values() for pair in c.pairs]
        edges = new_edges + old_pairs
        same, different = _labels(intake)
        vouchers = {
            key
            for edge in edges
            if edge.get("alias")
            for key in (edge["l"], edge["r"])
            if key.startswith("NIC:")
        }
        scores = {(edge["l"], edge["r"]): edge["p"] for edge in edges}
        clusterer = Clusterer(different, scores, base.threshold, vouchers)
        old_number: dict[str, int] = {}
        for number, cluster in touched.items():
            keys = [member["key"] for member in cluster.members]
            for key in keys:
                old_number[key] = number
                clusterer.union(keys[0], key)
        for a, b in same:
            if a.split(":")[0] in new_sources or b.split(":")[0] in new_sources:
                clusterer.union(a, b)
        for edge in sorted(new_edges, key=lambda e: (-e["p"], e["l"], e["r"])):
            clusterer.link(edge["l"], edge["r"])
        groups = [
            group
            for group in clusterer.groups()
            if any(key.split(":")[0] in new_sources for key in group)
        ]
        changed = {old_number[k] for group in groups for k in group if k in old_number}
        top = Cluster.objects.filter(run=base).order_by("-number").values_list("number", flat=True)
        next_number = (top.first() or 0) + 1
        numbers = []
        for group in groups:
            olds = {old_number[k] for k in group if k in old_number}
            if olds:
                numbers.append(olds.pop())
            else:
                numbers.append(next_number)
                next_number += 1
        must = Clusterer()
        for a, b in same:
            must.union(a, b)
        members = _members_of(con, cache, groups, intake, new_lists)
        step(STEPS[5])
        mapping = _numbers(con, groups, numbers)
        new_cache = write_cache(
            con,
            intake,
            link_files=cache["link"],
            people_files=cache["people"],
            link_table="link_new",
            people_table="people_new",
            numbers=mapping,
            cluster_files=_cluster_files(cache),
            tf_counts="beacon_tf_counts",
            present=present,
        )
        if layout is not None:
            # the index is a cache of the link files: a run that fails after this leaves
            # rows of a file no run names, which no run reads
            blocking_index.add_files(con, layout, new_cache["link"][-1:])
        with transaction.atomic():
            run = LinkRun.objects.create(
                intake=intake,
                model=model,
                engine="duckdb",
                threshold=base.threshold,
                list_ids=[*base.list_ids, *(listed.pk for listed in new_lists)],
                records=base.records + new_records,
                registry_records=base.registry_records,
                pairs=base.pairs + len(new_edges),
                clusters=0,
                chains_cut=clusterer.refused,
                levels=base.levels,
                seconds=0.0,
                run_by=actor.name,
                base=base,
                cache=new_cache,
            )
            _copy_clusters(base, run, changed)
            _save_clusters(run, groups, edges, members, clusterer, must, numbers=numbers)
            run.clusters = Cluster.objects.filter(run=run).count()
            run.seconds = round(time.monotonic() - started, 3)
            run.save(update_fields=["clusters", "seconds"])
            audit.record(
                actor,
                "intake.link",
                object_type="intake.run",
                object_id=run.pk,
                detail={
                    "intake": intake.pk,
                    "engine": "duckdb",
                    "model": model.pk,
                    "incremental": True,
                    "base": base.pk,
                    "new_lists": [listed.pk for listed in new_lists],
                    "records": new_records,
                    "pairs": len(new_edges),
                    "clusters": len(groups),
                    "chains_cut": clusterer.refused,
                },
            )
    finally:
        if session is not None:
            session.close()
        con.close()
    return run


def _cluster_files(cache: dict[str, Any]) -> list[str]:
    """The cache's cluster-number files, oldest first (a single path in older caches)."""
    files = cache["clusters"]
    return [files] if isinstance(files, str) else list(files)


def _cluster_numbers(cache: dict[str, Any]) -> str:
    """A query of each clustered row's cluster number in the cached run: a later file's
    number stands over an earlier one's (each incremental run writes only its groups)."""
    files = _cluster_files(cache)
    if len(files) == 1:
        return f"read_parquet({_files(files)})"
    order = " ".join(
        f"WHEN {storage.sql_literal(storage.data_dir() / path)} THEN {i}"
        for i, path in enumerate(files)
    )
    return (
        "(SELECT key, arg_max(number, CASE filename " + order + " END) AS number "
        f"FROM read_parquet({_files(files)}, filename = true) GROUP BY key)"
    )


def _numbers(con: duckdb.DuckDBPyConnection, groups: list[list[str]], numbers: list[int]) -> str:
    """The cluster numbers this run gives: its changed and new groups' rows (the rest
    keep the base run's, read from the earlier files)."""
    keys = [key for group in groups for key in group]
    con.register(
        "beacon_new_numbers",
        pa.table(
            {
                "key": pa.array(keys, pa.string()),
                "number": pa.array(
                    [n for group, n in zip(groups, numbers, strict=True) for _ in group],
                    pa.int64(),
                ),
            }
        ),
    )
    return "beacon_new_numbers"


def _members_of(
    con: duckdb.DuckDBPyConnection,
    cache: dict[str, Any],
    groups: list[list[str]],
    intake: Intake,
    new_lists: list[SourceList],
) -> dict[str, dict[str, Any]]:
    keys = [key for group in groups for key in group]
    con.register("member_keys", pa.table({"key": pa.array(keys, pa.string())}))
    fields = ", ".join(FIELDS)
    found = con.sql(
        f"SELECT unique_id, source, line, {fields} FROM people_new "
        "WHERE unique_id IN (SELECT key FROM member_keys) UNION ALL "
        f"SELECT unique_id, source, line, {fields} FROM read_parquet({_files(cache['people'])}) "
        "WHERE unique_id IN (SELECT key FROM member_keys)"
    ).to_arrow_table()
    con.unregister("member_keys")
    sources = {str(listed.pk): listed for listed in intake.lists.all()}
    return {row["unique_id"]: member_of(row, sources) for row in found.to_pylist()}


def _copy_clusters(base: LinkRun, run: LinkRun, changed: set[int]) -> None:
    """The base run's clusters no new row touched, copied in one statement."""
    table = connection.ops.quote_name(Cluster._meta.db_table)
    columns = ("number", "status", "probability", "members", "pairs", "decided_by")
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    excluded = ", ".join(str(int(n)) for n in sorted(changed)) or "-1"
    run_id = connection.ops.quote_name("run_id")
    number = connection.ops.quote_name("number")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({run_id}, {names}) SELECT %s, {names} FROM {table} "
            f"WHERE {run_id} = %s AND {number} NOT IN ({excluded})",
            [run.pk, base.pk],
        )
