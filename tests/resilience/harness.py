"""What the crash and outage tests drive: a killable gunicorn Beacon, a write burst, and a
private PostgreSQL server that can be stopped without disturbing anyone else's tests.

Everything listens on 127.0.0.1 and every loop is bounded in count and time.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"


EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")


def ephemeral_ports() -> tuple[int, int]:
    """The range the kernel draws clients' local ports from (Linux's default otherwise)."""
    try:
        low, high = EPHEMERAL_RANGE.read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def free_port() -> int:
    """A port free now and outside the ephemeral range: a port the kernel may hand to any
    client connection (bind to port 0 gives one of those) can be taken between this check
    and the server's bind, which was seen with the throwaway PostgreSQL server."""
    low, high = ephemeral_ports()
    candidates = [*range(max(1024, low - 16384), low), *range(high + 1, 65536)]
    if not candidates:
        raise RuntimeError(f"no port outside the ephemeral range {low}-{high}")
    for port in random.sample(candidates, min(len(candidates), 200)):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port outside the ephemeral range {low}-{high}")


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 5.0,
) -> tuple[int, bytes, float]:
    """One HTTP request on a fresh connection: (status, body, seconds taken)."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read(), time.monotonic() - started
    finally:
        conn.close()


class Launcher:
    """tests/resilience/server.py in a subprocess: forks a gunicorn Beacon per trial."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.resilience.server"],
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.servers: set[int] = set()

    def _ask(self, line: str) -> str:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def serve(self, port: int, ready_within: float = 20.0) -> int:
        pid = int(self._ask(f"serve {port}"))
        self.servers.add(pid)
        deadline = time.monotonic() + ready_within
        while time.monotonic() < deadline:
            try:
                if request(port, "GET", "/healthz", timeout=1.0)[0] == 200:
                    return pid
            except OSError:
                pass
            time.sleep(0.02)
        raise AssertionError(f"the server on port {port} did not become healthy")

    def kill(self, pid: int) -> None:
        """SIGKILL the server and all its workers at once, then reap it."""
        os.killpg(pid, signal.SIGKILL)
        self._ask(f"reap {pid}")
        self.servers.discard(pid)

    def close(self) -> None:
        for pid in list(self.servers):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        self.process.kill()
        self.process.wait(timeout=10)


@dataclass
class Write:
    token: str
    key: str

    @property
    def body(self) -> bytes:
        return json.dumps({"token": self.token}).encode()


@dataclass
class BurstResult:
    acknowledged: dict[str, str] = field(default_factory=dict)  # token -> ORI answered
    in_doubt: list[Write] = field(default_factory=list)  # no answer, or not 201
    statuses: list[tuple[int, float]] = field(default_factory=list)  # (status, seconds)
    bodies: list[bytes] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def send_write(port: int, write: Write, result: BurstResult, timeout: float = 5.0) -> bool:
    """Send one write; False when the server did not answer (killed, or not listening)."""
    headers = {"Content-Type": "application/json", "Idempotency-Key": write.key}
    try:
        status, body, seconds = request(port, "POST", "/probe/write", write.body, headers, timeout)
    except (OSError, http.client.HTTPException):
        # Refused, reset, or cut off mid-answer: the client cannot know if it landed.
        with result.lock:
            result.in_doubt.append(write)
        return False
    with result.lock:
        result.statuses.append((status, seconds))
        if status == 201:
            result.acknowledged[write.token] = json.loads(body)["ori"]
        else:
            result.bodies.append(body)
            result.in_doubt.append(write)
    return True


def burst(
    port: int,
    label: str,
    stop: threading.Event,
    result: BurstResult,
    clients: int = 4,
    pause: float = 0.0,
) -> list[threading.Thread]:
    """Start ``clients`` threads writing until ``stop`` is set or the server goes away
    (a client whose request got no answer stops: its write is in doubt)."""

    def loop(client: int) -> None:
        n = 0
        while not stop.is_set() and n < 5000:
            if not send_write(port, Write(f"{label}-{client}-{n}", str(uuid.uuid4())), result):
                return
            n += 1
            if pause:
                time.sleep(pause)

    threads = [threading.Thread(target=loop, args=(c,), daemon=True) for c in range(clients)]
    for thread in threads:
        thread.start()
    return threads


def retry_all(port: int, writes: list[Write], result: BurstResult) -> None:
    """Retry each write once, with its own key, on up to 4 connections at a time."""
    queue = list(writes)
    lock = threading.Lock()

    def loop() -> None:
        while True:
            with lock:
                if not queue:
                    return
                write = queue.pop()
            send_write(port, write, result)

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


def _pg_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not versions:
        raise AssertionError("PostgreSQL server binaries are not installed")
    return versions[-1].parent


class PrivatePostgres:
    """A throwaway PostgreSQL server on its own port and data folder, run as ``postgres``.

    Stopping it (with ``-m immediate``: a crash, WAL recovery at start) disturbs nobody.
    """

    def __init__(self) -> None:
        self.bin = _pg_bin()
        self.root = Path(tempfile.mkdtemp(prefix="beacon-pg-"))
        self.port = free_port()
        shutil.chown(self.root, "postgres", "postgres")
        self.data = self.root / "data"
        self._as_postgres(
            "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        )
        self.start()
        self._as_postgres("createdb", "-h", "127.0.0.1", "-p", str(self.port), "beacon")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/beacon"

    def _as_postgres(self, tool: str, *args: str) -> None:
        subprocess.run(  # noqa: S603
            [RUNUSER, "-u", "postgres", "--", str(self.bin / tool), *args],
            check=True,
            capture_output=True,
            timeout=60,
            cwd=self.root,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=on"
        self._as_postgres(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._as_postgres("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def beacon_env(**overrides: Any) -> dict[str, str]:
    env = {**os.environ, "BEACON_MODE": "test", "PYTHONUNBUFFERED": "1"}
    env.update({k: str(v) for k, v in overrides.items() if v is not None})
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
    return env


# --- `beacon import records` in a process of its own (the kill tests) -----------------

IMPORT_HEADER = "MKE;last_name;first_name;sex;dob;dlc;oca;ori"


def records_file(path: Path, rows: list[tuple[str, str]]) -> Path:
    """A records file of juveniles entered by agency A, one line per (last name, OCA)."""
    lines = [IMPORT_HEADER] + [
        f"EMJ;{last};Row;F;2010-03-05;2021-05-01;{oca};NM0070100" for last, oca in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def start_import(path: Path, **popen: Any) -> subprocess.Popen[str]:
    """``beacon import records PATH --quiet`` against the test database, in a new process
    (``popen`` passes stdout=, start_new_session= and the like to subprocess.Popen)."""
    from django.db import connection

    settings = connection.settings_dict
    env = beacon_env(
        DJANGO_SETTINGS_MODULE="tests.resilience.server_settings",
        BEACON_SERVER_DB_NAME=settings["NAME"],
        DATABASE_URL=None,
    )
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = (
            f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT'] or 5432}/x"
        )
    options: dict[str, Any] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **popen}
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "beacon.cli", "import", "records", str(path), "--quiet"],
        cwd=REPO,
        env=env,
        text=True,
        **options,
    )
