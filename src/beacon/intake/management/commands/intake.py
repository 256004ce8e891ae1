"""``beacon intake import|link|review|accept``: reconcile an operation's target lists.

    beacon intake import "Rescue Me" ncic.csv --source NCIC
    beacon intake import "Rescue Me" ncmec.xlsx --source NCMEC --map "Child=full_name" ...
    beacon intake link "Rescue Me" [--engine spark] [--retrain] [--new]
    beacon intake review "Rescue Me"                       # the queue, with reasons
    beacon intake review "Rescue Me" --cluster 12 --accept
    beacon intake review "Rescue Me" --cluster 12 --split "1:4,2:9/3:2"
    beacon intake review "Rescue Me" --cluster 12 --merge 15
    beacon intake accept "Rescue Me" [--accept-above 0.99]

Bad input (a bad file, an unknown intake, a bad decision) exits with code 2 and says
which line and column, or which argument, is wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import CommandParser
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from beacon.core.actor import Actor
from beacon.core.commands import BeaconCommand
from beacon.core.errors import NotVisible, ValidationFailed
from beacon.intake import services
from beacon.intake.explain import sentence
from beacon.intake.fields import DOB_FORMATS, ColumnMapping
from beacon.intake.models import Cluster, Intake

QUARANTINE_SHOWN = 20  # quarantine lines printed after an import (all are stored)


def _progress(console: Console) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def _groups(text: str) -> list[list[str]]:
    groups = [[k.strip() for k in part.split(",") if k.strip()] for part in text.split("/")]
    if len(groups) < 2 or any(not g for g in groups):
        raise ValidationFailed.on("split", 'write groups of keys as "1:4,2:9/3:2"')
    return groups


class Command(BeaconCommand):
    help = "Import, link, review and accept an intake's source lists."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a CSV or XLSX list into an intake")
        imp.add_argument("intake", help="intake name (created when new)")
        imp.add_argument("file", type=Path)
        imp.add_argument("--source", required=True, help="where the list comes from, e.g. NCMEC")
        imp.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="HEADER=FIELD",
            help="map a column (join columns with +); remembered for the source",
        )
        imp.add_argument("--dob-format", choices=sorted(DOB_FORMATS), default=None)
        imp.add_argument(
            "--show-mapping", action="store_true", help="print the mapping that would be used"
        )
        link = sub.add_parser("link", help="link the intake's lists and the registry")
        link.add_argument("intake")
        link.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
        link.add_argument("--retrain", action="store_true", help="retrain the model first")
        link.add_argument("--threshold", type=float, default=None)
        link.add_argument(
            "--new",
            action="store_true",
            help="link only the lists imported since the latest run, against its cache",
        )
        review = sub.add_parser("review", help="show the review queue, or decide on a cluster")
        review.add_argument("intake")
        review.add_argument("--cluster", type=int, help="cluster number in the latest run")
        decision = review.add_mutually_exclusive_group()
        decision.add_argument("--accept", action="store_true")
        decision.add_argument("--split", metavar="KEYS/KEYS")
        decision.add_argument("--merge", type=int, metavar="CLUSTER")
        review.add_argument("--all", action="store_true", help="list decided clusters too")
        accept = sub.add_parser("accept", help="accept the reviewed intake as its people")
        accept.add_argument("intake")
        accept.add_argument("--accept-above", type=float, default=None)

    def handle_command(self, *args: Any, **options: Any) -> None:
        actor = self.actor()
        action = options["action"]
        if action == "import":
            self._import(actor, options)
        elif action == "link":
            self._link(actor, options)
        elif action == "review":
            self._review(actor, options)
        else:
            count = services.accept_intake(
                actor, self._intake(actor, options["intake"]), accept_above=options["accept_above"]
            )
            self.stdout.write(f"Accepted: {count} people.")

    def _intake(self, actor: Actor, name: str) -> Intake:
        found = Intake.objects.visible_to(actor).filter(name=name).first()
        if found is None:
            raise NotVisible(f"No intake named {name!r}.")
        return found

    def _import(self, actor: Actor, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise ValidationFailed.on("file", f"{path} does not exist")
        headers, mapping, remembered = services.preview(actor, path, options["source"])
        if options["map"]:
            mapping = ColumnMapping.parse_pairs(options["map"])
            remembered = False
        if options["dob_format"]:
            mapping.dob_format = options["dob_format"]
        if options["show_mapping"]:
            where = "remembered for" if remembered else "proposed for"
            self.stdout.write(f"Headers: {', '.join(headers)}")
            self.stdout.write(f"Mapping {where} {options['source']}:")
            for field, sources in mapping.columns.items():
                self.stdout.write(f"  {' + '.join(sources)} -> {field}")
            self.stdout.write(f"  dates: {mapping.dob_format}")
            return
        intake, created = services.find_or_create_intake(actor, options["intake"])
        if created:
            self.stdout.write(f"Created intake {intake.name!r} (#{intake.pk}).")
        listed = services.import_list(
            actor, intake, path, source=options["source"], mapping=mapping
        )
        self.stdout.write(
            f"Imported {listed.rows} rows from {listed.filename} as list #{listed.pk} "
            f"({listed.source})."
        )
        if listed.quarantined:
            self.stdout.write(f"Quarantined {listed.quarantined} bad cell(s) or row(s):")
            for entry in listed.quarantine[:QUARANTINE_SHOWN]:
                shown = f"{entry['value']!r} " if entry["value"] is not None else ""
                self.stdout.write(
                    f"  line {entry['line']}, column {entry['column']!r}: {shown}"
                    f"{entry['reason']} ({entry['action']})"
                )
            if listed.quarantined > QUARANTINE_SHOWN:
                self.stdout.write(f"  ... {listed.quarantined - QUARANTINE_SHOWN} more")

    def _link(self, actor: Actor, options: dict[str, Any]) -> None:
        intake = self._intake(actor, options["intake"])
        console = Console(file=cast(IO[str], self.stdout), force_terminal=False)
        incremental = options.get("new", False)
        if incremental and (options["retrain"] or options["threshold"] is not None):
            raise ValidationFailed.on(
                "new",
                "--new reuses the latest run's model and threshold: link in full to change them",
            )
        if incremental and options["engine"] != "duckdb":
            raise ValidationFailed.on("new", "--new runs on DuckDB")
        steps = services.INCREMENTAL_STEPS if incremental else services.STEPS
        with _progress(console) as progress:
            task = progress.add_task("Linking", total=len(steps))
            seen: list[str] = []

            def step(name: str) -> None:
                if seen:
                    progress.advance(task)
                seen.append(name)
                progress.update(task, description=name)

            if incremental:
                run = services.link_new(actor, intake, progress=step)
            else:
                run = services.link(
                    actor,
                    intake,
                    engine=options["engine"],
                    retrain=options["retrain"],
                    threshold=options["threshold"],
                    progress=step,
                )
            progress.update(task, completed=len(steps), description="Done")
        proposed = run.cluster_set.filter(status=Cluster.Status.PROPOSED).count()
        self.stdout.write(
            f"Run #{run.pk} ({run.engine}): {run.records} records "
            f"({run.registry_records} from the registry), {run.pairs} pairs, "
            f"{run.clusters} clusters, {proposed} to review, {run.seconds:.1f} s."
        )

    def _review(self, actor: Actor, options: dict[str, Any]) -> None:
        intake = self._intake(actor, options["intake"])
        decided = options["accept"] or options["split"] or options["merge"] is not None
        if decided:
            if options["cluster"] is None:
                raise ValidationFailed.on("cluster", "say which cluster (--cluster N)")
            cluster = self._cluster(actor, intake, options["cluster"])
            if options["accept"]:
                result = services.decide(actor, cluster.pk, "accept")
            elif options["split"]:
                result = services.decide(
                    actor, cluster.pk, "split", groups=_groups(options["split"])
                )
            else:
                other = self._cluster(actor, intake, options["merge"])
                result = services.decide(actor, cluster.pk, "merge", merge_with=other.pk)
            self.stdout.write(
                f"Cluster {cluster.number}: {result.status} (cluster {result.number})."
            )
            return
        status = None if options["all"] else Cluster.Status.PROPOSED
        clusters = services.queue(actor, intake, status=status)
        if options["cluster"] is not None:
            clusters = clusters.filter(number=options["cluster"])
        run = services.latest_run(intake)
        shown = 0
        for cluster in clusters:
            shown += 1
            self._show(cluster, run.levels if run else {})
        self.stdout.write(f"{shown} cluster(s).")

    def _cluster(self, actor: Actor, intake: Intake, number: int) -> Cluster:
        found = services.queue(actor, intake, status=None).filter(number=number).first()
        if found is None:
            raise NotVisible(f"No cluster {number} in the latest run.")
        return found

    def _show(self, cluster: Cluster, levels: dict[str, Any]) -> None:
        self.stdout.write(
            f"Cluster {cluster.number} [{cluster.status}] p>={cluster.probability:.3f}"
        )
        for m in cluster.members:
            where = (
                "registry" if m["list"] is None else f"{m['source']} {m['file']} line {m['line']}"
            )
            ids = " ".join(
                f"{k.upper()}={m[k]}" for k in ("nic", "oca", "ncmec_number") if m.get(k)
            )
            name = " ".join(
                str(m[k]) for k in ("first_name", "middle_name", "last_name") if m.get(k)
            )
            self.stdout.write(f"  {m['key']:>12}  {name}  {m.get('dob') or '-'}  {where}  {ids}")
        for pair in cluster.pairs:
            self.stdout.write(f"    {pair['l']} ~ {pair['r']}: {sentence(pair, levels)}")
