"""Time to build and render the results report of an operation with 100,000 field events.

    .venv/bin/python bench/reports.py [--events 100000] [--runs 9] [--db sqlite|postgresql|both]

A fresh database (SQLite, PostgreSQL or each in turn, the default) gets one operation with
``--events`` field events (arrests, victims, services, search warrants, raids,
investigations, seizures) spread over 60 counties in 6 states and 12 agencies, 200
aggregate counts and 120 reported figures at every level (operation, state, county,
judicial district, agency; interim and final, three publishers). Then the report is built
(the grouped facts, the NIBRS summary, the comparisons of every figure, the places table)
and rendered to Markdown in English and French, ``--runs`` times each; the median of
those runs is ``report_100k_events_ms`` (budget: 200 ms), for SQLite in
``bench/results/reports.json`` and for PostgreSQL in ``reports-postgresql.json``.
Beside it: the median of each part (grouped facts, NIBRS summary, the rest of the build,
rendering), the process's CPU time and the load average before and after, since a
loaded machine stretches the wall time several times over.

The rows are written with bulk inserts (the bundle importer's own write path for events).
PostgreSQL then gets ``VACUUM (ANALYZE)``, the state autovacuum leaves an import in
(statistics, and the visibility map that lets the report's counts read their indexes
alone); SQLite is left as Beacon leaves it (no ANALYZE: its plans come from the indexes).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
STATES = ("MO", "KS", "IL", "IA", "NE", "OK")


def build(events: int) -> str:
    from beacon.agencies.models import Agency, Jurisdiction
    from beacon.geo import places
    from beacon.operations import models as m

    states = {s: Jurisdiction.objects.get(kind="state", abbreviation=s) for s in STATES}
    counties = []
    for state in states.values():
        counties += list(
            Jurisdiction.objects.filter(kind="county", parent=state).order_by("code")[:10]
        )
    agencies = [
        Agency.objects.create(ori=f"{STATES[i % 6]}BNCH{i:03d}", name=f"Bench Agency {i}",
                              kind="local", country="US")
        for i in range(12)
    ]  # fmt: skip
    op = m.Operation.objects.create(code="BENCH-100K", name="Operation Bench", status="closed",
                                    start=datetime(2024, 1, 1).date(),
                                    end=datetime(2024, 3, 31).date())  # fmt: skip
    for state in states.values():
        op.jurisdictions.add(state)
    for i, agency in enumerate(agencies):
        m.Participation.objects.create(
            operation=op, agency=agency, role="lead" if i == 0 else "partner"
        )
    people = m.Person.objects.bulk_create(
        [m.Person(ref=f"bench-p-{i}", last_name="Bench", sex="U") for i in range(events)],
        batch_size=2000,
    )
    start = datetime(2024, 1, 1, tzinfo=UTC)
    shares = (
        ("arrests", 0.40),
        ("victims", 0.20),
        ("services", 0.10),
        ("warrants", 0.10),
        ("raids", 0.10),
        ("investigations", 0.05),
        ("seizures", 0.05),
    )
    made = 0
    for kind, share in shares:
        n = int(events * share)
        rows = []
        for j in range(n):
            i = made + j
            common = {
                "operation": op,
                "agency": agencies[i % 12],
                "jurisdiction": counties[i % len(counties)],
                "at": start + timedelta(minutes=i),
                "ref": f"{kind}-{j}",
            }
            if kind == "arrests":
                role = ("buyer", "trafficker", "buyer_seeking_minor", "seller", "other")[i % 5]
                rows.append(m.Arrest(person=people[i], role=role, **common))
            elif kind == "victims":
                group = ("minor", "adult")[i % 2]
                age = 15 if group == "minor" else 25
                rows.append(
                    m.Victim(person=people[i], age_group=group, age_min=age, age_max=age, **common)
                )
            elif kind == "services":
                rows.append(
                    m.Service(person=people[i], kind=("medical", "screening")[i % 2], **common)
                )
            elif kind == "warrants":
                rows.append(m.SearchWarrant(**common))
            elif kind == "raids":
                rows.append(m.Raid(kind="hotel", **common))
            elif kind == "investigations":
                rows.append(m.Investigation(type="human_trafficking", **common))
            else:
                rows.append(
                    m.Seizure(cash_amount=Decimal(100), currency="USD", devices=1, **common)
                )
        model = type(rows[0])
        model.objects.bulk_create(rows, batch_size=2000)
        made += n
    m.Count.objects.bulk_create(
        [
            m.Count(operation=op, ref=f"c-{i}", metric="officers_deployed", value=Decimal(10),
                    jurisdiction=counties[i % len(counties)])
            for i in range(200)
        ]
    )  # fmt: skip
    district = places.ensure("district", "KS")
    figures = []
    for i in range(120):
        where = [None, states["MO"], counties[i % len(counties)], district][i % 4]
        figures.append(
            m.ReportedFigure(
                ref=f"bench-f-{i}",
                operation=op,
                metric=("arrests", "victims_rescued", "search_warrants", "officers_deployed")[
                    i % 4
                ],
                value=Decimal(100 + i),
                qualifier=("exact", "nearly", "more_than")[i % 3],
                scope="jurisdiction" if where else ("agency" if i % 7 == 0 else "operation"),
                jurisdiction=where,
                agency=agencies[i % 12] if (where is None and i % 7 == 0) else None,
                status=("interim", "final")[i % 2],
                source_name=("FBI", "DOJ", "State AG")[i % 3],
                source_date=datetime(2024, 4, 1 + i % 20).date(),
            )
        )
    m.ReportedFigure.objects.bulk_create(figures)
    return op.code


PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def setup_django(db: str, workdir: Path) -> str | None:
    """Configure Django on a fresh, migrated database; the PostgreSQL database's name."""
    os.environ["BEACON_MODE"] = "development"
    os.environ["BEACON_DATA_DIR"] = str(workdir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "beacon.settings"
    name = None
    if db == "postgresql":
        name = f"beacon_bench_reports_{os.getpid()}"
        subprocess.run(
            ["psql", f"{PG_SERVER}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True
        )
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{name}"
    else:
        os.environ.pop("DATABASE_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return name


def timed_parts() -> dict[str, list[float]]:
    """Wrap the report's two big reads so each run's time in them is kept (milliseconds):
    the grouped facts (reports.aggregate.tally_cells) and the NIBRS summary."""
    from beacon.operations.reports import compute

    parts: dict[str, list[float]] = {"facts": [], "nibrs": []}

    def wrap(module: Any, name: str, part: str) -> None:
        inner = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                parts[part].append((time.perf_counter() - started) * 1000)

        setattr(module, name, timed)

    wrap(compute, "tally_cells", "facts")
    wrap(compute, "summarise_offenses", "nibrs")  # operations.nibrs, as compute holds it
    return parts


def run(db: str, events: int, runs: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="beacon-bench-reports-"))
    name = setup_django(db, workdir)
    try:
        measure(db, events, runs)
    finally:
        if name:
            _settle_audit_chainer()
            subprocess.run(
                ["psql", f"{PG_SERVER}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"],
                check=False,
            )


def _settle_audit_chainer() -> None:
    """Chain what the run left and let the chainer thread see it before the database goes
    (otherwise it wakes on the last commit and finds the database dropped)."""
    import atexit

    from django.db import connections

    from beacon.audit import wake

    wake.chain_until_clear(wait=True)  # logs, never raises, when the database is not there
    atexit.unregister(wake._chain_at_exit)  # its database is about to be removed
    time.sleep(2 * wake.COALESCE_SECONDS + 0.1)
    connections.close_all()


def measure(db: str, events: int, runs: int) -> None:
    from django.db import connection

    from beacon.core.actor import system_actor
    from beacon.operations.reports.compute import build_report
    from beacon.operations.reports.render import render

    t = time.perf_counter()
    code = build(events)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")  # what autovacuum does after an import
    print(
        f"[{db}] built an operation of {events:,} field events in {time.perf_counter() - t:.1f} s"
    )
    actor = system_actor()
    parts = timed_parts()
    timings: dict[str, list[float]] = {"en": [], "fr": []}
    cpu: list[float] = []
    build_only: list[float] = []
    rendering: list[float] = []
    for lang in ("en", "fr"):
        render(build_report(actor, code, lang=lang), "md", lang)  # first use: imports, caches
    for values in parts.values():
        values.clear()
    load_before = os.getloadavg()
    for _ in range(runs):
        for lang in ("en", "fr"):  # alternated, so a burst of load falls on both
            started, cpu_started = time.perf_counter(), time.process_time()
            report = build_report(actor, code, lang=lang)
            built = time.perf_counter()
            text = render(report, "md", lang)
            done = time.perf_counter()
            timings[lang].append((done - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            build_only.append((built - started) * 1000)
            rendering.append((done - built) * 1000)
    load_after = os.getloadavg()
    assert report.totals.arrests == int(events * 0.4)
    assert len(report.figures) == 120 and text
    every = timings["en"] + timings["fr"]
    median = statistics.median(every)
    rest = [b - f - n for b, f, n in zip(build_only, parts["facts"], parts["nibrs"], strict=True)]
    result = {
        "database": db,
        "events": events,
        "runs": runs,
        "report_100k_events_ms": round(median, 1),
        "budget_ms": 200,
        "median_ms": {lang: round(statistics.median(v), 1) for lang, v in timings.items()},
        "min_ms": round(min(every), 1),
        "max_ms": round(max(every), 1),
        "build_median_ms": round(statistics.median(build_only), 1),
        # Each part's median over the same runs: the grouped facts (one statement), the
        # NIBRS summary, the rest of the build (figures, places, catalogue, the audit
        # record) and the Markdown rendering.
        "parts_median_ms": {
            "facts": round(statistics.median(parts["facts"]), 1),
            "nibrs": round(statistics.median(parts["nibrs"]), 1),
            "rest_of_build": round(statistics.median(rest), 1),
            "render": round(statistics.median(rendering), 1),
        },
        # CPU time of this process: with SQLite (in the process) what the wall time is on
        # an otherwise idle core; with PostgreSQL the server's share is not in it.
        "cpu_median_ms": round(statistics.median(cpu), 1),
        "load_average": {"before": load_before, "after": load_after},
        "cpus": os.cpu_count(),
    }
    for lang, values in timings.items():
        print(f"[{db}] report ({lang}, markdown): median {statistics.median(values):.1f} ms")
    print(f"[{db}] parts (median ms): {result['parts_median_ms']}")
    print(f"[{db}] CPU time of the process: median {result['cpu_median_ms']} ms")
    print(f"[{db}] load average before {load_before}, after {load_after}")
    name = "reports.json" if db == "sqlite" else "reports-postgresql.json"
    out = HERE / "results" / name
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    met = median <= 200
    print(
        f"[{db}] report_100k_events_ms {median:.1f} (budget 200 ms: "
        f"{'met' if met else 'NOT met'}) -> {out}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    if args.db == "both":  # one process per database: Django is configured once per process
        failed = 0
        for db in ("sqlite", "postgresql"):
            failed += subprocess.call(
                [sys.executable, __file__, "--db", db, "--events", str(args.events),
                 "--runs", str(args.runs)]
            )  # fmt: skip
        raise SystemExit(1 if failed else 0)
    run(args.db, args.events, args.runs)


if __name__ == "__main__":
    main()
