"""Load test: Beacon as in production (gunicorn workers, PostgreSQL) under a realistic mix.

    .venv/bin/python bench/load.py [--duration 60] [--clients 16] [--workers 2] [--profile 10]
                                   [--ceiling 20] [--worker-class gthread] [--threads 8]
                                   [--rates 50,100,150,200,300] [--open-long 60]
                                   [--open-short 15] [--two-nodes 30]

1. Creates a private PostgreSQL database on the local server (DATABASE_URL's server,
   default postgres://postgres@127.0.0.1:5432), migrates it and loads `beacon demo`.
2. Makes API tokens for three demo users of different agencies.
3. Serves it with gunicorn on 127.0.0.1 and a free port: by default 2 gthread workers x 8
   threads, which served ~1.4-2.2x the transactions of 4 sync workers back to back on this
   2-core machine (docs/resilience.md); `--worker-class sync --workers 4 --threads 1` for
   the old setting.
4. Drives it from a separate process (this one) with keep-alive client threads for a
   bounded time and count: 60% person searches, 25% writes (field events), 15%
   dashboards and reports, each client acting for one of the agencies.
5. Optionally profiles the workers with py-spy (GIL holders: Python CPU) and lists where
   the CPU goes; before serving, bench/_load_queries.py counts the statements and CPU
   milliseconds of one request of each kind (``cost_per_request``).
6. With --ceiling N (default 20): N seconds each of the same clients against a Django view
   that does nothing (/ceiling/plain) and against the cheapest authenticated API call
   (/api/access/me: token, rate limit, ninja): how far Django itself goes on this machine;
   ``mix_to_auth_ceiling_ratio`` is the mix's throughput over the latter, same run.
7. Open loop: the mix at fixed offered rates (--open-long s at 150/s, --open-short s at
   the others), latency measured from each request's due time (coordinated omission
   corrected), p99 per endpoint kind; requests 15 s late are dropped as errors.
8. Two nodes: a second gunicorn server (own data directory, same database) and the same
   closed-loop clients split over both; both run on this one machine.
Records the load average and where the machine's CPU went (driver, gunicorn, PostgreSQL).
Writes bench/results/load.json; drops the database at the end. Loopback only.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg

CEILING_PATHS = {"plain_view": "/ceiling/plain", "authenticated_api": "/api/access/me"}

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BIN = Path(sys.executable).parent
RESULTS = HERE / "results"
SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
MAX_REQUESTS = 2_000_000
LATE_LIMIT_S = 15.0  # open loop: a request this late is counted as an error, not sent
# Where a profile sample's time goes: any frame of its stack in one of these modules.
AREAS = (
    "psycopg",
    "django/db",
    "django/template",
    "ninja",
    "pydantic",
    "beacon/records/search",
    "beacon/operations/reports",
    "beacon/audit",
    "beacon/access",
    "beacon/vault",
    "beacon/resilience",
    "gunicorn",
    "json",
    "jellyfish",
    "rapidfuzz",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return round(ordered[index] * 1000, 2)


class Database:
    def __init__(self) -> None:
        self.name = f"bench_load_{os.getpid()}"
        self.url = f"{SERVER}/{self.name}"

    def __enter__(self) -> Database:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{self.name}"')
        return self

    def __exit__(self, *exc: object) -> None:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def beacon_env(db: Database, data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "BEACON_MODE": "demo",  # the demo accounts and keys; DEBUG is off as in production
        "DATABASE_URL": db.url,
        "BEACON_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "beacon.settings",
        # This checkout's code (not whichever Beacon the virtualenv installed), and
        # bench/_ceiling_settings.py for the ceiling runs.
        "PYTHONPATH": os.pathsep.join((str(REPO / "src"), str(HERE))),
        # Three tokens stand for many agencies' integrations: their per-account brake
        # (30,000/min each) would otherwise cap the bench at 1,500/s by itself.
        "BEACON_API_RATE_PER_MINUTE": "10000000",
    }


def _cpu_ticks() -> dict[str, int]:
    """CPU ticks used so far by process kind: this driver, gunicorn, postgres; and the machine."""
    ticks: dict[str, int] = collections.Counter()
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        used = int(fields[11]) + int(fields[12])
        if int(entry) == me:
            ticks["driver"] += used
        elif name.startswith("gunicorn") or "gunicorn" in _cmdline(entry):
            ticks["gunicorn"] += used
        elif name.startswith("postgres"):
            ticks["postgresql"] += used
            ticks[f"pg:{entry}"] = used  # one backend (this run's database: see drive)
    with open("/proc/stat") as stat:
        cpu = [int(x) for x in stat.readline().split()[1:]]
    ticks["machine_busy"] = sum(cpu) - cpu[3] - cpu[4]
    ticks["machine_all"] = sum(cpu)
    return ticks


def _cmdline(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def cpu_shares(before: dict[str, int], after: dict[str, int], seconds: float) -> dict[str, Any]:
    """Cores used on average by each kind over the run (2.0 = both cores of this machine)."""
    hz = os.sysconf("SC_CLK_TCK")
    used = {k: (after.get(k, 0) - before.get(k, 0)) / hz / seconds for k in after}
    busy = after["machine_busy"] - before["machine_busy"]
    return {
        "driver_cores": round(used.get("driver", 0.0), 2),
        "gunicorn_cores": round(used.get("gunicorn", 0.0), 2),
        "postgresql_cores": round(used.get("postgresql", 0.0), 2),
        "machine_busy_pct": round(
            100 * busy / max(1, after["machine_all"] - before["machine_all"]), 1
        ),
    }


def prepare(env: dict[str, str]) -> list[dict[str, Any]]:
    for step in (["migrate", "--verbosity", "0"], ["demo"]):
        subprocess.run([str(BIN / "beacon"), *step], env=env, check=True, capture_output=True)
    made = subprocess.run(
        [sys.executable, str(HERE / "_load_setup.py")],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    clients: list[dict[str, Any]] = json.loads(made.stdout)
    return clients


def cost_per_request(env: dict[str, str], clients: list[dict[str, Any]]) -> dict[str, Any]:
    """Statements and CPU ms of one request of each kind, in one process, as the server
    runs it (bench/_load_queries.py): what the mix costs, whatever the machine's load."""
    path = Path(f"/tmp/beacon-load-clients-{os.getpid()}.json")
    path.write_text(json.dumps(clients))
    try:
        done = subprocess.run(
            [sys.executable, str(HERE / "_load_queries.py"), str(path), "--cpu", "40"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        path.unlink(missing_ok=True)
    if done.returncode != 0:
        return {"error": done.stderr.strip()[-500:]}
    costs: dict[str, Any] = json.loads(done.stdout)
    weights = {"search": 0.60, "write:event": 0.25, "report": 0.10, "dashboard": 0.05}
    if all(costs.get(k, {}).get("cpu_ms") for k in [*weights, "auth_ceiling"]):
        mix = sum(w * costs[k]["cpu_ms"] for k, w in weights.items())
        costs["mix_weighted"] = {
            "statements": round(sum(w * costs[k]["statements"] for k, w in weights.items()), 2),
            "cpu_ms": round(mix, 2),
            "auth_ceiling_cpu_over_mix_cpu": round(costs["auth_ceiling"]["cpu_ms"] / mix, 3),
        }
    return costs


def serve(
    env: dict[str, str], port: int, workers: int, worker_class: str = "gthread", threads: int = 8
) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "beacon.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--threads",
            str(threads),
            "--keep-alive",
            "5",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=REPO,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not become healthy within 60 s")


class Driver:
    """Keep-alive client threads; each acts for one agency and picks from the mix."""

    def __init__(
        self,
        port: int | list[int],
        clients: list[dict[str, Any]],
        duration: float,
        count: int,
        only: str = "",
    ) -> None:
        self.ports = port if isinstance(port, list) else [port]  # several nodes: round robin
        self.only = only  # a ceiling run: every request to this one path
        self.agencies = clients
        self.deadline = time.monotonic() + duration
        self.remaining = count
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = collections.defaultdict(list)
        self.errors: collections.Counter[str] = collections.Counter()
        self.error_samples: list[str] = []

    def _take(self) -> bool:
        with self.lock:
            if self.remaining <= 0 or time.monotonic() >= self.deadline:
                return False
            self.remaining -= 1
            return True

    def _request(
        self, agency: dict[str, Any], rng: random.Random
    ) -> tuple[str, str, str, bytes | None]:
        if self.only:
            return self.only, "GET", CEILING_PATHS[self.only], None
        roll = rng.random()
        code = rng.choice(agency["operations"])
        if roll < 0.60:
            body = {"last_name": rng.choice(agency["names"]), "limit": 10}
            if rng.random() < 0.3:
                body["sex"] = "F"
            return "search", "POST", "/api/records/search", json.dumps(body).encode()
        if roll < 0.85:
            row = {
                "ref": f"bench-{uuid.uuid4().hex[:16]}",
                "agency": agency["ori"],
                "jurisdiction": agency["jurisdiction"],
                "at": "2021-06-01T12:00:00Z",
                "place": "bench",
            }
            body = {"rows": [row]}
            path = f"/api/operations/{code}/entries/search_warrants"
            return "write:event", "POST", path, json.dumps(body).encode()
        if roll < 0.95:
            return "report", "GET", f"/api/operations/{code}/report", None
        return "dashboard", "GET", "/api/operations/", None

    def run_client(self, index: int) -> None:
        try:
            self._run_client(index)
        except Exception as exc:  # a dead client would silently lower the load
            with self.lock:
                self.errors["client_crashed"] += 1
                self.error_samples.append(f"client {index} crashed: {exc!r}")

    def _run_client(self, index: int) -> None:
        rng = random.Random(index)
        agency = self.agencies[index % len(self.agencies)]
        port = self.ports[index % len(self.ports)]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while self._take():
            name, method, path, body = self._request(agency, rng)
            headers = {"Authorization": f"Bearer {agency['token']}"}
            if body is not None:
                headers["Content-Type"] = "application/json"
            if name.startswith("write"):  # a retried write must not land twice
                headers["Idempotency-Key"] = uuid.uuid4().hex
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                content = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                status, content = 0, str(exc).encode()
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = time.perf_counter() - started
            with self.lock:
                self.latencies[name].append(elapsed)
                if not 200 <= status < 300:
                    self.errors[name] += 1
                    if len(self.error_samples) < 5:
                        self.error_samples.append(f"{method} {path} -> {status}: {content[:300]!r}")
        conn.close()


class OpenLoop:
    """Requests sent at a fixed offered rate whatever the server's pace (open loop).

    The i-th request is due at start + i / rate. A pool of sender threads (keep-alive
    connections) takes them in order and sends each at its due time, or as soon as a
    sender is free when the server has fallen behind. Latency is measured from the due
    time, not from the actual send, so a stalled server's queue counts in full
    (coordinated omission corrected). A request still unsent LATE_LIMIT_S after its due
    time is dropped and counted as an error (the server is saturated at that rate).
    """

    def __init__(
        self, port: int, clients: list[dict[str, Any]], rate: float, duration: float
    ) -> None:
        self.port = port
        self.rate = rate
        self.total = int(rate * duration)
        self.shaper = Driver(port, clients, duration, self.total)
        self.next = 0
        self.lock = threading.Lock()
        self.start = 0.0

    def _claim(self) -> int | None:
        with self.lock:
            if self.next >= self.total:
                return None
            self.next += 1
            return self.next - 1

    def sender(self, index: int) -> None:
        rng = random.Random(1000 + index)
        shaper = self.shaper
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while (i := self._claim()) is not None:
            due = self.start + i / self.rate
            late = time.perf_counter() - due
            if late > LATE_LIMIT_S:
                # Saturated: not sent, so the run ends in bounded time; counted as an error
                # with its waiting so far as a (lower bound of its) latency.
                with shaper.lock:
                    shaper.latencies["not_sent"].append(late)
                    shaper.errors["not_sent"] += 1
                continue
            agency = shaper.agencies[i % len(shaper.agencies)]
            name, method, path, body = shaper._request(agency, rng)
            headers = {"Authorization": f"Bearer {agency['token']}"}
            if body is not None:
                headers["Content-Type"] = "application/json"
            if name.startswith("write"):
                headers["Idempotency-Key"] = uuid.uuid4().hex
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                content = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                status, content = 0, str(exc).encode()
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            latency = time.perf_counter() - due  # from the due time: CO corrected
            with shaper.lock:
                shaper.latencies[name].append(latency)
                if not 200 <= status < 300:
                    shaper.errors[name] += 1
                    if len(shaper.error_samples) < 5:
                        sample = f"{method} {path} -> {status}: {content[:200]!r}"
                        shaper.error_samples.append(sample)
        conn.close()

    def run(self, senders: int = 64) -> dict[str, Any]:
        threads = [threading.Thread(target=self.sender, args=(n,)) for n in range(senders)]
        load_before = os.getloadavg()
        self.start = time.perf_counter() + 0.5
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - self.start
        shaper = self.shaper
        every = [v for values in shaper.latencies.values() for v in values]
        return {
            "offered_per_s": self.rate,
            "achieved_per_s": round(len(every) / elapsed, 1),
            "requests": len(every),
            "duration_s": round(elapsed, 1),
            "p50_ms": percentile(every, 50),
            "p99_ms": percentile(every, 99),
            "max_ms": percentile(every, 100),
            "errors": sum(shaper.errors.values()),
            "error_samples": shaper.error_samples,
            "p99_ms_by_endpoint": {
                name: percentile(values, 99) for name, values in sorted(shaper.latencies.items())
            },
            "load_average": {
                "before": [round(x, 2) for x in load_before],
                "after": [round(x, 2) for x in os.getloadavg()],
            },
        }


def open_loop_curve(
    port: int, clients: list[dict[str, Any]], rates: list[float], long_s: float, short_s: float
) -> list[dict[str, Any]]:
    """The open-loop latency at each offered rate: ``long_s`` at 150/s, ``short_s`` else."""
    curve = []
    for rate in rates:
        seconds = long_s if rate == 150 else short_s
        print(f"open loop at {rate:.0f}/s for {seconds:.0f} s ...", flush=True)
        curve.append(OpenLoop(port, clients, rate, seconds).run())
        time.sleep(2)  # let the server settle before the next rate
    return curve


def _backends(name: str) -> list[int]:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        ).fetchall()
    return [int(row[0]) for row in rows]


def sample_database(name: str, stop: threading.Event, into: collections.Counter[str]) -> None:
    """What the server's PostgreSQL backends are doing, sampled every 0.2 s."""
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        while not stop.wait(0.2):
            rows = conn.execute(
                "SELECT state, wait_event_type, wait_event, left(query, 60) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            ).fetchall()
            for state, kind, event, query in rows:
                if state == "active":
                    waiting = f"{kind}:{event}" if kind else "running"
                    into[f"active {waiting} | {query}"] += 1
                else:
                    into[str(state)] += 1


def profile_workers(server_pid: int, seconds: int) -> list[dict[str, Any]]:
    """py-spy over the gunicorn workers (GIL holders only, i.e. Python CPU): the functions
    holding most samples (self time) and the share of each area (inclusive)."""
    py_spy = shutil.which("py-spy") or str(BIN / "py-spy")
    raw = Path(f"/tmp/beacon-load-profile-{os.getpid()}.txt")  # raw stacks, several MB
    done = subprocess.run(
        [
            py_spy,
            "record",
            "--pid",
            str(server_pid),
            "--subprocesses",
            "--duration",
            str(seconds),
            # Only the thread holding the GIL is sampled: where the workers' CPU goes (a
            # thread waiting on PostgreSQL or for a core is not counted; the database's
            # side is in database_activity).
            "--gil",
            "--format",
            "raw",
            "--output",
            str(raw),
            "--nonblocking",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not raw.exists():
        return [{"error": (done.stderr or "py-spy failed").strip()[-300:]}]
    own: collections.Counter[str] = collections.Counter()
    area: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = stack.split(";")
        own[frames[-1]] += samples
        for key in AREAS:
            if any(key in frame for frame in frames):
                area[key] += samples
    top = [{"frame": f, "self_pct": round(100 * n / total, 1)} for f, n in own.most_common(15)]
    areas = [{"area": a, "inclusive_pct": round(100 * n / total, 1)} for a, n in area.most_common()]
    return [{"samples": total}, {"by_area": areas}, {"top_self": top}]


def drive(
    server: subprocess.Popen[bytes],
    db: Database,
    port: int | list[int],
    clients: list[dict[str, Any]],
    args: argparse.Namespace,
    *,
    duration: float,
    only: str = "",
    profile_seconds: int = 0,
) -> dict[str, Any]:
    """One timed run: figures overall and per endpoint, CPU shares, load average."""
    driver = Driver(port, clients, duration, MAX_REQUESTS, only=only)
    threads = [threading.Thread(target=driver.run_client, args=(i,)) for i in range(args.clients)]
    print(f"driving {args.clients} clients for {duration:.0f} s {only or 'mix'} ...", flush=True)
    load_before = os.getloadavg()
    ticks = _cpu_ticks()
    started = time.monotonic()
    for thread in threads:
        thread.start()
    profile: list[dict[str, Any]] = []
    activity: collections.Counter[str] = collections.Counter()
    sampling = threading.Event()
    sampler = threading.Thread(target=sample_database, args=(db.name, sampling, activity))
    sampler.start()
    if profile_seconds:
        time.sleep(min(5.0, duration / 4))
        profile = profile_workers(server.pid, profile_seconds)
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    after = _cpu_ticks()
    cpu = cpu_shares(ticks, after, elapsed)
    # PostgreSQL's CPU for this database only (the server may serve other work too):
    # the backends connected to it now, from when they started or from the run's start.
    hz = os.sysconf("SC_CLK_TCK")
    ours = sum(after.get(f"pg:{pid}", 0) - ticks.get(f"pg:{pid}", 0) for pid in _backends(db.name))
    cpu["postgresql_this_database_cores"] = round(ours / hz / elapsed, 2)
    sampling.set()
    sampler.join()
    every = [v for values in driver.latencies.values() for v in values]
    endpoints = {
        name: {
            "count": len(values),
            "per_s": round(len(values) / elapsed, 1),
            "errors": driver.errors[name],
            "p50_ms": percentile(values, 50),
            "p95_ms": percentile(values, 95),
            "p99_ms": percentile(values, 99),
            "mean_ms": round(statistics.fmean(values) * 1000, 2),
        }
        for name, values in sorted(driver.latencies.items())
    }
    served = max(1, len(every))
    return {
        "transactions_per_s": round(len(every) / elapsed, 1),
        # What one transaction cost the server's processes in CPU (whatever else runs on
        # the machine): on a shared machine this, not the rate, is the stable figure.
        "cpu_ms_per_transaction": {
            "gunicorn": round(1000 * cpu["gunicorn_cores"] * elapsed / served, 2),
            "postgresql": round(1000 * cpu["postgresql_this_database_cores"] * elapsed / served, 2),
        },
        "p50_ms": percentile(every, 50),
        "p95_ms": percentile(every, 95),
        "p99_ms": percentile(every, 99),
        "errors": sum(driver.errors.values()),
        "error_samples": driver.error_samples,
        "requests": len(every),
        "duration_s": round(elapsed, 1),
        "clients": args.clients,
        "load_average": {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in os.getloadavg()],
        },
        "cpu": cpu,
        "endpoints": endpoints,
        "profile": profile,
        "database_activity": [
            {"what": what, "share_pct": round(100 * n / max(1, sum(activity.values())), 1)}
            for what, n in activity.most_common(12)
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--profile", type=int, default=10, help="py-spy seconds (0: off)")
    parser.add_argument("--ceiling", type=float, default=20, help="seconds per ceiling run")
    parser.add_argument(
        "--rates", default="50,100,150,200,300", help="open-loop offered rates (tx/s; '' off)"
    )
    parser.add_argument("--open-long", type=float, default=60, help="open-loop s at 150/s")
    parser.add_argument("--open-short", type=float, default=15, help="open-loop s elsewhere")
    parser.add_argument("--two-nodes", type=float, default=30, help="two-node mix s (0: off)")
    parser.add_argument("--output", type=Path, default=RESULTS / "load.json")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    data_dir = Path(f"/tmp/beacon-bench-{os.getpid()}")
    data_dir_b = Path(f"/tmp/beacon-bench-{os.getpid()}-b")
    with Database() as db:
        env = beacon_env(db, data_dir)
        print(f"preparing {db.name} (migrate, demo, tokens) ...", flush=True)
        clients = prepare(env)
        jurisdictions = {"RESCUE-ME-2021": "state:NM"}
        for client in clients:
            client["operations"] = [
                c for c in client["operations"] if c in jurisdictions
            ] or client["operations"][:1]
            client["jurisdiction"] = jurisdictions.get(client["operations"][0], "state:MO")
        # An agency that sees no record (the coordinator) still searches, by names others
        # see; without this its client threads died at their first search (earlier runs
        # drove 11 live clients, not 16).
        every_name = sorted({n for c in clients for n in c["names"]})
        for client in clients:
            client["names"] = client["names"] or every_name
        print("statements and CPU per request of each kind ...", flush=True)
        costs = cost_per_request(env, clients)
        port = free_port()
        env["DJANGO_SETTINGS_MODULE"] = "_ceiling_settings"  # Beacon's, plus /ceiling/plain
        server = serve(env, port, args.workers, args.worker_class, args.threads)
        try:
            result = drive(
                server,
                db,
                port,
                clients,
                args,
                duration=args.duration,
                profile_seconds=args.profile,
            )
            ceiling = {
                name: drive(server, db, port, clients, args, duration=args.ceiling, only=name)
                for name in CEILING_PATHS
                if args.ceiling
            }
            rates = [float(r) for r in args.rates.split(",") if r.strip()]
            curve = open_loop_curve(port, clients, rates, args.open_long, args.open_short)
            two_nodes: dict[str, Any] = {}
            if args.two_nodes:
                # A second node: its own process and data directory, the same database.
                port_b = free_port()
                server_b = serve(
                    {**env, "BEACON_DATA_DIR": str(data_dir_b)},
                    port_b,
                    args.workers,
                    args.worker_class,
                    args.threads,
                )
                try:
                    two_nodes = drive(
                        server, db, [port, port_b], clients, args, duration=args.two_nodes
                    )
                finally:
                    os.killpg(server_b.pid, signal.SIGTERM)
                    server_b.wait(timeout=30)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
            shutil.rmtree(data_dir, ignore_errors=True)
            shutil.rmtree(data_dir_b, ignore_errors=True)
    server_kind = f"gunicorn {args.workers} {args.worker_class} workers"
    if args.threads > 1:
        server_kind += f" x {args.threads} threads"
    result.update(
        {
            "server": f"{server_kind}, PostgreSQL, BEACON_MODE=demo (DEBUG off)",
            "mix": "60% searches, 25% writes (field events), 15% reports and dashboards",
            "agencies": [c["ori"] for c in clients],
            "machine": f"{os.cpu_count()} cores; see load_average (the machine may be shared)",
            "ceiling": {
                name: {
                    k: run[k]
                    for k in (
                        "transactions_per_s",
                        "p50_ms",
                        "p99_ms",
                        "errors",
                        "duration_s",
                        "load_average",
                        "cpu",
                        "cpu_ms_per_transaction",
                    )
                }
                | {"path": CEILING_PATHS[name]}
                for name, run in ceiling.items()
            },
        }
    )
    auth = ceiling.get("authenticated_api", {}).get("transactions_per_s", 0.0)
    at_150 = next((run for run in curve if run["offered_per_s"] == 150), None)
    result.update(
        {
            "mix_to_auth_ceiling_ratio": round(result["transactions_per_s"] / auth, 3)
            if auth
            else None,
            "open_loop_150_p99_ms": at_150["p99_ms"] if at_150 else None,
            "open_loop_150_p99_ms_by_endpoint": at_150["p99_ms_by_endpoint"] if at_150 else None,
            "open_loop_curve": curve,
            "open_loop_note": (
                f"{args.open_long:.0f} s at 150/s, {args.open_short:.0f} s at the other rates; "
                "latency from each request's due time (coordinated omission corrected)"
            ),
            "two_nodes_transactions_per_s": two_nodes.get("transactions_per_s"),
            "two_nodes": {k: v for k, v in two_nodes.items() if k != "profile"},
            "two_nodes_note": "both nodes on this one machine: they share its 2 cores",
            "cost_per_request": costs,
            "cost_note": (
                "cost_per_request: median statements and CPU ms of one request of each kind "
                "in one process (bench/_load_queries.py, audit chainer included); "
                "mix_weighted is the 60/25/10/5 mix. On a CPU-bound machine the closed-loop "
                "ratio follows auth_ceiling_cpu_over_mix_cpu."
            ),
            "mix_errors": result["errors"],
            "errors": result["errors"]
            + sum(run["errors"] for run in curve)
            + int(two_nodes.get("errors", 0))
            + sum(int(run["errors"]) for run in ceiling.values()),
            "load_average_now": [round(x, 2) for x in os.getloadavg()],
        }
    )
    if args.output.exists():  # bench/dashboards.py's figures share the file: keep them
        kept = json.loads(args.output.read_text())
        result.update({k: v for k, v in kept.items() if k.startswith("dashboard")})
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "profile"}, indent=2))


if __name__ == "__main__":
    main()
