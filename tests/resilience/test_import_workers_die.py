"""An import killed with SIGKILL takes its validating worker processes with it (they
used to go on validating for seconds, holding CPU and memory, after their parent died)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from beacon.agencies.models import Agency
from beacon.records.imports.importer import PARALLEL_MIN_ROWS
from beacon.records.models import MissingPersonRecord
from tests.resilience.harness import beacon_env, records_file, start_import

ROWS = PARALLEL_MIN_ROWS + 10_000  # enough rows for worker processes
WORKER_MARK = b"multiprocessing.spawn"


def _file(path: Path) -> Path:
    return records_file(path, [(f"Orphan{n:06d}", f"ORPH-{n:06d}") for n in range(ROWS)])


# The import's pool, as importer._results starts it, given tasks longer than any chunk.
POOL = """
import multiprocessing, sys, time
from datetime import datetime
from beacon.records.imports import context as import_context

if __name__ == "__main__":
    ctx = import_context.Context([], datetime(2021, 1, 1), "", 0, True, "sqlite", (), "")
    pool = multiprocessing.get_context("spawn").Pool(2, import_context.start_worker, (ctx,))
    results = [pool.apply_async(time.sleep, (60,)) for _ in range(2)]
    print("ready", flush=True)
    time.sleep(120)
"""


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, state) of a live process; None once it is gone (or a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    state, ppid = stat[stat.rindex(")") + 2 :].split()[:2]
    return None if state in {"Z", "X"} else (int(ppid), state)


def _workers(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        stat = _stat(int(entry.name))
        if stat is None or stat[0] != parent:
            continue
        try:
            if WORKER_MARK in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one CPU: the import uses no workers")
@pytest.mark.django_db(transaction=True)
def test_killing_the_import_ends_its_workers_within_a_second(
    tmp_path: Path, agency_a: Agency
) -> None:
    running = start_import(_file(tmp_path / "records.csv"), stdout=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while len(workers) < 2 and running.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
            workers = _workers(running.pid)
        assert len(workers) >= 2, f"no workers seen (import exit {running.poll()})"
        time.sleep(0.5)  # the workers are validating chunks now
        assert all(_stat(pid) is not None for pid in workers)
        gone_after = _gone_after_kill(running, workers)
    finally:
        for pid in workers:  # the test's own leftovers (a failing run)
            if _stat(pid) is not None:
                os.kill(pid, signal.SIGKILL)
        if running.poll() is None:
            running.kill()
            running.wait()
    assert gone_after < 1.0, f"workers outlived the import by {gone_after:.2f} s"
    assert MissingPersonRecord.objects.filter(oca__startswith="ORPH-").count() == 0


def _gone_after_kill(parent: subprocess.Popen[str], workers: list[int]) -> float:
    os.kill(parent.pid, signal.SIGKILL)  # the parent alone, not its process group
    killed = time.monotonic()
    parent.wait(timeout=10)
    alive = workers
    while alive and time.monotonic() - killed < 5:
        time.sleep(0.02)
        alive = [pid for pid in alive if _stat(pid) is not None]
    assert not alive, f"workers {alive} still running 5 s after their parent was killed"
    return time.monotonic() - killed


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_busy_workers_of_a_killed_parent_end_at_once_not_after_their_task(
    tmp_path: Path,
) -> None:
    script = tmp_path / "pool.py"
    script.write_text(POOL)
    parent = subprocess.Popen(  # noqa: S603
        [sys.executable, str(script)],
        env=beacon_env(DJANGO_SETTINGS_MODULE="beacon.test_settings"),
        stdout=subprocess.PIPE,
        text=True,
    )
    workers: list[int] = []
    try:
        assert parent.stdout is not None and parent.stdout.readline().strip() == "ready"
        workers = _workers(parent.pid)
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
            workers = _workers(parent.pid)
        assert len(workers) == 2, workers
        time.sleep(1.0)  # both are inside their 60-second task now
        gone_after = _gone_after_kill(parent, workers)
    finally:
        for pid in workers:  # the test's own leftovers (a failing run)
            if _stat(pid) is not None:
                os.kill(pid, signal.SIGKILL)
        if parent.poll() is None:
            parent.kill()
            parent.wait()
    assert gone_after < 1.0, f"workers outlived their parent by {gone_after:.2f} s"
