"""Linking an intake: every list against itself, the other lists and the registry.

One DuckDB session gathers the lists (Parquet) and the registry records the actor may
see, normalises them set-wise, scores pairs with the saved model (retrained first when
there is none, when asked, or when reviewers have decided pairs since it was trained),
and clusters the pairs with reviewers' decisions applied. The run and its proposed
clusters are written in one transaction with the audit event.
"""

from __future__ import annotations

import json
import math
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]
from django.db import connection, transaction

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import IllegalTransition, ValidationFailed
from beacon.intake import blocking_index, spec, storage
from beacon.intake.clustering import Clusterer
from beacon.intake.engine import Session, Training
from beacon.intake.fields import FIELDS
from beacon.intake.models import Cluster, Intake, LinkModel, LinkRun, PairLabel, SourceList
from beacon.intake.normalise import count, link_table
from beacon.records.models import MissingPersonRecord

Progress = Callable[[str], None]
STEPS = (
    "Loading lists",
    "Loading registry records",
    "Normalising",
    "Training the model",
    "Scoring pairs",
    "Clustering",
    "Saving clusters",
)
REGISTRY = "registry"
REGISTRY_FIELDS = {
    "source_id": "nic",
    "first_name": "first_name",
    "middle_name": "middle_name",
    "last_name": "last_name",
    "dob": "dob",
    "sex": "sex",
    "place": "place_last_seen",
    "nic": "nic",
    "oca": "oca",
    "ncmec_number": "ncmec_number",
}
BATCH = 500  # clusters per INSERT statement
ALIAS_MARK = "#"  # NIC:<nic>#<n>: the n-th alias row of a registry record
MAX_ALIAS_ROWS = 24  # per record: name and DOB combinations beyond this are not compared


def _quiet(step: str) -> None:
    return None


def name_variants() -> list[tuple[str, str]]:
    """(variant, canonical) pairs from the registry's name-variant table."""
    from beacon.records.variants import table

    return [(variant, canonical) for variant, forms in table().items() for canonical in forms]


def _load_lists(
    con: duckdb.DuckDBPyConnection, lists: list[SourceList], table: str = "people"
) -> None:
    fields = ", ".join(FIELDS)
    parts = []
    for listed in lists:
        path = storage.rows_path(listed.data_file, listed.data_sha256)
        parts.append(
            f"SELECT '{listed.pk}:' || line AS unique_id, '{listed.pk}' AS source, line, "
            f"{fields} FROM read_parquet({storage.sql_literal(path)})"
        )
    con.execute(f"CREATE TEMP TABLE {table} AS {' UNION ALL '.join(parts)}")


def alias_rows(
    record: dict[str, Any],
    names: list[tuple[str | None, str | None, str | None]],
    dobs: list[Any],
) -> list[dict[str, Any]]:
    """A registry record's extra comparison rows: every other combination of its names
    (primary and aliases, as (first, middle, last)) and dates of birth (primary and alias),
    each keyed ``NIC:<nic>#<n>`` and mapped back to the record after scoring."""
    own_name = (record["first_name"], record["middle_name"], record["last_name"])
    all_names = list(dict.fromkeys([own_name, *names]))
    all_dobs = list(dict.fromkeys([record["dob"], *dobs]))
    rows: list[dict[str, Any]] = []
    for name in all_names:
        for dob in all_dobs:
            if (name, dob) == (own_name, record["dob"]) or len(rows) >= MAX_ALIAS_ROWS:
                continue
            first, middle, last = name
            rows.append(
                {
                    **record,
                    "first_name": first,
                    "middle_name": middle,
                    "last_name": last,
                    "dob": dob,
                    "alias": len(rows) + 1,
                }
            )
    return rows


def _load_registry(actor: Actor, con: duckdb.DuckDBPyConnection) -> int:
    """The registry records the actor may see, each with its alias rows (alias names and
    dates of birth); returns how many records."""
    from beacon.records.models import RecordDob, RecordName

    visible = MissingPersonRecord.objects.visible_to(actor)
    records: dict[int, dict[str, Any]] = {}
    for row in visible.values("pk", *set(REGISTRY_FIELDS.values())).iterator(chunk_size=5000):
        records[row["pk"]] = {name: row[column] or None for name, column in REGISTRY_FIELDS.items()}
    if not records:
        return 0
    names: dict[int, list[tuple[str | None, str | None, str | None]]] = {}
    for pk, first, middle, last in (
        RecordName.objects.filter(record__in=visible)
        .exclude(kind=RecordName.Kind.PRIMARY)
        .order_by("pk")
        .values_list("record_id", "first_name", "middle_name", "last_name")
        .iterator(chunk_size=5000)
    ):
        names.setdefault(pk, []).append((first or None, middle or None, last or None))
    dobs: dict[int, list[Any]] = {}
    for pk, dob in (
        RecordDob.objects.filter(record__in=visible)
        .order_by("pk")
        .values_list("record_id", "dob")
        .iterator(chunk_size=5000)
    ):
        dobs.setdefault(pk, []).append(dob)
    rows: list[dict[str, Any]] = []
    for pk, record in records.items():
        rows.append({**record, "alias": 0})
        if pk in names or pk in dobs:
            rows.extend(alias_rows(record, names.get(pk, []), dobs.get(pk, [])))
    table = pa.table(
        {
            **{
                name: pa.array(
                    [row[name] for row in rows], pa.date32() if name == "dob" else pa.string()
                )
                for name in REGISTRY_FIELDS
            },
            "alias": pa.array([row["alias"] for row in rows], pa.int32()),
        }
    )
    con.register("registry_arrow", table)
    select = ", ".join(name if name in REGISTRY_FIELDS else f"NULL AS {name}" for name in FIELDS)
    con.execute(
        f"INSERT INTO people BY NAME SELECT 'NIC:' || nic || CASE WHEN alias > 0 "
        f"THEN '{ALIAS_MARK}' || alias ELSE '' END AS unique_id, "
        f"'{REGISTRY}' AS source, NULL AS line, {select} FROM registry_arrow"
    )
    con.unregister("registry_arrow")
    return len(records)


def record_key(key: str) -> str:
    """The row key an alias row stands for (``NIC:M123#2`` -> ``NIC:M123``)."""
    return key.split(ALIAS_MARK, 1)[0]


def _labels(intake: Intake) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    same: list[tuple[str, str]] = []
    different: list[tuple[str, str]] = []
    for left, right, is_same in intake.labels.values_list("left", "right", "same"):
        (same if is_same else different).append((left, right))
    return same, different


def _model(
    actor: Actor,
    session: Session,
    intake: Intake,
    retrain: bool,
    records: int,
    training: Training | None,
) -> LinkModel:
    current = (
        LinkModel.objects.filter(spec_version=spec.SPEC_VERSION)
        .order_by("-trained_at", "-pk")
        .first()
    )
    covers = current is not None and set(session.comparisons) <= set(current.params["comparisons"])
    if current is not None and covers and not retrain:
        newer = PairLabel.objects.filter(intake=intake, labelled_at__gt=current.trained_at)
        if not newer.exists():
            return current
    same, different = _labels(intake)
    params = session.train(same, training, different)
    with transaction.atomic():
        model = LinkModel.objects.create(
            params=params,
            spec_version=spec.SPEC_VERSION,
            records=records,
            labels=len(same),
            negative_labels=len(different),
            engine=session.engine,
            trained_by=actor.name,
        )
        audit.record(
            actor,
            "intake.train",
            object_type="intake.model",
            object_id=model.pk,
            detail={
                "intake": intake.pk,
                "records": records,
                "labels": len(same),
                "negative_labels": len(different),
            },
        )
    return model


def _weight(weights: list[Any] | None, adjustments: list[Any] | None, i: int) -> float:
    """A comparison's match weight (log2 Bayes factor), term-frequency adjustment included."""
    weight = float((weights[i] if weights else 0.0) or 0.0)
    weight += float((adjustments[i] if adjustments else 0.0) or 0.0)
    return round(weight, 2) if math.isfinite(weight) else (99.0 if weight > 0 else -99.0)


def _edges(scored: pa.Table, comparisons: list[str]) -> list[dict[str, Any]]:
    """Scored pairs as stored with a cluster; a registry record's alias rows count as the
    record (its strongest pair kept, marked ``"alias": true``)."""
    column = {name: scored.column(name).to_pylist() for name in scored.column_names}
    gammas = [(name, column[f"gamma_{name}"]) for name in comparisons]
    weights = {name: column.get(f"mw_{name}") for name in comparisons}
    adjustments = {name: column.get(f"mw_tf_adj_{name}") for name in comparisons}
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for i, (left, right) in enumerate(
        zip(column["unique_id_l"], column["unique_id_r"], strict=True)
    ):
        p = round(float(column["match_probability"][i]), 6)
        pair = (min(record_key(left), record_key(right)), max(record_key(left), record_key(right)))
        kept = best.get(pair)
        if kept is not None and kept["p"] >= p:
            continue
        edge: dict[str, Any] = {
            "l": pair[0],
            "r": pair[1],
            "p": p,
            "w": round(float(column["match_weight"][i]), 2),
            "g": {name: int(values[i]) for name, values in gammas},
            "b": {name: _weight(weights[name], adjustments[name], i) for name in comparisons},
        }
        if ALIAS_MARK in left or ALIAS_MARK in right:
            edge["alias"] = True
        best[pair] = edge
    return list(best.values())


def _members(
    con: duckdb.DuckDBPyConnection, groups: list[list[str]], sources: dict[str, SourceList]
) -> dict[str, dict[str, Any]]:
    keys = [key for group in groups for key in group]
    con.register("member_keys", pa.table({"key": pa.array(keys, pa.string())}))
    fields = ", ".join(FIELDS)
    found = con.sql(
        f"SELECT unique_id, source, line, {fields} FROM people "
        "WHERE unique_id IN (SELECT key FROM member_keys)"
    ).to_arrow_table()
    con.unregister("member_keys")
    return {row["unique_id"]: member_of(row, sources) for row in found.to_pylist()}


def member_of(row: dict[str, Any], sources: dict[str, Any]) -> dict[str, Any]:
    """One cluster member as stored: where it came from and the values its source gave."""
    listed = sources.get(row["source"])
    member: dict[str, Any] = {
        "key": row["unique_id"],
        "source": listed.source if listed else REGISTRY,
        "list": listed.pk if listed else None,
        "file": listed.filename if listed else "",
        "line": row["line"],
    }
    for name in FIELDS:
        value = row[name]
        if value is not None:  # only what the source gave: smaller rows to store
            member[name] = value.isoformat() if name == "dob" else value
    return member


def _accepted_by_reviewers(group: list[str], must: Clusterer) -> bool:
    roots = {must.find(key) for key in group}
    return len(roots) == 1 and must.size[roots.pop()] == len(group)


def prepare(
    actor: Actor,
    con: duckdb.DuckDBPyConnection,
    lists: list[SourceList],
    engine: str = "duckdb",
    step: Progress = _quiet,
) -> tuple[Session, int, int]:
    """The linkage input of ``lists`` and the registry records the actor may see, and a
    session on it; returns (session, registry records, records)."""
    step(STEPS[0])
    _load_lists(con, lists)
    step(STEPS[1])
    registry_count = _load_registry(actor, con)
    step(STEPS[2])
    link_table(con, "people", "link_in", name_variants())
    records = count(
        con, f"SELECT count(*) FROM link_in WHERE NOT contains(unique_id, '{ALIAS_MARK}')"
    )
    return Session(engine, con, "link_in"), registry_count, records


def link(
    actor: Actor,
    intake: Intake,
    *,
    engine: str = "duckdb",
    retrain: bool = False,
    threshold: float | None = None,
    training: Training | None = None,
    progress: Progress | None = None,
) -> LinkRun:
    policy.require(
        actor, Permission.INTAKE_MANAGE, object_type="intake.intake", object_id=intake.pk
    )
    intake = Intake.objects.get_visible(actor, pk=intake.pk)
    if intake.status != Intake.Status.OPEN:
        raise IllegalTransition("This intake was accepted; its links are final.")
    if threshold is not None and not 0 < threshold < 1:
        raise ValidationFailed.on("threshold", "must be between 0 and 1")
    threshold = threshold if threshold is not None else intake.threshold
    step = progress or _quiet
    lists = list(intake.lists.order_by("pk"))
    if not lists:
        raise ValidationFailed.on("intake", "import at least one list before linking")
    started = time.monotonic()
    con = duckdb.connect()
    session: Session | None = None
    try:
        session, registry_count, records = prepare(actor, con, lists, engine, step)
        step(STEPS[3])
        model = _model(actor, session, intake, retrain, records, training)
        step(STEPS[4])
        scored, levels = session.predict(model.params, threshold)
        comparisons = list(levels.labels)
        edges = _edges(scored, comparisons)
        step(STEPS[5])
        same, different = _labels(intake)
        # Complete linkage at the threshold: no cluster holds two rows that scored below
        # it (or were never compared), however they are chained, unless a registry
        # record's aliases vouch for both (see clustering).
        vouchers = {
            key
            for edge in edges
            if edge.get("alias")
            for key in (edge["l"], edge["r"])
            if key.startswith("NIC:")
        }
        scores = {(edge["l"], edge["r"]): edge["p"] for edge in edges}
        clusterer = Clusterer(different, scores, threshold, vouchers)
        for a, b in same:
            clusterer.union(a, b)
        for edge in sorted(edges, key=lambda e: (-e["p"], e["l"], e["r"])):
            clusterer.link(edge["l"], edge["r"])
        groups = clusterer.groups()
        must = Clusterer()
        for a, b in same:
            must.union(a, b)
        sources = {str(listed.pk): listed for listed in lists}
        members = _members(con, groups, sources)
        step(STEPS[6])
        cache = write_cache(
            con,
            intake,
            link_files=[],
            people_files=[],
            link_table="link_in",
            people_table="people",
            numbers={key: n for n, group in enumerate(groups, start=1) for key in group},
            tf_counts="",
            present=session.present,
        )
        blocking_index.build(intake.pk, session.present, cache["link"])  # for link --new
        with transaction.atomic():
            run = LinkRun.objects.create(
                intake=intake,
                model=model,
                engine=engine,
                threshold=threshold,
                list_ids=[listed.pk for listed in lists],
                records=records,
                registry_records=registry_count,
                pairs=len(edges),
                clusters=len(groups),
                chains_cut=clusterer.refused,
                levels={
                    name: {
                        "description": levels.descriptions[name],
                        "levels": {str(g): label for g, label in levels.labels[name].items()},
                    }
                    for name in comparisons
                },
                seconds=0.0,
                run_by=actor.name,
                cache=cache,
            )
            _save_clusters(run, groups, edges, members, clusterer, must)
            run.seconds = round(time.monotonic() - started, 3)
            run.save(update_fields=["seconds"])
            if registry_count:
                audit.record(
                    actor,
                    "records.read",
                    object_type="intake.run",
                    object_id=run.pk,
                    detail={
                        "purpose": "intake linkage",
                        "records": registry_count,
                        "fields": sorted(set(REGISTRY_FIELDS.values())),
                    },
                )
            audit.record(
                actor,
                "intake.link",
                object_type="intake.run",
                object_id=run.pk,
                detail={
                    "intake": intake.pk,
                    "engine": engine,
                    "model": model.pk,
                    "records": records,
                    "pairs": len(edges),
                    "clusters": len(groups),
                    "chains_cut": clusterer.refused,
                },
            )
    finally:
        if session is not None:
            session.close()
        con.close()
    return run


TF_COLUMNS = ("first_name", "middle_name", "last_name")  # spec's term-frequency columns


def write_cache(
    con: duckdb.DuckDBPyConnection,
    intake: Intake,
    *,
    link_files: list[str],
    people_files: list[str],
    link_table: str,
    people_table: str,
    numbers: dict[str, int] | str,
    cluster_files: list[str] | None = None,
    tf_counts: str,
    present: frozenset[str],
) -> dict[str, Any]:
    """Cache a run's linkage input for the next incremental run, under
    ``DATA_DIR/intake/<intake>/run-<uuid>/``: ``link_table`` (normalised rows) and
    ``people_table`` (as the sources gave them) added to the earlier runs' files, each
    row's cluster number (``numbers``: key -> number, or a table of key, number; added
    to ``cluster_files``, whose later files stand over earlier ones), and
    term-frequency counts (``tf_counts``: a table of column, value, n; empty: counted on
    ``link_table``)."""
    folder = Path(storage.FOLDER) / str(intake.pk) / f"run-{uuid.uuid4().hex}"
    target = storage.data_dir() / folder
    target.mkdir(parents=True, exist_ok=True)

    def copy(table: str, name: str) -> str:
        con.execute(f"COPY {table} TO {storage.sql_literal(target / name)} (FORMAT parquet)")
        return str(folder / name)

    table = numbers if isinstance(numbers, str) else "beacon_numbers_arrow"
    if not isinstance(numbers, str):
        con.register(
            "beacon_numbers_arrow",
            pa.table(
                {
                    "key": pa.array(list(numbers), pa.string()),
                    "number": pa.array(list(numbers.values()), pa.int64()),
                }
            ),
        )
    con.execute(f"CREATE OR REPLACE TEMP TABLE beacon_numbers AS SELECT key, number FROM {table}")
    if not tf_counts:
        counted = " UNION ALL ".join(
            f"SELECT '{c}' AS col, {c} AS value, count(*) AS n FROM {link_table} "
            f"WHERE {c} IS NOT NULL GROUP BY {c}"
            for c in TF_COLUMNS
        )
        con.execute(f"CREATE OR REPLACE TEMP TABLE beacon_tf_counts AS {counted}")
        tf_counts = "beacon_tf_counts"
    cache = {
        "link": [*link_files, copy(link_table, "link.parquet")],
        "people": [*people_files, copy(people_table, "people.parquet")],
        "clusters": [*(cluster_files or []), copy("beacon_numbers", "clusters.parquet")],
        "tf": copy(tf_counts, "tf.parquet"),
        "present": sorted(present),
    }
    if not isinstance(numbers, str):
        con.unregister("beacon_numbers_arrow")
    return cache


def _save_clusters(
    run: LinkRun,
    groups: list[list[str]],
    edges: list[dict[str, Any]],
    members: dict[str, dict[str, Any]],
    clusterer: Clusterer,
    must: Clusterer,
    first_number: int = 1,
    numbers: list[int] | None = None,
) -> None:
    by_root: dict[str, list[dict[str, Any]]] = {}
    for edge in edges:
        root = clusterer.find(edge["l"])
        if root == clusterer.find(edge["r"]):
            by_root.setdefault(root, []).append(edge)
    # One multi-row INSERT per batch, JSON encoded once: the ORM's bulk_create builds a
    # model instance and prepares every field of each of tens of thousands of clusters.
    columns = ("run_id", "number", "status", "probability", "members", "pairs", "decided_by")
    table = connection.ops.quote_name(Cluster._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    batch: list[Any] = []
    with connection.cursor() as wrapper:
        # The driver's own cursor (same placeholders): Django's DEBUG wrapper would format
        # and keep each megabyte-long statement in its query log.
        cursor = wrapper.cursor
        for i, group in enumerate(groups):
            number = numbers[i] if numbers is not None else first_number + i
            pairs = by_root.get(clusterer.find(group[0]), [])
            accepted = _accepted_by_reviewers(group, must)
            batch.extend(
                (
                    run.pk,
                    number,
                    Cluster.Status.ACCEPTED if accepted else Cluster.Status.PROPOSED,
                    min((pair["p"] for pair in pairs), default=1.0),
                    _json([members[key] for key in group]),
                    _json(pairs),
                    "",
                )
            )
            if len(batch) >= BATCH * len(columns) or i == len(groups) - 1:
                rows = len(batch) // len(columns)
                cursor.execute(
                    f"INSERT INTO {table} ({names}) VALUES {', '.join([row_sql] * rows)}", batch
                )
                batch = []


_ENCODE = json.JSONEncoder(separators=(",", ":")).encode


def _json(value: Any) -> Any:
    """A JSON column's value as the database driver takes it (text on SQLite, jsonb on
    PostgreSQL)."""
    if connection.vendor == "postgresql":
        return connection.ops.adapt_json_value(value, None)
    return _ENCODE(value)
