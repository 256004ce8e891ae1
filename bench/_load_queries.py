"""Run inside Django by bench/load.py (or by hand): the SQL statements each kind of request
in the load mix costs, as the server runs it (middleware, authentication, rate limit,
audit, idempotency), with the same API tokens the load clients use.

    DATABASE_URL=... BEACON_MODE=demo python bench/_load_queries.py CLIENTS_JSON [--sql]
        [--cpu N] [--profile KIND]

CLIENTS_JSON is the JSON bench/_load_setup.py printed (with ``operations`` and
``jurisdiction`` filled in as load.py does). Prints JSON on stdout: per endpoint kind, the
median number of statements over a few requests (``report`` after a change to its
operations' figures, as in the mix; ``report:cached`` without one) and, with --sql, one request's statements;
with --cpu N, the median CPU milliseconds of this process per request over N requests
(the server's own work, whatever else the machine runs); with --profile KIND, the
functions that took the most CPU over those requests of KIND (cProfile, on stderr).
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import statistics
import sys
import time
import uuid

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beacon.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

ROUNDS = 5


def requests_of(agency: dict[str, object]) -> dict[str, tuple[str, str, dict[str, object] | None]]:
    code = next(iter(agency["operations"]))  # type: ignore[call-overload]
    names = list(agency["names"])  # type: ignore[call-overload]
    row = {
        "agency": agency["ori"],
        "jurisdiction": agency["jurisdiction"],
        "at": "2021-06-01T12:00:00Z",
        "place": "bench",
    }
    return {
        "auth_ceiling": ("GET", "/api/access/me", None),
        "search": ("POST", "/api/records/search", {"last_name": names[0], "limit": 10}),
        "write:event": ("POST", f"/api/operations/{code}/entries/search_warrants", {"rows": [row]}),
        "report": ("GET", f"/api/operations/{code}/report", None),
        # The same report with its family unchanged since the last one (served from the
        # per-version cache, beacon.operations.reports.cached); not in the mix: there a
        # field entry lands between most reports, and "report" moves the stamp first.
        "report:cached": ("GET", f"/api/operations/{code}/report", None),
        "dashboard": ("GET", "/api/operations/", None),
    }


def send(
    client: Client, method: str, path: str, body: object, extra: dict[str, str]
) -> HttpResponse:
    if method == "GET":
        return client.get(path, **extra)
    return client.post(path, json.dumps(body), content_type="application/json", **extra)


def _move_stamps() -> None:
    """What any field entry does to its operation's stamp (beacon.operations.stamps)."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE operations_operationstamp SET version = version + 1")


def _option(name: str, default: str) -> str:
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def main() -> None:
    clients = json.loads(open(sys.argv[1]).read())  # noqa: SIM115
    show_sql = "--sql" in sys.argv
    cpu_rounds = int(_option("--cpu", "0"))
    profiled = _option("--profile", "")
    agency = clients[0]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {agency['token']}")
    out: dict[str, object] = {}
    for name, (method, path, body) in requests_of(agency).items():
        counts, statuses, sql, cpu = [], set(), [], []
        profiler = cProfile.Profile(time.process_time) if name == profiled else None
        for round_ in range(max(ROUNDS, cpu_rounds)):
            extra: dict[str, str] = {}
            if name.startswith("write"):
                extra["HTTP_IDEMPOTENCY_KEY"] = uuid.uuid4().hex
                assert body is not None
                body["rows"][0]["ref"] = f"bench-{uuid.uuid4().hex[:16]}"  # type: ignore[index]
            if name == "report":  # as in the mix: a field entry since the last report
                _move_stamps()
            if round_ >= ROUNDS:  # timed: no query capture
                started = time.process_time()
                if profiler is not None:
                    profiler.enable()
                response = send(client, method, path, body, extra)
                if profiler is not None:
                    profiler.disable()
                cpu.append((time.process_time() - started) * 1000)
                statuses.add(response.status_code)
                continue
            with CaptureQueriesContext(connection) as captured:
                response = send(client, method, path, body, extra)
            statuses.add(response.status_code)
            counts.append(len(captured.captured_queries))
            sql = [q["sql"][:160] for q in captured.captured_queries]
        if profiler is not None:
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(60)
        out[name] = {
            "statements": statistics.median(counts),
            "statuses": sorted(statuses),
            **({"cpu_ms": round(statistics.median(cpu), 2)} if cpu else {}),
            **({"sql": sql} if show_sql else {}),
        }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
