"""``beacon demo``: write the seed bundles to disk and load them through the importer."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from beacon.agencies.models import Agency
from beacon.core.actor import Actor
from beacon.operations import publishing
from beacon.operations.bundles.importer import ImportReport, import_bundle, parse_json
from beacon.operations.demo.seeds import SEED_CODES, SEEDS

# The demo PIO's agency (beacon.access.services.DEMO_ACCOUNTS) may publish every seed.
DEMO_PUBLISHER = "Missouri Attorney General's Office"

# Demo data of apps on a higher floor (the partner formats' NIBRS incidents and HTCDS
# consent), added after the bundles. Those apps register here when Django starts, so this
# module never imports them (tests/layering.py).
DEMO_EXTRAS: list[Callable[[], object]] = []


def add_to_demo(extra: Callable[[], object]) -> None:
    if extra not in DEMO_EXTRAS:
        DEMO_EXTRAS.append(extra)


def write_bundles(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, build in SEEDS.items():
        path = directory / f"{name}.json"
        path.write_text(json.dumps(build(), indent=1, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    return paths


def load_demo(actor: Actor, directory: Path) -> list[tuple[Path, ImportReport]]:
    """Generate the four bundles into ``directory`` and import each (idempotent), then
    the demo data of the apps registered in ``DEMO_EXTRAS`` (the partner formats'; see
    ``beacon.interchange.demo``), and let the demo PIO's agency publish each seed."""
    loaded = [
        (path, import_bundle(actor, parse_json(path.read_text(encoding="utf-8"))))
        for path in write_bundles(directory)
    ]
    for extra in DEMO_EXTRAS:
        extra()
    agency = Agency.objects.filter(name=DEMO_PUBLISHER).order_by("pk").first()
    if agency is not None:
        publishing.grant_to_agency_once(actor, list(SEED_CODES.values()), agency)
    return loaded
