"""``beacon metrics list [--family F] [--lang fr]``, ``beacon metrics show ID`` and
``beacon metrics add FILE.toml [--amend --reason TEXT]`` (docs/metrics.md)."""

from __future__ import annotations

import json
import tomllib
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from beacon.core.commands import BeaconCommand
from beacon.core.errors import ValidationFailed
from beacon.operations.catalogue import FAMILIES, LANGS, catalogue
from beacon.operations.metrics import add_local_metrics


class Command(BeaconCommand):
    help = "The metric catalogue: list, show, or add local metrics from a TOML file."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        listing = actions.add_parser("list", help="id, unit and label of every metric")
        listing.add_argument("--family", choices=FAMILIES)
        listing.add_argument("--lang", choices=LANGS, default="en")
        show = actions.add_parser("show", help="one metric's whole entry")
        show.add_argument("id")
        add = actions.add_parser("add", help="add local metrics ([metrics.local.ID] tables)")
        add.add_argument("file")
        add.add_argument("--amend", action="store_true", help="replace a changed definition")
        add.add_argument("--reason", default="")

    def handle_command(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            self._add(options)
            return
        known = catalogue()
        if action == "show":
            metric = known.get(options["id"])
            if metric is None:
                raise ValidationFailed.on("id", f"unknown metric {options['id']}")
            self.stdout.write(json.dumps(asdict(metric), indent=1, ensure_ascii=False))
            return
        for metric in known.metrics.values():
            if options["family"] and metric.family != options["family"]:
                continue
            label = metric.words(options["lang"]).label
            self.stdout.write(f"{metric.id:<52} {metric.unit:<9} {label}")

    def _add(self, options: dict[str, Any]) -> None:
        name = options["file"]
        try:
            data = tomllib.loads(Path(name).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationFailed.on("file", f"cannot read {name}: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ValidationFailed.on("file", f"not valid TOML: {exc}") from None
        tables = data.get("metrics", {})
        local = tables.get("local", {}) if isinstance(tables, dict) else {}
        entries = {f"local.{key}": value for key, value in local.items()}
        extra = sorted(set(tables) - {"local"}) if isinstance(tables, dict) else []
        if extra or not entries:
            raise ValidationFailed.on(
                "file", "give [metrics.local.ID] tables (ids of local metrics start with local.)"
            )
        done = add_local_metrics(
            self.actor(), entries, amend=options["amend"], reason=options["reason"]
        )
        for key, codes in done.items():
            if codes:
                self.stdout.write(f"{key}: {', '.join(codes)}")
