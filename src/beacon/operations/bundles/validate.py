"""Pass 1 of an import: read the whole bundle, report every problem with its path."""

from __future__ import annotations

from typing import Any

from beacon.agencies.models import Agency
from beacon.operations import codes
from beacon.operations.bundles import FORMAT, VERSION, schema
from beacon.operations.bundles.plan import BundleRejected, Plan
from beacon.operations.bundles.reader import Reader, Row
from beacon.operations.bundles.records import RECORD_FIELDS, parse_record
from beacon.operations.models import (
    Operation,
    Person,
    ReportedFigure,
    Series,
    Target,
    Victim,
)
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


class Validator:
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
        for path, row in r.rows(self.data, "agencies", AGENCY_FIELDS):
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
            taken = Operation.objects.filter(series__code=series, edition=edition)
            if series and edition is not None and taken.exclude(code=code).exists():
                self.fail(f"{path}.edition", f"{series} already has an edition {edition}")
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
        for path, row in self.reader.rows(self.data, "records", RECORD_FIELDS):
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
                    v
                    for k, v in row.items()
                    if k in ("agency", "assigned_agency", "requesting_agency", "to_agency")
                    and isinstance(v, str)
                    and v
                }
        mentioned |= {row["originating_ori"] for _p, row in plan.records}
        known_oris = oris | set(
            Agency.objects.filter(ori__in=mentioned - oris).values_list("ori", flat=True)
        )
        # Only the codes the bundle names are looked up, never every operation or series.
        op_codes = {row["code"] for _p, row in plan.operations}
        named_ops = {
            row["operation"]
            for rows in sections.values()
            for _p, row in rows
            if row.get("operation")
        }
        known_ops = op_codes | set(
            Operation.objects.filter(code__in=named_ops - op_codes).values_list("code", flat=True)
        )
        series_codes = {row["code"] for _p, row in sections["series"]}
        named_series = {row["series"] for _p, row in plan.operations if row["series"]}
        for section in schema.SECTIONS:
            for f in section.fields:
                if f.kind == "series":
                    named_series |= {
                        row[f.name] for _p, row in sections[section.name] if row.get(f.name)
                    }
        known_series = series_codes | set(
            Series.objects.filter(code__in=named_series - series_codes).values_list(
                "code", flat=True
            )
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


AGENCY_FIELDS = ("ori", "name", "short_name", "kind", "parent", "jurisdiction")


def _record_exists(key: str) -> bool:
    ori, _sep, oca = key.partition(":")
    return MissingPersonRecord.objects.filter(originating_agency__ori=ori, oca=oca).exists()
