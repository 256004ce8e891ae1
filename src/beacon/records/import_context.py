"""What an import worker process needs besides its chunk; importable before Django is
set up (a spawned worker unpickles it first, then sets Django up)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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


def start_worker(ctx: Context) -> None:
    """Pool initializer: Django set up for models and settings; no database use.

    The worker lowers its own CPU priority: the one writing process (and on PostgreSQL
    its database backend) is the import's bottleneck and must never wait for a core the
    validators hold; the validators run ahead of it anyway. A bulk import also then
    yields to the web server's requests on the same machine.
    """
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


def run_chunk(spec: Any) -> Any:
    """Worker entry point: ``import_work.validate_chunk`` with the worker's Context."""
    from beacon.records.import_work import validate_chunk

    assert _context is not None
    return validate_chunk(_context, spec)
