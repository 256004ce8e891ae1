"""Registry benchmark: bulk import rate, person-search latency and recall at scale.

    .venv/bin/python bench/registry.py                   # 1,000,000 records, SQLite and PostgreSQL
    .venv/bin/python bench/registry.py --records 50000 --db sqlite
    .venv/bin/python bench/registry.py --remeasure       # search again on the PostgreSQL registry left

For each database: a fresh, migrated database; N seeded synthetic people
(bench/synthetic_people.py) written to a CSV file and imported with
``beacon.records.imports.importer.import_records`` (the same path as ``beacon import records``);
then 1,000 queries, each a planted variant of a known person (typos, nicknames,
day/month swap, transposed names), timed in-process (the service, audit included)
and through the HTTP API (a WSGI request through the whole middleware stack), with
recall@1 and recall@10 of the true record. Then recall by error kind: 1,000 queries
with one error (each kind of bench.synthetic_people.ERROR_KINDS in turn) and 500 with
two; queries of a single field (surname, given name, DOB, year, year and month, age
range and sex); and, when bench/peoplegen (the independent generator) is there, its
people imported into the same registry and its queries (held-out seed) with one and two
errors (``independent_*``). Writes bench/results/registry-<db>.json.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench.synthetic_people import (  # noqa: E402
    ERROR_KINDS,
    Person,
    Variant,
    generate_people,
    make_error_queries,
    make_variants,
)

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
AGENCIES = [
    ("NM0070100", "Las Cruces Police Department"),
    ("NM0070200", "Sunland Park Police Department"),
    ("NM0070300", "Dona Ana County Sheriff's Office"),
    ("NMNSP0000", "New Mexico State Police"),
    ("TX0710000", "El Paso Police Department"),
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def write_csv(people: list[Person], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, delimiter=";")
        out.writerow(
            [
                "category",
                "last_name",
                "first_name",
                "middle_name",
                "sex",
                "dob",
                "dlc",
                "oca",
                "originating_ori",
                "circumstances",
                "notes",
                "place_last_seen",
            ]
        )
        for p in people:
            out.writerow(
                [
                    p.category,
                    p.last_name,
                    p.first_name,
                    p.middle_name,
                    p.sex,
                    p.dob.isoformat(),
                    p.dlc.isoformat(),
                    f"B{p.pid:09d}",
                    AGENCIES[p.pid % len(AGENCIES)][0],
                    "non_family_abduction" if p.category == "EMI" else "runaway",
                    "synthetic" if p.category in ("EME", "EMD") else "",
                    "synthetic",
                ]
            )


def kept_registry(db: str, tune: bool) -> tuple[Path, str]:
    """Where a run leaves its registry for ``--remeasure``: the SQLite work directory and
    the PostgreSQL database name (apart for ``--tune`` runs, so a tuning registry, built
    with the independent generator's development seed, never replaces the reported one)."""
    suffix = "-tune" if tune else ""
    return (
        Path(tempfile.gettempdir()) / f"beacon-bench-registry-{db}{suffix}",
        "beacon_bench_registry" + suffix.replace("-", "_"),
    )


def setup_django(db: str, workdir: Path, name: str = "beacon_bench_registry") -> None:
    os.environ["BEACON_MODE"] = "development"
    os.environ["BEACON_DATA_DIR"] = str(workdir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "beacon.settings"
    if db == "postgresql":
        subprocess.run(
            ["psql", PG_SERVER + "/postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True
        )
        subprocess.run(
            ["psql", PG_SERVER + "/postgres", "-qc", f"CREATE DATABASE {name}"], check=True
        )
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{name}"
    else:
        os.environ.pop("DATABASE_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def query_of(v: Variant) -> Any:
    from beacon.records.search import SearchQuery

    return SearchQuery(last_name=v.last_name, first_name=v.first_name, dob=v.dob, sex=v.sex)


def error_recall(
    find: Any, visible: Any, queries: list[Variant], pid_of_nic: dict[str, int], ms: list[float]
) -> dict[str, Any]:
    """recall@1 and @10 of queries with planted errors, overall and by error kind (a query
    with two errors counts under each of its kinds); each search's time appended to ``ms``."""
    at1 = at10 = tied = 0
    by_kind: dict[str, list[tuple[int, int]]] = {}
    missed: list[str] = []
    for v in queries:
        t = time.perf_counter()
        hits = find(visible, query_of(v))
        ms.append((time.perf_counter() - t) * 1000)
        ranked = [pid_of_nic.get(h.nic) for h in hits]
        found1 = int(bool(ranked) and ranked[0] == v.pid)
        found10 = int(v.pid in ranked[:10])
        tied += tied_first(hits, ranked, v.pid)
        at1 += found1
        at10 += found10
        for kind in v.kinds:
            by_kind.setdefault(kind, []).append((found1, found10))
        if not found10 and len(missed) < 12:
            missed.append(f"{'+'.join(v.kinds)}: {v.last_name}, {v.first_name} {v.dob}")
    n = max(1, len(queries))
    return {
        "queries": len(queries),
        "recall_at_1": round(at1 / n, 4),
        "recall_at_10": round(at10 / n, 4),
        "tied_at_1": round(tied / n, 4),
        "by_kind": {
            k: {
                "queries": len(by_kind[k]),
                "recall_at_1": round(sum(a for a, _ in by_kind[k]) / len(by_kind[k]), 4),
                "recall_at_10": round(sum(b for _, b in by_kind[k]) / len(by_kind[k]), 4),
            }
            for k in ERROR_KINDS
            if k in by_kind
        },
        "missed_examples": missed,
    }


def tied_first(hits: list[Any], ranked: list[int | None], pid: int) -> int:
    """1 when the person sought is not ranked first but scores the same as the first hit:
    the query cannot tell them apart (namesakes without a DOB, a changed surname against
    a namesake born a slip away), and which comes first is the NIC order's choice."""
    if not hits or ranked[0] == pid or pid not in ranked:
        return 0
    return int(hits[ranked.index(pid)].score == hits[0].score)


def statements_per_search(find: Any, visible: Any, queries: list[Any]) -> dict[str, float]:
    """Statements each search sends to the database (a separate, untimed pass)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for q in queries:
        with CaptureQueriesContext(connection) as captured:
            find(visible, q)
        counts.append(len(captured.captured_queries))
    return {
        "searches": len(counts),
        "mean": round(statistics.mean(counts), 3),
        "max": max(counts),
        "share_with_two_rounds": round(sum(c > 1 for c in counts) / len(counts), 4),
    }


def single_field_answers(
    find: Any, visible: Any, people: list[Person], pid_of_nic: dict[str, int], seed: int
) -> dict[str, Any]:
    """Queries of one field (or one partial field): the share answered with at least one
    hit, the share whose 10 hits include the person the field was taken from where that
    can be expected (DOB only), and the p99 time."""
    import random

    from beacon.records.search import SearchQuery

    rng = random.Random(seed)
    sample = rng.sample(people, min(100, len(people)))
    shapes = {
        "surname_only": lambda p: SearchQuery(last_name=p.last_name),
        "first_name_only": lambda p: SearchQuery(first_name=p.first_name),
        "dob_only": lambda p: SearchQuery(dob=p.dob, limit=100),
        "birth_year_only": lambda p: SearchQuery(birth_year=p.dob.year),
        "birth_year_month_only": lambda p: SearchQuery(
            birth_year=p.dob.year, birth_month=p.dob.month
        ),
        "age_range_and_sex": lambda p: SearchQuery(age_min=12, age_max=14, sex=p.sex),
        "surname_and_birth_year": lambda p: SearchQuery(
            last_name=p.last_name, birth_year=p.dob.year, limit=100
        ),
    }
    out: dict[str, Any] = {}
    for name, shape in shapes.items():
        answered = found = 0
        ms: list[float] = []
        try:
            shape(sample[0])
        except TypeError:  # a query field this version of the search does not have
            out[name] = "not supported"
            continue
        for p in sample:
            t = time.perf_counter()
            hits = find(visible, shape(p))
            ms.append((time.perf_counter() - t) * 1000)
            answered += bool(hits)
            found += p.pid in [pid_of_nic.get(h.nic) for h in hits]
        out[name] = {
            "answered": round(answered / len(sample), 4),
            "person_among_hits": round(found / len(sample), 4),
            "p99_ms": round(percentile(ms, 99), 2),
        }
    return out


def run(
    db: str, n: int, queries: int, seed: int, independent_seed: int, tune: bool = False
) -> dict[str, Any]:
    """Import, then measure. The registry is left for ``--remeasure`` (the SQLite work
    directory and the PostgreSQL database of ``kept_registry``), replaced by the next run."""
    workdir, name = kept_registry(db, tune)
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    try:
        setup_django(db, workdir, name)
        from django.db import connection
        from django.test import Client

        from beacon.agencies.models import Agency
        from beacon.core.actor import system_actor
        from beacon.records import search as engine
        from beacon.records.imports.importer import import_records
        from beacon.records.services import search_records

        for ori, name in AGENCIES:
            Agency.objects.get_or_create(ori=ori, defaults={"name": name, "kind": "local"})
        actor = system_actor(via="cli")

        t = time.perf_counter()
        people = generate_people(n, seed=seed)
        path = workdir / "records.csv"
        write_csv(people, path)
        print(
            f"[{db}] generated {n:,} people and wrote the CSV in {time.perf_counter() - t:.1f}s",
            flush=True,
        )

        phases: dict[str, float] = {}
        load_at_start = [round(x, 2) for x in os.getloadavg()]
        started = time.perf_counter()

        def progress(phase: str, done: int, total: int) -> None:
            if done >= total and phase not in phases:  # the end of each phase
                phases[phase] = round(time.perf_counter() - started - sum(phases.values()), 1)

        result = import_records(actor, path, progress=progress)
        print(
            f"[{db}] imported {result.records:,} records in {result.seconds:.1f}s "
            f"= {result.records_per_s:,.0f} records/s",
            flush=True,
        )
        pid_of_nic = {nic: i for i, nic in enumerate(result.nics)}
        # The harness holds a million Person objects; freeze them so the collector's full
        # passes over the harness's own heap do not land inside the timed searches.
        gc.collect()
        gc.freeze()
        # The state the searches meet once autovacuum has seen the import (PostgreSQL:
        # visibility map set, so the key lookup's index-only scan does not visit the heap;
        # statistics on both databases).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")

        variants = make_variants(people, queries, seed=seed + 1)
        from beacon.records.models import MissingPersonRecord

        visible = MissingPersonRecord.objects.all()
        for v in variants[:20]:  # warm caches
            engine.find(visible, query_of(v))

        one_error = make_error_queries(people, queries, seed=seed + 2, errors=1)
        two_errors = make_error_queries(people, queries // 2, seed=seed + 3, errors=2)
        error_ms: list[float] = []
        for v in one_error[:20]:  # warm the name caches of this set too
            engine.find(visible, query_of(v))
        one = error_recall(engine.find, visible, one_error, pid_of_nic, error_ms)
        two = error_recall(engine.find, visible, two_errors, pid_of_nic, error_ms)
        single = single_field_answers(engine.find, visible, people, pid_of_nic, seed + 4)

        service_ms: list[float] = []
        engine_ms: list[float] = []
        at1 = at10 = 0
        by_kind: dict[str, list[int]] = {}
        # The search alone first, then the audited service: each audited search wakes the
        # audit chainer thread of this process about 50 ms after its commit, and a timed
        # search interleaved with them would time that background work too (it overlapped
        # 14% of the searches on SQLite and 36-41% on PostgreSQL when interleaved).
        load_before_search = [round(x, 2) for x in os.getloadavg()]
        for v in variants:
            q = query_of(v)
            t = time.perf_counter()
            engine.find(visible, q)
            engine_ms.append((time.perf_counter() - t) * 1000)
        load_after_search = [round(x, 2) for x in os.getloadavg()]
        for v in variants:
            q = query_of(v)
            t = time.perf_counter()
            hits = search_records(actor, q)
            service_ms.append((time.perf_counter() - t) * 1000)
            ranked = [pid_of_nic.get(h.nic) for h in hits]
            found1 = int(bool(ranked) and ranked[0] == v.pid)
            found10 = int(v.pid in ranked[:10])
            at1 += found1
            at10 += found10
            for kind in v.kinds:
                by_kind.setdefault(kind, []).append(found10)

        # The API answers only signed-in users or tokens: a hub coordinator's token.
        from beacon.access import services as accounts
        from beacon.access import tokens

        coordinator = accounts.create_user(
            actor,
            "bench",
            "bench passphrase 2026",
            Agency.objects.get(ori=AGENCIES[0][0]),
            "hub_coordinator",
        )
        _token, raw = tokens.create_token(accounts.actor_of_user(coordinator), "bench")
        client = Client(headers={"Authorization": f"Bearer {raw}"})
        api_ms: list[float] = []
        for i, v in enumerate(variants):
            body = {
                "last_name": v.last_name,
                "first_name": v.first_name,
                "dob": v.dob.isoformat(),
                "sex": v.sex,
            }
            t = time.perf_counter()
            response = client.post("/api/records/search", body, content_type="application/json")
            elapsed = (time.perf_counter() - t) * 1000
            if response.status_code != 200:
                raise SystemExit(
                    f"API search answered {response.status_code}: {response.content[:300]!r}"
                )
            if i >= 20:
                api_ms.append(elapsed)
        load_after_api = [round(x, 2) for x in os.getloadavg()]
        statements = statements_per_search(
            engine.find, visible, [query_of(v) for v in one_error + two_errors]
        )

        independent = independent_recall(engine.find, visible, actor, n, queries, independent_seed)
        probe = engine.probe(query_of(variants[0]))
        plan = engine.explain_key_lookup(sorted(probe.tight))
        out: dict[str, Any] = {
            "db": db,
            "records": result.records,
            "records_per_s": round(result.records_per_s),
            "import_seconds": round(result.seconds, 1),
            "import_phase_seconds": phases,
            "queries": len(variants),
            # the search itself, in-process (what the targets and the references measure)
            "search_p50_ms": round(statistics.median(engine_ms), 2),
            "search_p99_ms": round(percentile(engine_ms, 99), 2),
            # 1-, 5- and 15-minute load averages before and after the timed searches, and
            # after the API pass (a shared machine: timings under load are not the idle's)
            "load_average_search": [load_before_search, load_after_search],
            "load_average_api": load_after_api,
            "statements_per_search": statements,
            # the service an officer calls: search + its audit event, committed (fsync)
            "search_audited_p50_ms": round(statistics.median(service_ms), 2),
            "search_audited_p99_ms": round(percentile(service_ms, 99), 2),
            "api_search_p50_ms": round(statistics.median(api_ms), 2),
            "api_search_p99_ms": round(percentile(api_ms, 99), 2),
            "recall_at_1": round(at1 / len(variants), 4),
            "recall_at_10": round(at10 / len(variants), 4),
            "recall_at_10_by_variant": {
                k: round(sum(x) / len(x), 4) for k, x in sorted(by_kind.items())
            },
            # queries with one planted error of each kind in turn (ERROR_KINDS), and with two
            "recall_at_1_one_error": one["recall_at_1"],
            "recall_at_10_one_error": one["recall_at_10"],
            "recall_at_1_two_errors": two["recall_at_1"],
            "recall_at_10_two_errors": two["recall_at_10"],
            # the person sought scored as high as the first hit (ties the query cannot break)
            "tied_at_1_one_error": one["tied_at_1"],
            "tied_at_1_two_errors": two["tied_at_1"],
            "recall_by_error_kind": one["by_kind"],
            "recall_by_error_kind_two_errors": two["by_kind"],
            "missed_one_error": one["missed_examples"],
            "error_queries": {"one_error": one["queries"], "two_errors": two["queries"]},
            "error_search_p50_ms": round(statistics.median(error_ms), 2),
            "error_search_p99_ms": round(percentile(error_ms, 99), 2),
            "single_field": single,
            **independent,
            "key_lookup_plan": plan,
            "seed": seed,
            "machine": {"cpus": os.cpu_count()},
            "cpu_count": os.cpu_count(),
            # 1-, 5- and 15-minute load averages when the import started and at the end
            # (the machine is shared: figures under load are not the idle machine's).
            "load_average_at_start": load_at_start,
            "load_average": [round(x, 2) for x in os.getloadavg()],
        }
        return out
    finally:
        _settle_audit_chainer()
        (workdir / "records.csv").unlink(missing_ok=True)


def independent_recall(
    find: Any, visible: Any, actor: Any, n: int, queries: int, seed: int
) -> dict[str, Any]:
    """Recall on the independent generator (bench/peoplegen, with ``seed``: its held-out
    seed for reported figures, a development seed while tuning): its ``n`` people imported
    into the same registry (so searched among 2n records), then its queries with one and
    with two errors. Empty when bench/peoplegen is not there."""
    try:
        from bench import peoplegen
    except ImportError:
        return {"independent": "bench/peoplegen not found: not measured"}
    from beacon.records.imports.importer import import_records
    from beacon.records.models import MissingPersonRecord

    people = peoplegen.generate_people(n, seed=seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "independent.csv"
        peoplegen.write_registry_csv(people, path)
        # The importer refuses a typographic apostrophe in a name (D\u2019Alia): written
        # as ' here, and counted, so the figure says what was changed.
        text = path.read_text(encoding="utf-8")
        apostrophes = text.count("\u2019")
        path.write_text(text.replace("\u2019", "'"), encoding="utf-8")
        imported = import_records(actor, path)
    out: dict[str, Any] = {
        "independent_generator": "bench/peoplegen, "
        + ("HELD_OUT_SEED" if seed == peoplegen.HELD_OUT_SEED else f"development seed {seed}"),
        "independent_records": imported.records,
        "independent_searched_among": MissingPersonRecord.objects.count(),
        "independent_apostrophes_replaced": apostrophes,
    }
    return out | independent_query_recall(find, visible, people, queries, seed)


def independent_query_recall(
    find: Any, visible: Any, people: list[Any], queries: int, seed: int
) -> dict[str, Any]:
    """recall@1 and @10 of the independent generator's queries (``seed``) with one and
    two errors, its people already imported (OCA ``PG`` + person id)."""
    from beacon.records.models import MissingPersonRecord
    from beacon.records.search import SearchQuery
    from bench import peoplegen

    pid_of_nic = {
        nic: int(oca[2:])
        for nic, oca in MissingPersonRecord.objects.filter(oca__startswith="PG").values_list(
            "nic", "oca"
        )
    }
    out: dict[str, Any] = {}
    ms: list[float] = []
    for errors, label in ((1, "one_error"), (2, "two_errors")):
        made = peoplegen.make_queries(people, queries if errors == 1 else queries // 2,
                                      errors=errors, seed=seed)  # fmt: skip
        at1 = at10 = tied = 0
        by_kind: dict[str, list[tuple[int, int]]] = {}
        asked = 0
        for v in made:
            q = SearchQuery(
                last_name=v.last_name,
                first_name=v.first_name,
                dob=v.dob,
                sex=v.sex if v.sex in ("M", "F") else "",
            )
            if not (q.last_name.strip() or q.first_name.strip() or q.dob):
                continue  # every searchable field missing: nothing to search by
            asked += 1
            t = time.perf_counter()
            hits = find(visible, q)
            ms.append((time.perf_counter() - t) * 1000)
            ranked = [pid_of_nic.get(h.nic) for h in hits]
            found1, found10 = int(ranked[:1] == [v.pid]), int(v.pid in ranked[:10])
            tied += tied_first(hits, ranked, v.pid)
            at1 += found1
            at10 += found10
            for kind in v.kinds:
                by_kind.setdefault(kind, []).append((found1, found10))
        out[f"independent_recall_at_1_{label}"] = round(at1 / max(1, asked), 4)
        out[f"independent_recall_at_10_{label}"] = round(at10 / max(1, asked), 4)
        out[f"independent_tied_at_1_{label}"] = round(tied / max(1, asked), 4)
        out[f"independent_recall_by_error_kind_{label}"] = {
            k: {
                "queries": len(f),
                "recall_at_1": round(sum(a for a, _ in f) / len(f), 4),
                "recall_at_10": round(sum(b for _, b in f) / len(f), 4),
            }
            for k, f in sorted(by_kind.items())
        }
    out["independent_search_p50_ms"] = round(statistics.median(ms), 2)
    out["independent_search_p99_ms"] = round(percentile(ms, 99), 2)
    return out


def remeasure(
    n: int,
    queries: int,
    seed: int,
    independent_seed: int,
    db: str = "postgresql",
    tune: bool = False,
) -> dict[str, Any]:
    """The search figures of ``run`` (recall by error kind on both generators, in-process
    latency) measured again, with the code as it is now, on a registry a previous run
    left (PostgreSQL keeps beacon_bench_registry until the next run drops it): its people
    are generated again from the same seeds, so no import is timed or repeated."""
    os.environ["BEACON_MODE"] = "development"
    os.environ["DJANGO_SETTINGS_MODULE"] = "beacon.settings"
    workdir, name = kept_registry(db, tune)
    if db == "postgresql":
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{name}"
        os.environ.setdefault("BEACON_DATA_DIR", tempfile.mkdtemp(prefix="beacon-bench-remeasure-"))
    else:
        if not (workdir / "beacon.sqlite3").exists():
            raise SystemExit(f"no registry left in {workdir}: run without --remeasure first")
        os.environ.pop("DATABASE_URL", None)
        os.environ["BEACON_DATA_DIR"] = str(workdir)
    import django

    django.setup()
    from beacon.records import search as engine
    from beacon.records.models import MissingPersonRecord
    from bench import peoplegen

    people = generate_people(n, seed=seed)
    pid_of_nic = {
        nic: int(oca[1:])
        for nic, oca in MissingPersonRecord.objects.filter(oca__startswith="B").values_list(
            "nic", "oca"
        )
    }
    gc.collect()
    gc.freeze()
    visible = MissingPersonRecord.objects.all()
    variants = make_variants(people, queries, seed=seed + 1)
    for v in variants[:20]:
        engine.find(visible, query_of(v))
    load_before = [round(x, 2) for x in os.getloadavg()]
    engine_ms: list[float] = []
    cpu_ms: list[float] = []  # this process's CPU time (the database server's not counted)
    for v in variants:
        q = query_of(v)
        t, c = time.perf_counter(), time.process_time()
        engine.find(visible, q)
        engine_ms.append((time.perf_counter() - t) * 1000)
        cpu_ms.append((time.process_time() - c) * 1000)
    error_ms: list[float] = []
    one = error_recall(
        engine.find,
        visible,
        make_error_queries(people, queries, seed=seed + 2, errors=1),
        pid_of_nic,
        error_ms,
    )
    two = error_recall(
        engine.find,
        visible,
        make_error_queries(people, queries // 2, seed=seed + 3, errors=2),
        pid_of_nic,
        error_ms,
    )
    independent = independent_query_recall(
        engine.find,
        visible,
        peoplegen.generate_people(n, seed=independent_seed),
        queries,
        independent_seed,
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    return {
        "commit": commit,
        "records": MissingPersonRecord.objects.count(),
        "search_p50_ms": round(statistics.median(engine_ms), 2),
        "search_p99_ms": round(percentile(engine_ms, 99), 2),
        "search_cpu_p50_ms": round(statistics.median(cpu_ms), 2),
        "search_cpu_p99_ms": round(percentile(cpu_ms, 99), 2),
        "db": db,
        "independent_seed": "HELD_OUT_SEED" if not tune else f"development seed {independent_seed}",
        "recall_at_1_one_error": one["recall_at_1"],
        "recall_at_10_one_error": one["recall_at_10"],
        "recall_at_1_two_errors": two["recall_at_1"],
        "recall_at_10_two_errors": two["recall_at_10"],
        "tied_at_1_one_error": one["tied_at_1"],
        "tied_at_1_two_errors": two["tied_at_1"],
        "recall_by_error_kind": one["by_kind"],
        "recall_by_error_kind_two_errors": two["by_kind"],
        "error_search_p50_ms": round(statistics.median(error_ms), 2),
        "error_search_p99_ms": round(percentile(error_ms, 99), 2),
        **independent,
        "load_average_search": [load_before, [round(x, 2) for x in os.getloadavg()]],
    }


def _settle_audit_chainer() -> None:
    """Chain what the run left and let the chainer thread see it before the database goes
    (otherwise it wakes on the last commit and finds the work directory removed)."""
    import atexit
    import time

    from django.db import connections

    from beacon.audit import wake

    wake.chain_until_clear(wait=True)  # logs, never raises, when the database is not there
    atexit.unregister(wake._chain_at_exit)  # its database is about to be removed
    time.sleep(2 * wake.COALESCE_SECONDS + 0.1)
    connections.close_all()


def table(r: dict[str, Any]) -> str:
    rows = (
        [
            ("database", r["db"]),
            ("records", f"{r['records']:,}"),
            ("import (records/s)", f"{r['records_per_s']:,}"),
            ("search p50 / p99 (ms, in-process)", f"{r['search_p50_ms']} / {r['search_p99_ms']}"),
            (
                "  with audit, committed p50 / p99 (ms)",
                f"{r['search_audited_p50_ms']} / {r['search_audited_p99_ms']}",
            ),
            ("API search p50 / p99 (ms)", f"{r['api_search_p50_ms']} / {r['api_search_p99_ms']}"),
            ("recall@1 / recall@10", f"{r['recall_at_1']} / {r['recall_at_10']}"),
            (
                "one error: recall@1 / recall@10",
                f"{r['recall_at_1_one_error']} / {r['recall_at_10_one_error']}",
            ),
            (
                "two errors: recall@1 / recall@10",
                f"{r['recall_at_1_two_errors']} / {r['recall_at_10_two_errors']}",
            ),
            (
                "  ties at 1 (one error; two errors)",
                f"{r['tied_at_1_one_error']}; {r['tied_at_1_two_errors']}",
            ),
            ("statements per search (mean, max)", f"{r['statements_per_search']}"),
            (
                "error queries p50 / p99 (ms)",
                f"{r['error_search_p50_ms']} / {r['error_search_p99_ms']}",
            ),
            (
                "independent generator, one error: @1 / @10",
                f"{r.get('independent_recall_at_1_one_error')} / "
                f"{r.get('independent_recall_at_10_one_error')}",
            ),
            (
                "independent generator, two errors: @1 / @10",
                f"{r.get('independent_recall_at_1_two_errors')} / "
                f"{r.get('independent_recall_at_10_two_errors')}",
            ),
            ("load average (start; end)", f"{r['load_average_at_start']}; {r['load_average']}"),
        ]
        + [
            (f"  one error {k}: @1 / @10", f"{v['recall_at_1']} / {v['recall_at_10']}")
            for k, v in r["recall_by_error_kind"].items()
        ]
        + [
            (f"  {k}: answered, person among hits", f"{v['answered']}, {v['person_among_hits']}")
            for k, v in r["single_field"].items()
            if isinstance(v, dict)
        ]
    )
    width = max(len(a) for a, _ in rows)
    return "\n".join(f"{a.ljust(width)}  {b}" for a, b in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20210501)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument(
        "--tune",
        action="store_true",
        help="the independent generator with its first development seed, not the held-out "
        "one (for tuning: the figures are printed, not written to bench/results)",
    )
    parser.add_argument(
        "--remeasure",
        action="store_true",
        help="measure the search again on the registry the last run on --db left (same "
        "seeds and size, --tune for the tuning registry), and add the figures to "
        "registry-<db>.json as 'remeasured' (the run's own figures kept; with --tune "
        "printed only)",
    )
    args = parser.parse_args()
    if args.remeasure:
        try:
            from bench.peoplegen import DEV_SEEDS as dev_seeds
            from bench.peoplegen import HELD_OUT_SEED as held_out
        except ImportError:
            dev_seeds, held_out = (0,), 0
        db = "postgresql" if args.db == "both" else args.db
        figures = remeasure(
            args.records,
            args.queries,
            args.seed,
            dev_seeds[0] if args.tune else held_out,
            db,
            args.tune,
        )
        print(json.dumps(figures, indent=2))
        if args.tune:
            return
        target = args.out / f"registry-{db}.json"
        saved = json.loads(target.read_text()) if target.exists() else {}
        saved["remeasured"] = figures
        target.write_text(json.dumps(saved, indent=2) + "\n")
        print(f"wrote {target}")
        return
    if args.db == "both":  # one process per database: Django is configured once per process
        failed = 0
        for db in ("sqlite", "postgresql"):
            failed += subprocess.call(
                [
                    sys.executable,
                    __file__,
                    "--db",
                    db,
                    "--records",
                    str(args.records),
                    "--queries",
                    str(args.queries),
                    "--seed",
                    str(args.seed),
                    "--out",
                    str(args.out),
                    *(["--tune"] if args.tune else []),
                ]
            )
        raise SystemExit(1 if failed else 0)
    try:
        from bench.peoplegen import DEV_SEEDS, HELD_OUT_SEED
    except ImportError:
        DEV_SEEDS, HELD_OUT_SEED = (0,), 0
    independent_seed = DEV_SEEDS[0] if args.tune else HELD_OUT_SEED
    result = run(args.db, args.records, args.queries, args.seed, independent_seed, args.tune)
    print(table(result))
    if args.tune:
        return
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / f"registry-{args.db}.json"
    target.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
