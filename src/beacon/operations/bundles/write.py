"""Pass 2 of an import: write every row in the caller's transaction, collecting refusals.

A row whose key already exists is left as it is when identical and refused when it
differs; records go through the registry's enter, outcomes through record_outcome.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.db.models import Model

from beacon.agencies.models import Agency, Jurisdiction
from beacon.core.actor import Actor
from beacon.core.errors import DomainError
from beacon.operations import codes, services
from beacon.operations.bundles import exporter, schema
from beacon.operations.bundles.plan import ImportReport, Plan
from beacon.operations.bundles.reader import Problem, Reader, Row
from beacon.operations.bundles.records import record_input
from beacon.operations.models import (
    Operation,
    Outcome,
    Participation,
    Person,
    ReportedFigure,
    Series,
    Target,
    Victim,
)
from beacon.operations.services import HIT_DEADLINES
from beacon.records import services as registry
from beacon.records.models import MissingPersonRecord
from beacon.vault.sealing import sealed_bulk_create

# Refs per ``IN (...)`` lookup: below SQLite's bound on query parameters.
_IN_BATCH = 500


class Writer:
    def __init__(self, actor: Actor, plan: Plan) -> None:
        self.actor = actor
        self.plan = plan
        self.reader = Reader()  # resolves jurisdictions, parses exported rows to compare
        self.problems: list[Problem] = []
        self.report = ImportReport()
        self.agencies: dict[str, Agency] = {}
        self.operations: dict[str, Operation] = {}
        self.series: dict[str, Series] = {}
        self.people: dict[str, Person] = {}
        self.records: dict[str, MissingPersonRecord] = {}
        self.targets: dict[tuple[str, str], Target] = {}
        self.victims: dict[tuple[str, str], Victim] = {}
        self.figures: dict[str, ReportedFigure] = {}

    def fail(self, path: str, reason: str) -> None:
        self.problems.append(Problem(path, reason))

    def jurisdiction(self, ref: str) -> Jurisdiction | None:
        return self.reader.resolve_jurisdiction(ref) if ref else None

    def agency(self, ori: str) -> Agency:
        if ori not in self.agencies:
            self.agencies[ori] = Agency.objects.get(ori=ori)
        return self.agencies[ori]

    def same(self, section: schema.Section, path: str, existing: Model, row: Row) -> None:
        """An existing row must be identical to the incoming one."""
        exported = exporter.section_row(section, existing)
        scratch = Reader()
        again = schema.parse_row(scratch, section, path, exported)
        if schema.canonical(again) != schema.canonical(row):
            self.fail(path, "already imported with different content; change it in Beacon instead")
        else:
            self.report.count(section.name, new=False)

    def run(self) -> ImportReport:
        self._agencies()
        self._series()
        self._operations()
        self._people()
        self._records()
        self._targets()
        self._outcomes()
        for section in (schema.LEADS, schema.HITS, *schema.EVENTS):
            self._events(section)
        self._figures()
        return self.report

    def _agencies(self) -> None:
        for _path, row in self.plan.agencies:
            found = Agency.objects.filter(ori=row["ori"]).first()
            if found is None:
                found = Agency.objects.create(
                    ori=row["ori"],
                    name=row["name"],
                    short_name=row["short_name"],
                    kind=row["kind"],
                    parent=self.agency(row["parent"]) if row["parent"] else None,
                    jurisdiction=self.jurisdiction(row["jurisdiction"]),
                )
                self.report.count("agencies", new=True)
            else:
                self.report.count("agencies", new=False)
            self.agencies[row["ori"]] = found

    def _series(self) -> None:
        for path, row in self.plan.sections["series"]:
            existing = Series.objects.select_related("origin").filter(code=row["code"]).first()
            if existing is not None:
                self.same(schema.SERIES, path, existing, row)
                self.series[row["code"]] = existing
                continue
            self.series[row["code"]] = Series.objects.create(
                code=row["code"],
                name=row["name"],
                description=row["description"],
                first_year=row["first_year"],
                origin=self.jurisdiction(row["origin"]),
            )
            self.report.count("series", new=True)

    def _series_of(self, code: str) -> Series | None:
        if not code:
            return None
        if code not in self.series:
            self.series[code] = Series.objects.get(code=code)
        return self.series[code]

    def _operation(self, code: str) -> Operation:
        if code not in self.operations:
            self.operations[code] = Operation.objects.get(code=code)
        return self.operations[code]

    def _operations(self) -> None:
        for path, row in self.plan.operations:
            existing = Operation.objects.filter(code=row["code"]).first()
            if existing is not None:
                self.operations[row["code"]] = existing
                if _operation_canon(exporter.operation_row(existing)) != _operation_canon(row):
                    self.fail(
                        path, "already imported with different content; change it in Beacon instead"
                    )
                else:
                    self.report.count("operations", new=False)
                self.report.operations.append(row["code"])
                continue
            operation = Operation.objects.create(
                code=row["code"],
                name=row["name"],
                description=row["description"],
                status=row["status"],
                start=row["start"],
                end=row["end"],
                announced=row["announced"],
                focus=row["focus"],
                parent=self._operation(row["parent"]) if row["parent"] else None,
                series=self._series_of(row["series"]),
                edition=row["edition"],
            )
            for ref in row["jurisdictions"]:  # one by one: the declared order is kept
                place = self.jurisdiction(ref)
                if place is not None:
                    operation.jurisdictions.add(place)
            seen: set[str] = set()
            for index, p in enumerate(row["participants"]):
                if p["agency"] in seen:
                    self.fail(f"{path}.participants[{index}]", f"{p['agency']} appears twice")
                    continue
                seen.add(p["agency"])
                Participation.objects.create(
                    operation=operation, agency=self.agency(p["agency"]), role=p["role"]
                )
            self.operations[row["code"]] = operation
            self.report.operations.append(row["code"])
            self.report.count("operations", new=True)

    def _people(self) -> None:
        rows = self.plan.sections["people"]
        existing = {
            p.ref: p
            for p in Person.objects.filter(ref__in=[r["ref"] for _p, r in rows]).select_related(
                "nationality"
            )
        }
        new = []
        for path, row in rows:
            if row["ref"] in existing:
                self.same(schema.PEOPLE, path, existing[row["ref"]], row)
                continue
            new.append(
                Person(
                    ref=row["ref"],
                    last_name=row["last_name"],
                    first_name=row["first_name"],
                    sex=row["sex"],
                    dob=row["dob"],
                    nationality=self.jurisdiction(row["nationality"]),
                )
            )
        Person.objects.bulk_create(new, batch_size=500)
        self.report.created["people"] = len(new)
        self.people.update(existing)

    def person(self, ref: str) -> Person | None:
        if not ref:
            return None
        if ref not in self.people:
            self.people[ref] = Person.objects.get(ref=ref)
        return self.people[ref]

    def _records(self) -> None:
        for path, row in self.plan.records:
            key = f"{row['originating_ori']}:{row['oca']}"
            found = MissingPersonRecord.objects.filter(
                originating_agency__ori=row["originating_ori"], oca=row["oca"]
            ).first()
            if found is not None:
                self.records[key] = found
                self.report.count("records", new=False)
                continue
            try:
                with transaction.atomic():
                    self.records[key] = registry.enter_record(self.actor, record_input(row))
            except DomainError as exc:
                self._domain_problem(path, exc)
                continue
            self.report.count("records", new=True)

    def _domain_problem(self, path: str, exc: DomainError) -> None:
        if exc.fields:
            for name, messages in exc.fields.items():
                for message in messages:
                    self.fail(f"{path}.{name}", message)
        else:
            self.fail(path, exc.message)

    def record(self, key: str) -> MissingPersonRecord:
        if key not in self.records:
            ori, _sep, oca = key.partition(":")
            self.records[key] = MissingPersonRecord.objects.get(
                originating_agency__ori=ori, oca=oca
            )
        return self.records[key]

    def _targets(self) -> None:
        for path, row in self.plan.sections["targets"]:
            operation = self._operation(row["operation"])
            existing = (
                Target.objects.select_related(
                    "operation", "record__originating_agency", "person", "assigned_agency"
                )
                .filter(operation=operation, ref=row["ref"])
                .first()
            )
            if existing is not None:
                self.same(schema.TARGETS, path, existing, row)
                self.targets[(row["operation"], row["ref"])] = existing
                continue
            try:
                record = self.record(row["record"])
            except MissingPersonRecord.DoesNotExist:
                continue  # its record was refused above; that problem is already reported
            if Target.objects.filter(operation=operation, record=record).exists():
                self.fail(f"{path}.record", "this record is already a target of the operation")
                continue
            self.targets[(row["operation"], row["ref"])] = Target.objects.create(
                operation=operation,
                record=record,
                ref=row["ref"],
                person=self.person(row["person"]),
                assigned_agency=self.agency(row["assigned_agency"]),
                investigator=row["investigator"],
            )
            self.report.count("targets", new=True)

    def target(self, operation: str, ref: str) -> Target | None:
        key = (operation, ref)
        if key not in self.targets:
            found = Target.objects.filter(operation__code=operation, ref=ref).first()
            if found is None:
                return None
            self.targets[key] = found
        return self.targets[key]

    def _outcomes(self) -> None:
        for path, row in self.plan.sections["outcomes"]:
            target = self.target(row["operation"], row["target"])
            if target is None:
                continue  # refused above
            existing = (
                Outcome.objects.select_related("target__operation", "agency", "jurisdiction")
                .filter(target=target)
                .first()
            )
            if existing is not None:
                self.same(schema.OUTCOMES, path, existing, row)
                continue
            agency = self.agency(row["agency"])
            try:
                with transaction.atomic():
                    services.record_outcome(
                        self.actor,
                        target,
                        kind=row["kind"],
                        how=row["how"],
                        at=row["at"],
                        agency=agency,
                        place=row["place"],
                        jurisdiction=self.jurisdiction(row["jurisdiction"]),
                    )
            except DomainError as exc:
                self._domain_problem(path, exc)
                continue
            self.report.count("outcomes", new=True)

    def _events(self, section: schema.Section) -> None:
        rows = self.plan.sections[section.name]
        if not rows:
            return
        model = section.model
        by_target = section in (schema.LEADS, schema.HITS)
        existing: dict[tuple[str, str], Model] = {}
        ops = {row["operation"] for _p, row in rows}
        refs = sorted({row["ref"] for _p, row in rows})
        # Only the rows this import names, never every event of the operation: a
        # one-row write costs the same on an operation of ten events or of ten thousand.
        for start in range(0, len(refs), _IN_BATCH):
            chunk = refs[start : start + _IN_BATCH]
            if by_target:
                query = model._default_manager.filter(
                    target__operation__code__in=ops, ref__in=chunk
                ).select_related("target__operation")
                for obj in query:
                    existing[(obj.target.operation.code, obj.ref)] = obj  # type: ignore[attr-defined]
            else:
                query = (
                    model._default_manager.filter(operation__code__in=ops, ref__in=chunk)
                    .select_related("operation")
                    .prefetch_related("people")
                )
                for obj in query:
                    existing[(obj.operation.code, obj.ref)] = obj  # type: ignore[attr-defined]
        new: list[Model] = []
        new_people: list[list[str]] = []
        for path, row in rows:
            key = (row["operation"], row["ref"])
            if key in existing:
                self.same(section, path, existing[key], row)
                if section.name == "victims":
                    self.victims[key] = existing[key]  # type: ignore[assignment]
                continue
            values: dict[str, Any] = {}
            for f in section.fields:
                value = row[f.name]
                if f.kind == "operation":
                    if by_target:
                        continue
                    value = self._operation(value)
                elif f.kind == "ori":
                    value = self.agency(value) if value else None
                elif f.kind == "jurisdiction":
                    value = self.jurisdiction(value)
                elif f.kind == "person":
                    value = self.person(value)
                elif f.kind == "target":
                    value = self.target(row["operation"], value)
                    if value is None:
                        break
                elif f.kind == "victim":
                    value = (
                        self.victims.get((row["operation"], value))
                        or Victim.objects.filter(
                            operation__code=row["operation"], ref=value
                        ).first()
                    )
                elif f.kind == "people":
                    continue
                values[f.name] = value
            else:
                if section is schema.HITS:
                    values["due_at"] = (
                        values["requested_at"] + HIT_DEADLINES[codes.Priority(values["priority"])]
                    )
                obj = model(**values)
                new.append(obj)
                new_people.append(row.get("people", []))
                if section.name == "victims":
                    self.victims[key] = obj  # type: ignore[assignment]
        sealed_bulk_create(model, new)  # bulk_create skips the vault's signals: notes, charges
        self.report.created[section.name] = len(new)
        if not by_target:
            through = model._meta.get_field("people").remote_field.through  # type: ignore[union-attr]
            column = f"{model._meta.model_name}_id"
            links = [
                through(**{column: obj.pk, "person_id": self.person(ref).pk})  # type: ignore[union-attr]
                for obj, refs in zip(new, new_people, strict=True)
                for ref in refs
            ]
            through.objects.bulk_create(links, batch_size=500)

    def _figures(self) -> None:
        for path, row in self.plan.sections["reported_figures"]:
            existing = (
                ReportedFigure.objects.select_related(
                    "operation", "series", "jurisdiction", "agency", "parent"
                )
                .filter(ref=row["ref"])
                .first()
            )
            if existing is not None:
                self.same(schema.FIGURES, path, existing, row)
                self.figures[row["ref"]] = existing
                continue
            parent = None
            if row["parent"]:
                parent = self.figures.get(row["parent"]) or ReportedFigure.objects.get(
                    ref=row["parent"]
                )
            self.figures[row["ref"]] = ReportedFigure.objects.create(
                ref=row["ref"],
                operation=self._operation(row["operation"]) if row["operation"] else None,
                series=self._series_of(row["series"]),
                edition=row["edition"],
                metric=row["metric"],
                value=row["value"],
                qualifier=row["qualifier"],
                scope=row["scope"],
                jurisdiction=self.jurisdiction(row["jurisdiction"]),
                agency=self.agency(row["agency"]) if row["agency"] else None,
                period_start=row["period_start"],
                period_end=row["period_end"],
                context=row["context"],
                parent=parent,
                source_name=row["source_name"],
                source_date=row["source_date"],
                source_document=row["source_document"],
                note=row["note"],
            )
            self.report.count("reported_figures", new=True)


def _operation_canon(row: Row) -> str:
    """Operation rows compared field by field, empty values alike."""
    from datetime import date

    plain = {
        k: (v.isoformat() if isinstance(v, date) else v) or None
        for k, v in row.items()
        if k not in ("jurisdictions", "participants")
    }
    plain["jurisdictions"] = sorted(row["jurisdictions"])
    plain["participants"] = sorted((p["agency"], p["role"]) for p in row["participants"])
    return json.dumps(plain, sort_keys=True, default=str)
