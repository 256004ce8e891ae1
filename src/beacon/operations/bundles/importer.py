"""Importing a bundle: validate everything, then write everything in one transaction.

Pass 1 reads the whole bundle and reports every problem with its path. Pass 2 writes
inside one transaction; registry refusals (enter, locate, clear) are collected too, and
any problem rolls the whole import back. A row whose key already exists is left as it
is when identical (re-import is idempotent) and refused when it differs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Model

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.agencies.models import Agency, Jurisdiction
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import DomainError, ValidationFailed
from beacon.operations import codes, services
from beacon.operations.bundles import FORMAT, VERSION, exporter, schema
from beacon.operations.bundles.reader import Problem, Reader, Row
from beacon.operations.bundles.records import parse_record, record_input
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

TOP_LEVEL = {
    "format",
    "version",
    "exported_at",
    "agencies",
    "series",
    "operations",
    "people",
    "records",
    *(s.name for s in schema.SECTIONS if s is not schema.SERIES and s is not schema.PEOPLE),
}
AGENCY_KINDS = tuple(k for k in Agency.Kind.values if k != Agency.Kind.SYSTEM)
OPERATION_FIELDS = [
    "code",
    "name",
    "description",
    "status",
    "start",
    "end",
    "announced",
    "focus",
    "parent",
    "series",
    "edition",
    "jurisdictions",
    "participants",
]


class BundleRejected(ValidationFailed):
    """The bundle was refused whole; ``problems`` lists every path and reason."""

    def __init__(self, problems: list[Problem]) -> None:
        fields: dict[str, list[str]] = {}
        for problem in problems:
            fields.setdefault(problem.path, []).append(problem.reason)
        super().__init__(
            f"The bundle was refused ({len(problems)} problem(s)); nothing was imported.",
            fields=fields,
        )
        self.problems = problems


@dataclass
class ImportReport:
    created: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    operations: list[str] = field(default_factory=list)

    def count(self, section: str, *, new: bool) -> None:
        target = self.created if new else self.unchanged
        target[section] = target.get(section, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        return {"operations": self.operations, "created": self.created, "unchanged": self.unchanged}


def parse_json(text: str) -> Any:
    """JSON text, or BundleRejected naming the line and column of the syntax error."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BundleRejected(
            [Problem(f"line {exc.lineno} column {exc.colno}", f"not valid JSON: {exc.msg}")]
        ) from None


@dataclass
class Plan:
    """The validated bundle: typed rows with their paths, in write order."""

    agencies: list[tuple[str, Row]] = field(default_factory=list)
    operations: list[tuple[str, Row]] = field(default_factory=list)
    records: list[tuple[str, Row]] = field(default_factory=list)
    sections: dict[str, list[tuple[str, Row]]] = field(default_factory=dict)


# ------------------------------------------------------------------ pass 1: validation


class _Validator:
    def __init__(self, data: Any) -> None:
        self.reader = Reader()
        self.data = data
        self.plan = Plan()

    def fail(self, path: str, reason: str) -> None:
        self.reader.fail(path, reason)

    def run(self) -> Plan:
        data = self.data
        if not isinstance(data, dict):
            self.fail("$", "a bundle is a JSON object")
            raise BundleRejected(self.reader.problems)
        if data.get("format") != FORMAT:
            self.fail("format", f'must be "{FORMAT}"')
        if data.get("version") != VERSION:
            self.fail("version", f"must be {VERSION}")
        for extra in sorted(set(data) - TOP_LEVEL):
            self.fail(extra, "unknown section")
        self._agencies()
        self._typed(schema.SERIES)
        self._operations()
        self._typed(schema.PEOPLE)
        self._records()
        for section in schema.SECTIONS:
            if section not in (schema.SERIES, schema.PEOPLE):
                self._typed(section)
        self._references()
        if self.reader.problems:
            raise BundleRejected(self.reader.problems)
        return self.plan

    def _agencies(self) -> None:
        r = self.reader
        seen: set[str] = set()
        for path, row in r.rows(self.data, "agencies", schema_agency_fields()):
            ori = r.ori(row, "ori", path)
            parent = r.ori(row, "parent", path, required=False)
            typed = {
                "ori": ori,
                "name": r.text(row, "name", path, required=True),
                "short_name": r.text(row, "short_name", path, max_len=40),
                "kind": r.choice(row, "kind", path, AGENCY_KINDS, required=True),
                "parent": parent,
                "jurisdiction": r.jurisdiction(row, "jurisdiction", path),
            }
            if ori in seen:
                self.fail(f"{path}.ori", f"{ori} appears twice")
            if parent and parent not in seen and not Agency.objects.filter(ori=parent).exists():
                self.fail(f"{path}.parent", f"unknown agency {parent} (list parents first)")
            seen.add(ori)
            self.plan.agencies.append((path, typed))

    def _operations(self) -> None:
        r = self.reader
        seen: set[str] = set()
        series_codes = {row["code"] for _p, row in self.plan.sections.get("series", [])}
        for path, row in r.rows(self.data, "operations", OPERATION_FIELDS):
            code = r.text(row, "code", path, required=True, max_len=32)
            start = r.day(row, "start", path, required=True)
            end = r.day(row, "end", path)
            parent = r.text(row, "parent", path, max_len=32)
            series = r.text(row, "series", path, max_len=32)
            edition = r.integer(row, "edition", path, minimum=1, maximum=32767)
            if start and end and end < start:
                self.fail(f"{path}.end", "cannot be before the start")
            if code in seen:
                self.fail(f"{path}.code", f"{code} appears twice")
            if parent and parent not in seen and not Operation.objects.filter(code=parent).exists():
                self.fail(f"{path}.parent", f"unknown operation {parent} (list hubs first)")
            if (
                series
                and series not in series_codes
                and not Series.objects.filter(code=series).exists()
            ):
                self.fail(f"{path}.series", f"unknown series {series}")
            if edition is not None and not series:
                self.fail(f"{path}.edition", "an edition belongs to a series")
            jurisdictions = []
            for index, ref in enumerate(r.strings(row, "jurisdictions", path)):
                jurisdictions.append(r.jurisdiction_ref(ref, f"{path}.jurisdictions[{index}]"))
            participants = []
            raw = row.get("participants", [])
            if not isinstance(raw, list):
                self.fail(f"{path}.participants", "must be a list")
                raw = []
            for index, item in enumerate(raw):
                ppath = f"{path}.participants[{index}]"
                if not isinstance(item, dict):
                    self.fail(ppath, "must be an object with agency and role")
                    continue
                participants.append(
                    {
                        "agency": r.ori(item, "agency", ppath),
                        "role": r.choice(
                            item, "role", ppath, codes.ParticipantRole.values, required=True
                        ),
                    }
                )
            focus = r.strings(row, "focus", path)
            for index, value in enumerate(focus):
                if value not in codes.Focus.values:
                    self.fail(f"{path}.focus[{index}]", f"one of {', '.join(codes.Focus.values)}")
            seen.add(code)
            self.plan.operations.append(
                (
                    path,
                    {
                        "code": code,
                        "name": r.text(row, "name", path, required=True),
                        "description": r.text(row, "description", path, max_len=5000),
                        "status": r.choice(row, "status", path, codes.Status.values, required=True),
                        "start": start,
                        "end": end,
                        "announced": r.day(row, "announced", path),
                        "focus": focus,
                        "parent": parent,
                        "series": series,
                        "edition": edition,
                        "jurisdictions": [j for j in jurisdictions if j],
                        "participants": participants,
                    },
                )
            )

    def _records(self) -> None:
        seen: set[str] = set()
        for path, row in self.reader.rows(self.data, "records", record_fields()):
            typed = parse_record(self.reader, path, row)
            key = f"{typed['originating_ori']}:{typed['oca']}"
            if key in seen:
                self.fail(path, f"record {key} appears twice")
            seen.add(key)
            self.plan.records.append((path, typed))

    def _typed(self, section: schema.Section) -> None:
        rows = []
        for path, row in self.reader.rows(self.data, section.name, section.names):
            rows.append((path, schema.parse_row(self.reader, section, path, row)))
        self.plan.sections[section.name] = rows

    # -- cross-references -------------------------------------------------------

    def _references(self) -> None:
        plan, sections = self.plan, self.plan.sections
        oris = {row["ori"] for _p, row in plan.agencies}
        mentioned: set[str] = set()
        for _p, row in plan.operations:
            mentioned |= {p["agency"] for p in row["participants"]}
        for rows in sections.values():
            for _p, row in rows:
                mentioned |= {
                    v for k, v in row.items() if k in _ORI_FIELDS and isinstance(v, str) and v
                }
        mentioned |= {row["originating_ori"] for _p, row in plan.records}
        known_oris = oris | set(
            Agency.objects.filter(ori__in=mentioned - oris).values_list("ori", flat=True)
        )
        op_codes = {row["code"] for _p, row in plan.operations}
        known_ops = op_codes | set(Operation.objects.values_list("code", flat=True))
        known_series = {row["code"] for _p, row in sections["series"]} | set(
            Series.objects.values_list("code", flat=True)
        )
        people = {row["ref"] for _p, row in sections["people"]}
        referenced_people: set[str] = set()
        for name in ("targets", "victims", "arrests", "services"):
            referenced_people |= {row["person"] for _p, row in sections[name] if row.get("person")}
        for section in schema.EVENTS:
            for _p, row in sections[section.name]:
                referenced_people |= set(row["people"])
        people |= set(
            Person.objects.filter(ref__in=referenced_people - people).values_list("ref", flat=True)
        )
        record_keys = {f"{row['originating_ori']}:{row['oca']}" for _p, row in plan.records}
        targets = {(row["operation"], row["ref"]) for _p, row in sections["targets"]}
        victims = {(row["operation"], row["ref"]) for _p, row in sections["victims"]}
        figures: set[str] = set()

        def need(ok: bool, path: str, reason: str) -> None:
            if not ok:
                self.fail(path, reason)

        for path, row in plan.operations:
            need(
                row["series"] == "" or row["series"] in known_series,
                f"{path}.series",
                "unknown series",
            )
            for index, p in enumerate(row["participants"]):
                need(
                    not p["agency"] or p["agency"] in known_oris,
                    f"{path}.participants[{index}].agency",
                    f"unknown agency {p['agency']}",
                )
        for path, row in plan.records:
            need(
                row["originating_ori"] in known_oris,
                f"{path}.originating_ori",
                f"unknown agency {row['originating_ori']}",
            )
        for section in schema.SECTIONS:
            if section in (schema.SERIES, schema.PEOPLE):
                keys_seen: set[Any] = set()
                for path, row in sections[section.name]:
                    ident = row.get("ref") or row.get("code")
                    need(ident not in keys_seen, path, f"{ident} appears twice")
                    keys_seen.add(ident)
                continue
            keys_seen = set()
            for path, row in sections[section.name]:
                op = row.get("operation") or ""
                if section is schema.OUTCOMES:
                    key: Any = (op, row["target"])
                elif section.per_operation:
                    key = (op, row["ref"])
                else:
                    key = row["ref"]
                need(key not in keys_seen, path, "appears twice")
                keys_seen.add(key)
                if op:
                    need(op in known_ops, f"{path}.operation", f"unknown operation {op}")
                for f in section.fields:
                    value = row.get(f.name)
                    if f.kind == "ori" and value:
                        need(value in known_oris, f"{path}.{f.name}", f"unknown agency {value}")
                    elif f.kind == "person" and value:
                        need(value in people, f"{path}.{f.name}", f"unknown person {value}")
                    elif f.kind == "people":
                        for ref in value or []:
                            need(ref in people, f"{path}.{f.name}", f"unknown person {ref}")
                    elif f.kind == "record" and value:
                        need(
                            value in record_keys or _record_exists(value),
                            f"{path}.{f.name}",
                            f"unknown record {value} (give ORI:OCA of a record in the bundle)",
                        )
                    elif f.kind == "target" and value:
                        need(
                            (op, value) in targets
                            or Target.objects.filter(operation__code=op, ref=value).exists(),
                            f"{path}.{f.name}",
                            f"unknown target {value} in operation {op}",
                        )
                    elif f.kind == "victim" and value:
                        need(
                            (op, value) in victims
                            or Victim.objects.filter(operation__code=op, ref=value).exists(),
                            f"{path}.{f.name}",
                            f"unknown victim {value} in operation {op}",
                        )
                    elif f.kind == "series" and value:
                        need(value in known_series, f"{path}.{f.name}", f"unknown series {value}")
                    elif f.kind == "figure" and value:
                        need(
                            value in figures or ReportedFigure.objects.filter(ref=value).exists(),
                            f"{path}.{f.name}",
                            f"unknown figure {value} (list the whole before its parts)",
                        )
                if section is schema.FIGURES:
                    figures.add(row["ref"])
                    self._figure_rules(path, row)
                if section.name == "victims":
                    self._victim_rules(path, row)
                if section is schema.OUTCOMES:
                    allowed = (
                        codes.RECOVERED_HOWS
                        if row["kind"] == codes.OutcomeKind.RECOVERED
                        else codes.LOCATED_HOWS
                    )
                    need(
                        not row["kind"] or not row["how"] or row["how"] in allowed,
                        f"{path}.how",
                        f"for {row['kind']}, one of {', '.join(sorted(allowed))}",
                    )

    def _figure_rules(self, path: str, row: Row) -> None:
        if bool(row["operation"]) == bool(row["series"]):
            self.fail(path, "give either operation or series")
        if row["scope"] == codes.FigureScope.JURISDICTION and not row["jurisdiction"]:
            self.fail(f"{path}.jurisdiction", "required for a jurisdiction figure")
        if row["scope"] == codes.FigureScope.AGENCY and not row["agency"]:
            self.fail(f"{path}.agency", "required for an agency figure")

    def _victim_rules(self, path: str, row: Row) -> None:
        low, high, group = row["age_min"], row["age_max"], row["age_group"]
        if low is not None and high is not None and low > high:
            self.fail(f"{path}.age_max", "cannot be below age_min")
        if group == codes.AgeGroup.ADULT and high is not None and high < codes.ADULT_AGE:
            self.fail(f"{path}.age_group", f"adult, but aged under {codes.ADULT_AGE}")
        if group == codes.AgeGroup.MINOR and low is not None and low >= codes.ADULT_AGE:
            self.fail(f"{path}.age_group", f"minor, but aged {codes.ADULT_AGE} or more")


_ORI_FIELDS = {"agency", "assigned_agency", "requesting_agency", "to_agency"}


def schema_agency_fields() -> list[str]:
    return ["ori", "name", "short_name", "kind", "parent", "jurisdiction"]


def record_fields() -> list[str]:
    from beacon.operations.bundles.records import RECORD_FIELDS

    return list(RECORD_FIELDS)


def _record_exists(key: str) -> bool:
    ori, _sep, oca = key.partition(":")
    return MissingPersonRecord.objects.filter(originating_agency__ori=ori, oca=oca).exists()


# ------------------------------------------------------------------ pass 2: writing


class _Writer:
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
        if by_target:
            query = model._default_manager.filter(target__operation__code__in=ops).select_related(
                "target__operation"
            )
            for obj in query:
                existing[(obj.target.operation.code, obj.ref)] = obj  # type: ignore[attr-defined]
        else:
            query = (
                model._default_manager.filter(operation__code__in=ops)
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
        model._default_manager.bulk_create(new, batch_size=500)
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


def validate_bundle(data: Any) -> Plan:
    """Pass 1 only: BundleRejected with every problem, or the plan."""
    return _Validator(data).run()


def import_bundle(actor: Actor, data: Any) -> ImportReport:
    """Import a whole bundle, or nothing: BundleRejected lists every problem (path, reason)."""
    policy.require(actor, Permission.OPERATIONS_MANAGE, object_type="bundle")
    policy.require(actor, Permission.RECORDS_IMPORT, object_type="bundle")
    plan = validate_bundle(data)
    with transaction.atomic():
        writer = _Writer(actor, plan)
        report = writer.run()
        if writer.problems:
            raise BundleRejected(writer.problems)
        audit.record(
            actor,
            "operations.import",
            object_type="bundle",
            object_id=report.operations[0] if report.operations else "",
            detail=report.as_dict(),
        )
    return report
