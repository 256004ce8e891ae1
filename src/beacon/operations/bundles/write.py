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
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import DomainError
from beacon.geo import places as geo
from beacon.operations import codes, services
from beacon.operations.bundles import exporter, schema
from beacon.operations.bundles.plan import ImportReport, Plan
from beacon.operations.bundles.reader import Problem, Reader, Row
from beacon.operations.bundles.records import record_input
from beacon.operations.models import (
    Amendment,
    Count,
    LocalMetric,
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
DIFFERENT = "already imported with different content: import with --amend to replace it"


class Writer:
    def __init__(self, actor: Actor, plan: Plan, *, amend: bool = False, reason: str = "") -> None:
        self.actor = actor
        self.plan = plan
        self.amend = amend
        self.reason = reason
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
        self.counts: dict[tuple[str, str], Count] = {}

    def fail(self, path: str, reason: str) -> None:
        self.problems.append(Problem(path, reason))

    def jurisdiction(self, ref: str) -> Jurisdiction | None:
        return self.reader.resolve_jurisdiction(ref) if ref else None

    def agency(self, key: str) -> Agency:
        """An agency by ORI or ``XX:Name``."""
        if key not in self.agencies:
            if ":" in key:
                country, _sep, name = key.partition(":")
                self.agencies[key] = Agency.objects.get(ori="", country=country, name=name)
            else:
                self.agencies[key] = Agency.objects.get(ori=key)
        return self.agencies[key]

    def same(
        self,
        section: schema.Section,
        path: str,
        existing: Model,
        row: Row,
        *,
        amendable: bool = True,
    ) -> bool:
        """An existing row must be identical to the incoming one, unless amending: then
        it is replaced (True) and its previous content kept as an amendment. People,
        targets and outcomes are not amended by an import (a person is shared by
        operations; a target's record and an outcome belong to the registry)."""
        exported = exporter.section_row(section, existing)
        scratch = Reader()
        scratch.declared_places = self.reader.declared_places
        again = schema.parse_row(scratch, section, path, exported)
        if schema.canonical(again) == schema.canonical(row):
            self.report.count(section.name, new=False)
            return False
        if not self.amend:
            self.fail(path, DIFFERENT)
            return False
        if not amendable:
            self.fail(path, f"{section.name} are not amended by an import: change it in Beacon")
            return False
        key = str(row.get("ref") or row.get("code") or row.get("target"))
        self.amended(section.name, key, row.get("operation") or "", exported, row)
        return True

    def amended(self, section: str, key: str, operation: str, before: Row, after: Row) -> None:
        """Keep what a row was, audited in this transaction."""
        plain_after = json.loads(schema.canonical(after))
        Amendment.objects.create(
            section=section,
            key=key,
            operation_code=operation or "",
            before=json.loads(json.dumps(before, default=str)),
            after=plain_after,
            reason=self.reason,
            actor=str(getattr(self.actor, "username", "") or self.actor),
        )
        audit.record(
            self.actor,
            "operations.amend",
            object_type=section,
            object_id=key,
            detail={"operation": operation, "reason": self.reason},
        )
        self.report.count(f"{section} amended", new=True)

    def run(self) -> ImportReport:
        self._metrics()
        self._places()
        self._agencies()
        self._series()
        self._operations()
        self._people()
        self._records()
        self._targets()
        self._outcomes()
        for section in (schema.LEADS, schema.HITS, *schema.EVENTS):
            self._events(section)
        self._keyed(schema.COUNTS)
        self._keyed(schema.FIGURES)
        return self.report

    def _metrics(self) -> None:
        for code, entry in self.plan.metrics.items():
            path = self.plan.metric_paths[code]
            existing = LocalMetric.objects.filter(code=code).first()
            if existing is None:
                LocalMetric.objects.create(code=code, entry=entry)
                self.report.count("metrics", new=True)
            elif existing.entry == entry:
                self.report.count("metrics", new=False)
            elif not self.amend:
                self.fail(path, DIFFERENT)
            else:
                self.amended("metrics", code, "", existing.entry, entry)
                existing.entry = entry
                existing.save(update_fields=["entry"])

    def _places(self) -> None:
        for _path, row in self.plan.places:
            kind, _sep, code = row["ref"].partition(":")
            found = geo.find(kind, code)
            within = self.jurisdiction(row["within"]) if row["within"] else None
            if found is None:
                found = geo.ensure(
                    kind, code, name_en=row["name_en"], name_fr=row["name_fr"], within=within
                )
                self.report.count("places", new=True)
            else:
                if within is not None and found.parent_id is None:
                    found.parent = within
                    found.save(update_fields=["parent"])
                self.report.count("places", new=False)
            for ref in row["members"]:
                member = self.jurisdiction(ref)
                if member is not None:
                    found.members.add(member)

    def _agencies(self) -> None:
        for _path, row in self.plan.agencies:
            key = row["key"]
            if ":" in key:
                country, _sep, name = key.partition(":")
                found = Agency.objects.filter(ori="", country=country, name=name).first()
            else:
                found = Agency.objects.filter(ori=key).first()
            if found is None:
                found = Agency.objects.create(
                    ori=row["ori"],
                    name=row["name"],
                    short_name=row["short_name"],
                    kind=row["kind"],
                    parent=self.agency(row["parent"]) if row["parent"] else None,
                    jurisdiction=self.jurisdiction(row["jurisdiction"]),
                    country=row["country"],
                    international_id=row["international_id"],
                )
                self.report.count("agencies", new=True)
            else:
                self.report.count("agencies", new=False)
            self.agencies[key] = found

    def _series(self) -> None:
        for path, row in self.plan.sections["series"]:
            existing = Series.objects.select_related("origin").filter(code=row["code"]).first()
            values = {
                "name": row["name"],
                "description": row["description"],
                "first_year": row["first_year"],
                "origin": self.jurisdiction(row["origin"]),
                "edition_naming": row["edition_naming"],
            }
            if existing is not None:
                if self.same(schema.SERIES, path, existing, row):
                    Series.objects.filter(pk=existing.pk).update(**values)
                    existing.refresh_from_db()
                self.series[row["code"]] = existing
                continue
            self.series[row["code"]] = Series.objects.create(code=row["code"], **values)
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
                before = exporter.operation_row(existing)
                self.report.operations.append(row["code"])
                if _operation_canon(before) == _operation_canon(row):
                    self.report.count("operations", new=False)
                elif not self.amend:
                    self.fail(path, DIFFERENT)
                else:
                    self.amended("operations", row["code"], row["code"], before, row)
                    for name, value in self._operation_values(row).items():
                        setattr(existing, name, value)
                    existing.save()
                    existing.jurisdictions.clear()
                    existing.participations.all().delete()
                    self._operation_links(path, existing, row)
                continue
            operation = Operation.objects.create(code=row["code"], **self._operation_values(row))
            self._operation_links(path, operation, row)
            self.operations[row["code"]] = operation
            self.report.operations.append(row["code"])
            self.report.count("operations", new=True)

    def _operation_values(self, row: Row) -> dict[str, Any]:
        return {
            "name": row["name"],
            "description": row["description"],
            "status": row["status"],
            "start": row["start"],
            "start_precision": row["start_precision"],
            "end": row["end"],
            "end_precision": row["end_precision"],
            "announced": row["announced"],
            "announced_precision": row["announced_precision"],
            "focus": row["focus"],
            "parent": self._operation(row["parent"]) if row["parent"] else None,
            "series": self._series_of(row["series"]),
            "edition": row["edition"],
        }

    def _operation_links(self, path: str, operation: Operation, row: Row) -> None:
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
                self.same(schema.PEOPLE, path, existing[row["ref"]], row, amendable=False)
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
                self.same(schema.TARGETS, path, existing, row, amendable=False)
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
                self.same(schema.OUTCOMES, path, existing, row, amendable=False)
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
                obj = existing[key]
                if self.same(section, path, obj, row):
                    values = self.values(section, row, by_target=by_target)
                    if values is not None:
                        for name, value in values.items():
                            setattr(obj, name, value)
                        obj.save()
                        if not by_target:
                            obj.people.set(  # type: ignore[attr-defined]
                                [self.person(ref) for ref in row.get("people", [])]
                            )
                if section.name == "victims":
                    self.victims[key] = obj  # type: ignore[assignment]
                continue
            values = self.values(section, row, by_target=by_target)
            if values is None:
                continue
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

    def values(
        self, section: schema.Section, row: Row, *, by_target: bool = False
    ) -> dict[str, Any] | None:
        """The model's field values of a typed row (None when a reference was refused)."""
        values: dict[str, Any] = {}
        for f in section.fields:
            value = row[f.name]
            if f.kind == "operation":
                if by_target:
                    continue
                value = self._operation(value) if value else None
            elif f.kind == "series":
                value = self._series_of(value)
            elif f.kind == "ori":
                value = self.agency(value) if value else None
            elif f.kind == "jurisdiction":
                value = self.jurisdiction(value)
            elif f.kind == "person":
                value = self.person(value)
            elif f.kind == "target":
                value = self.target(row["operation"], value)
                if value is None:
                    return None
            elif f.kind == "victim":
                value = (
                    self.victims.get((row["operation"], value))
                    or Victim.objects.filter(operation__code=row["operation"], ref=value).first()
                )
            elif f.kind == "figure":
                value = (
                    (self.figures.get(value) or ReportedFigure.objects.get(ref=value))
                    if value
                    else None
                )
            elif f.kind == "count":
                value = (
                    (
                        self.counts.get((row["operation"], value))
                        or Count.objects.get(operation__code=row["operation"], ref=value)
                    )
                    if value
                    else None
                )
            elif f.kind in ("pdate", "pend"):
                values[f"{f.name}_precision"] = row[f"{f.name}_precision"]
            elif f.kind == "people":
                continue
            values[f.name] = value
        return values

    def _keyed(self, section: schema.Section) -> None:
        """Counts and reported figures: created, left alone, or amended, row by row (a
        figure may name an earlier one as its parent, base or predecessor)."""
        model = section.model
        for path, row in self.plan.sections[section.name]:
            if section is schema.FIGURES:
                query = model._default_manager.filter(ref=row["ref"])
                key: Any = row["ref"]
            else:
                query = model._default_manager.filter(
                    operation__code=row["operation"], ref=row["ref"]
                )
                key = (row["operation"], row["ref"])
            existing = query.first()
            store: dict[Any, Any] = self.figures if section is schema.FIGURES else self.counts
            if existing is not None:
                if self.same(section, path, existing, row):
                    values = self.values(section, row)
                    assert values is not None
                    for name, value in values.items():
                        setattr(existing, name, value)
                    existing.save()
                store[key] = existing
                continue
            values = self.values(section, row)
            assert values is not None
            store[key] = model._default_manager.create(**values)
            self.report.count(section.name, new=True)


def _operation_canon(row: Row) -> str:
    """Operation rows compared field by field, empty values alike, dates as given."""
    from datetime import date

    from beacon.operations.bundles.reader import partial_text

    row = dict(row)
    for name in ("start", "end", "announced"):
        precision = row.pop(f"{name}_precision", None)
        if precision is not None and isinstance(row.get(name), date):
            row[name] = partial_text(row[name], precision)
    plain = {
        k: (v.isoformat() if isinstance(v, date) else v) or None
        for k, v in row.items()
        if k not in ("jurisdictions", "participants")
    }
    plain["jurisdictions"] = sorted(row["jurisdictions"])
    plain["participants"] = sorted((p["agency"], p["role"]) for p in row["participants"])
    return json.dumps(plain, sort_keys=True, default=str)
