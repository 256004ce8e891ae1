"""Audit chain and vault figures: events written per second (one writer, four writers; one
transaction each, durable commit), events chained per second (docs/decisions/0005), events
verified per second, and seal/unseal per second. SQLite and PostgreSQL.

    .venv/bin/python bench/audit_chain.py [--events 3000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PG_SERVER = os.environ.get("BEACON_BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def setup(db: str, workdir: Path) -> None:
    os.environ["BEACON_MODE"] = "development"
    os.environ["BEACON_DATA_DIR"] = str(workdir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "beacon.settings"
    os.environ["BEACON_AUDIT_CHAINER"] = "off"  # chaining is timed on its own below
    if db == "postgresql":
        name = "beacon_bench_audit"
        for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
            subprocess.run(["psql", PG_SERVER + "/postgres", "-qc", sql], check=True)
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{name}"
    else:
        os.environ.pop("DATABASE_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def run(db: str, events: int) -> dict[str, Any]:
    from django.db import connection, connections, transaction

    from beacon.agencies.models import Agency
    from beacon.audit import services
    from beacon.audit.chainer import chain_pending
    from beacon.audit.verify import verify
    from beacon.core.actor import system_actor
    from beacon.vault.services import seal, unseal

    actor = system_actor(via="job")
    t = time.perf_counter()
    for i in range(events):
        with transaction.atomic():
            services.record(actor, "bench.one", object_id=i, detail={"fields": ["notes"]})
    one = events / (time.perf_counter() - t)

    per_thread = events // 4
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for i in range(per_thread):
                with transaction.atomic():
                    services.record(actor, "bench.four", object_id=i)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    t = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    four = per_thread * 4 / (time.perf_counter() - t)
    if errors:
        raise SystemExit(f"concurrent writers failed: {errors[0]!r}")

    t = time.perf_counter()
    chained_count = chain_pending()
    chained = chained_count / (time.perf_counter() - t)

    t = time.perf_counter()
    report = verify()
    verified = report.checked / (time.perf_counter() - t)
    if not report.ok:
        raise SystemExit(f"chain broken: {report.problems[:3]}")

    agency = Agency.system()
    text = "Seen near the bus station with an older man; uses the name Lupita. " * 4
    t = time.perf_counter()
    sealed = [seal(agency, "bench", i, "notes", text) for i in range(1000)]
    seal_rate = 1000 / (time.perf_counter() - t)
    t = time.perf_counter()
    for i, value in enumerate(sealed):
        unseal(agency, "bench", i, "notes", value)
    unseal_rate = 1000 / (time.perf_counter() - t)
    connections.close_all()
    return {
        "db": db,
        "events": report.checked,
        "write_events_per_s_one_writer": round(one),
        "write_events_per_s_four_writers": round(four),
        "chain_events_per_s": round(chained),
        "verify_events_per_s": round(verified),
        "seal_per_s": round(seal_rate),
        "unseal_per_s": round(unseal_rate),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    if args.db is None:  # each database in its own process (settings are per process)
        results = []
        for db in ("sqlite", "postgresql"):
            out = subprocess.run(
                [sys.executable, __file__, "--db", db, "--events", str(args.events)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            results.append(json.loads(out.strip().splitlines()[-1]))
        for r in results:
            print(
                f"{r['db']:10} write {r['write_events_per_s_one_writer']:>6}/s (1 writer) "
                f"{r['write_events_per_s_four_writers']:>6}/s (4 writers)  "
                f"chain {r['chain_events_per_s']:>7}/s  "
                f"verify {r['verify_events_per_s']:>7}/s  seal {r['seal_per_s']:>6}/s  "
                f"unseal {r['unseal_per_s']:>6}/s"
            )
        (HERE / "results").mkdir(exist_ok=True)
        (HERE / "results" / "audit_chain.json").write_text(json.dumps(results, indent=2) + "\n")
        return
    workdir = Path(tempfile.mkdtemp(prefix=f"beacon-bench-audit-{args.db}-"))
    try:
        setup(args.db, workdir)
        print(json.dumps(run(args.db, args.events)))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
