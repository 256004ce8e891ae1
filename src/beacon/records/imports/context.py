"""What an import worker process needs besides its chunk; importable before Django is
set up (a spawned worker unpickles it first, then sets Django up)."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime

# Record columns the worker does not fill: the importer puts id, nic and the sealed notes
# in front of the worker's values.
OWN_COLUMNS = ("id", "nic", "notes")


@dataclass(frozen=True)
class Context:
    """What validating a row needs besides the row (pickled once per worker process)."""

    header: list[str]
    now: datetime
    own_ori: str
    own_agency_id: int
    is_system: bool
    vendor: str  # "sqlite" | "postgresql": the form values are written in
    record_columns: tuple[str, ...]  # the record table's columns after OWN_COLUMNS
    detail_head: str  # the enter transaction's detail up to the line number
    # Preloaded lookups (worker processes); None: ask the database (in-process).
    agencies: dict[str, int] | None = None
    jurisdictions: dict[tuple[str, str, str], int] | None = None
    name_variants: dict[str, frozenset[str]] | None = None
    csv_path: str = ""
    delimiter: str = ";"


_context: Context | None = None


# How much lower than the importing process the validating workers run (Unix nice).
WORKER_NICENESS = int(os.environ.get("BEACON_IMPORT_WORKER_NICE", "5"))


PR_SET_PDEATHSIG = 1  # linux/prctl.h
WATCHDOG_SECONDS = 0.2


def die_with_parent() -> None:
    """End this worker when the importing process ends, however it ends (SIGKILL too).

    A killed import used to leave its workers validating for seconds: nothing told them.
    On Linux the kernel sends SIGKILL when the parent dies (prctl PR_SET_PDEATHSIG);
    elsewhere, or if prctl fails, a thread polls the parent's pid. Either way a parent
    already gone before this ran is caught by comparing the parent's pid.
    """
    parent = multiprocessing.parent_process()
    expected = parent.pid if parent is not None else os.getppid()
    armed = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if os.getppid() != expected:  # died before prctl took effect
        os._exit(1)
    if not armed:
        threading.Thread(target=_watch_parent, args=(expected,), daemon=True).start()


def _watch_parent(expected: int | None) -> None:
    while os.getppid() == expected:
        time.sleep(WATCHDOG_SECONDS)
    os._exit(1)


def start_worker(ctx: Context) -> None:
    """Pool initializer: Django set up for models and settings; no database use.

    The worker lowers its own CPU priority: the one writing process (and on PostgreSQL
    its database backend) is the import's bottleneck and must never wait for a core the
    validators hold; the validators run ahead of it anyway. A bulk import also then
    yields to the web server's requests on the same machine.
    """
    die_with_parent()
    if WORKER_NICENESS > 0 and hasattr(os, "nice"):
        os.nice(WORKER_NICENESS)
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from beacon.records import variants

    global _context
    _context = ctx
    if ctx.name_variants is not None:
        variants.use(ctx.name_variants)


def worker_context() -> Context:
    """The Context ``start_worker`` received (the worker's tasks run with it)."""
    assert _context is not None, "start_worker has not run in this process"
    return _context
