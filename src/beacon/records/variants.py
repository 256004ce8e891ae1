"""The name-variant table (nicknames and forms of given names), cached in memory.

The table lives in the database (model NameVariant, loaded from
``data/name_variants.csv`` by a migration, editable in the admin). ``canonicals``
maps a given name to the canonical names it is a form of.
"""

from __future__ import annotations

import csv
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from beacon.records.normalize import fold

DATA_FILE = Path(__file__).resolve().parent / "data" / "name_variants.csv"

_lock = threading.Lock()
_table: dict[str, frozenset[str]] | None = None
# What else caches values derived from the table (beacon.records.keys registers its
# name codes here): told by ``forget``. Modules that use this one register themselves,
# so this module imports none of them (no import loop: keys -> variants only).
_dependents: list[Callable[[], None]] = []


def on_forget(clear: Callable[[], None]) -> None:
    """Call ``clear`` whenever the table is forgotten (caches derived from it)."""
    if clear not in _dependents:
        _dependents.append(clear)


def read_data_file(path: Path = DATA_FILE) -> Iterator[tuple[str, str]]:
    """(variant, canonical) pairs from the shipped CSV: ``canonical,variant1,variant2,...``."""
    with path.open(encoding="utf-8") as handle:
        for row in csv.reader(handle):
            if not row or row[0].startswith("#"):
                continue
            canonical = fold(row[0])
            if not canonical:
                continue
            yield canonical, canonical
            for variant in row[1:]:
                folded = fold(variant)
                if folded:
                    yield folded, canonical


def table() -> dict[str, frozenset[str]]:
    global _table
    if _table is None:
        with _lock:
            from beacon.records.models import NameVariant

            built: dict[str, set[str]] = {}
            for variant, canonical in NameVariant.objects.values_list("variant", "canonical"):
                built.setdefault(variant, set()).add(canonical)
            _table = {k: frozenset(v) for k, v in built.items()}
    return _table


def use(preloaded: dict[str, frozenset[str]]) -> None:
    """Take the table as read elsewhere (import worker processes do not open a database)."""
    global _table
    _table = preloaded


def forget() -> None:
    """Drop the cache (after the table changes)."""
    global _table
    _table = None
    for clear in _dependents:
        clear()


def canonicals(first: str) -> frozenset[str]:
    """Canonical forms of a folded given name; the name itself when the table has none."""
    if not first:
        return frozenset()
    return table().get(first, frozenset({first}))
