"""Server-side render time of each web page on the demo data (SQLite by default).

    .venv/bin/python bench/pages.py [--runs 20]

Loads ``beacon demo`` into a fresh database, signs in one demo account per page (as
the browser would: password + TOTP verified session) and times the Django handler
from request to rendered response, median and 95th percentile over ``--runs``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PAGES = [
    ("investigator.hsi", "/"),
    ("investigator.hsi", "/operations/"),
    ("investigator.hsi", "/operations/RESCUE-ME-2021/"),
    ("investigator.hsi", "/operations/RESCUE-ME-2021/figures/"),
    ("investigator.hsi", "/operations/RESCUE-ME-2021/targets/"),
    ("coordinator", "/operations/UNITED-FRONT/"),
    ("coordinator", "/operations/UNITED-FRONT/report/?lang=fr"),
    ("investigator.hsi", "/operations/RESCUE-ME-2021/report/?lang=en"),
    ("coordinator", "/operations/UNITED-FRONT-KY/events/arrest/"),
    ("investigator.lcpd", "/records/?last_name=Sampleton&first_name=Jamie"),
    ("caseworker.zoe", "/referrals/"),
    ("caseworker.zoe", "/referrals/victims/RR-victim-0006/"),
    ("coordinator", "/operations/UNITED-FRONT/targets/"),
    ("coordinator", "/operations/UNITED-FRONT/figures/arrests/"),
    ("coordinator", "/operations/UNITED-FRONT/edit/"),
    ("coordinator", "/operations/new/"),
    ("investigator.lcpd", "/records/{lcpd_record}/"),
    ("pio", "/operations/UNITED-FRONT/report/?lang=en"),
    ("admin", "/administration/"),
    ("admin", "/administration/agencies/"),
    ("admin", "/administration/tokens/"),
    ("admin", "/administration/audit/"),
    # Timelines: an operation's (a page of it, and the next page), a child's, a victim's.
    ("investigator.hsi", "/operations/RESCUE-ME-2021/timeline/"),
    ("coordinator", "/operations/UNITED-FRONT/timeline/"),
    ("coordinator", "/operations/UNITED-FRONT/timeline/?before={uf_older}"),
    ("investigator.hsi", "/operations/RESCUE-ME-2021/targets/{rm_target}/timeline/"),
    ("coordinator", "/victims/{uf_victim}/timeline/"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="beacon-bench-pages-"))
    os.environ["BEACON_MODE"] = "demo"
    os.environ["BEACON_DATA_DIR"] = str(workdir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "beacon.settings"
    os.environ.pop("DATABASE_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115

    from django.contrib.auth.models import User
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    clients: dict[str, Client] = {}

    def client(username: str) -> Client:
        if username not in clients:
            user = User.objects.get(username=username)
            device = TOTPDevice.objects.get(user=user)
            signed_in = Client(HTTP_HOST="127.0.0.1")
            signed_in.force_login(user)
            session = signed_in.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
            clients[username] = signed_in
        return clients[username]

    from beacon.records.models import MissingPersonRecord

    first = MissingPersonRecord.objects.filter(
        originating_agency__name="Las Cruces Police Department"
    ).order_by("nic")[0]
    from urllib.parse import quote

    from beacon.access.services import actor_of_user
    from beacon.operations import timeline
    from beacon.operations.models import Operation, Outcome, Victim

    hub = Operation.objects.get(code="UNITED-FRONT")
    older = timeline.operation_entries(
        actor_of_user(User.objects.get(username="coordinator"), via="web"), hub
    ).older
    found = Outcome.objects.filter(target__operation__code="RESCUE-ME-2021").order_by("pk")[0]
    victim = Victim.objects.filter(operation__parent=hub).order_by("pk")[0]
    names = {
        "lcpd_record": first.nic,
        "uf_older": quote(str(older)),
        "rm_target": found.target.ref if found.target else "",
        "uf_victim": victim.ref,
    }
    load_before = os.getloadavg()
    rows = []
    from django.db import connection

    def queries_of(c: Client, path: str) -> int:
        """How many SQL statements one request runs (a page has no per-row queries)."""
        count = 0

        def counting(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counting):
            c.get(path)
        return count

    print(f"{'page':<58} {'median ms':>10} {'p95 ms':>8} {'cpu ms':>7} {'queries':>8}")
    for username, template in PAGES:
        path = template.format(**names)
        c = client(username)
        c.get(path)  # first use: imports, caches
        queries = queries_of(c, path)
        times, cpu = [], []
        for _ in range(args.runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = c.get(path)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            assert response.status_code in (200, 204), (path, response.status_code)
        times.sort()
        median = statistics.median(times)
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        rows.append(
            {
                "user": username,
                "page": path,
                "median_ms": round(median, 1),
                "p95_ms": round(p95, 1),
                # This process's CPU time: the page's own work, what other jobs' load on a
                # shared machine does not inflate as it does the wall time.
                "cpu_median_ms": round(statistics.median(cpu), 1),
                "queries": queries,
            }
        )
        cpu_ms = statistics.median(cpu)
        print(f"{path[:58]:<58} {median:>10.1f} {p95:>8.1f} {cpu_ms:>7.1f} {queries:>8}")
    out = HERE / "results" / "pages.json"
    out.parent.mkdir(exist_ok=True)
    load = {"before": load_before, "after": os.getloadavg()}
    result = {"database": "sqlite", "runs": args.runs, "load_average": load, "pages": rows}
    out.write_text(json.dumps(result, indent=2))
    met = all(r["median_ms"] < 200 for r in rows)
    met_cpu = all(r["cpu_median_ms"] < 200 for r in rows)
    print(f"budget 200 ms (median wall): {'met' if met else 'NOT met'} -> {out}")
    print(f"budget 200 ms (median CPU): {'met' if met_cpu else 'NOT met'}; load {load}")


if __name__ == "__main__":
    main()
