"""Pass 1 of an import: read the whole bundle, report every problem with its path."""

from __future__ import annotations

from typing import Any

from beacon.agencies import codes as agency_codes
from beacon.agencies.models import Agency
from beacon.geo import places
from beacon.operations import catalogue, codes
from beacon.operations.bundles import FORMAT, VERSIONS, schema
from beacon.operations.bundles.plan import BundleRejected, Plan
from beacon.operations.bundles.reader import Reader, Row
from beacon.operations.bundles.records import RECORD_FIELDS, parse_record
from beacon.operations.models import (
    Count,
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
    "metrics",
    "places",
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
        if data.get("version") not in VERSIONS:
            self.fail("version", f"must be {' or '.join(str(v) for v in VERSIONS)}")
        for extra in sorted(set(data) - TOP_LEVEL):
            self.fail(extra, "unknown section")
        self._metrics()
        self._places()
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

    def _metrics(self) -> None:
        known = catalogue.builtin()
        for path, row in self.reader.rows(self.data, "metrics", METRIC_FIELDS):
            metric_id = row.get("id")
            if not isinstance(metric_id, str):
                self.fail(f"{path}.id", "this field is required")
                continue
            for name, reason in catalogue.entry_problems(metric_id, row, known):
                self.fail(f"{path}.{name}" if name else path, reason)
            if metric_id in self.plan.metrics:
                self.fail(f"{path}.id", f"{metric_id} appears twice")
            entry = {k: v for k, v in row.items() if k != "id"}
            self.plan.metrics[metric_id] = entry
            self.plan.metric_paths[metric_id] = path

    def _places(self) -> None:
        r = self.reader
        for path, row in r.rows(self.data, "places", PLACE_FIELDS):
            text = r.text(row, "ref", path, required=True, max_len=260)
            parsed = places.normalise(text) if text else "this field is required"
            if isinstance(parsed, str):
                self.fail(f"{path}.ref", parsed)
                continue
            kind, code = parsed
            if kind not in ("city", *places.NAMED):
                self.fail(f"{path}.ref", "declare a city, district, field_office, group or area")
                continue
            name = row.get("name")
            names = {"en": "", "fr": ""}
            if name is not None:
                if (
                    not isinstance(name, dict)
                    or set(name) - {"en", "fr"}
                    or not all(
                        isinstance(v, str) and v.strip() and len(v) <= 200 for v in name.values()
                    )
                ):
                    self.fail(f"{path}.name", 'give {"en": "...", "fr": "..."}')
                else:
                    names |= {k: v.strip() for k, v in name.items()}
            if not names["en"] and not places.known(kind, code):
                self.fail(f"{path}.name", "required for a place Beacon does not know")
            within = r.jurisdiction(row, "within", path)
            members = [
                r.jurisdiction_ref(ref, f"{path}.members[{i}]")
                for i, ref in enumerate(r.strings(row, "members", path))
            ]
            ref = f"{kind}:{code}"
            r.declared_places.add(ref)
            self.plan.places.append(
                (
                    path,
                    {
                        "ref": ref,
                        "name_en": names["en"],
                        "name_fr": names["fr"] or names["en"],
                        "within": within,
                        "members": [m for m in members if m],
                    },
                )
            )

    def _agencies(self) -> None:
        r = self.reader
        seen: set[str] = set()
        rows = r.rows(self.data, "agencies", AGENCY_FIELDS)
        for path, row in rows:  # handles first: a parent may be named by its ref
            handle = r.text(row, "ref", path, max_len=60)
            key = self._agency_key(path, row)
            if handle and key:
                r.agency_aliases[handle] = key
        for path, row in rows:
            key = self._agency_key(path, row, report=True)
            parent = r.ori(row, "parent", path, required=False)
            typed = {
                "key": key,
                "ori": key if ":" not in key else "",
                "name": r.text(row, "name", path, required=True),
                "short_name": r.text(row, "short_name", path, max_len=40),
                "kind": r.choice(row, "kind", path, AGENCY_KINDS, default="local"),
                "parent": parent,
                "jurisdiction": r.jurisdiction(row, "jurisdiction", path),
                "country": "",
                "international_id": r.text(row, "international_id", path, max_len=60),
            }
            typed["country"] = self._agency_country(path, row, typed)
            if key and key in seen:
                self.fail(path, f"agency {key} appears twice")
            if parent and parent not in seen and not _agency_exists(parent):
                self.fail(f"{path}.parent", f"unknown agency {parent} (list parents first)")
            seen.add(key)
            self.plan.agencies.append((path, typed))

    def _agency_key(self, path: str, row: Row, *, report: bool = False) -> str:
        """The ORI, else ``XX:Name``."""
        scratch = Reader() if not report else self.reader
        ori = scratch.ori(row, "ori", path, required=False)
        if ori and ":" not in ori:
            return ori
        if ori:
            scratch.fail(f"{path}.ori", "an ORI is 9 characters")
            return ""
        country = scratch.text(row, "country", path, max_len=2).upper()
        name = scratch.text(row, "name", path, required=True)
        if not country:
            scratch.fail(f"{path}.country", "required for an agency without an ORI")
            return ""
        return f"{country}:{name}"

    def _agency_country(self, path: str, row: Row, typed: Row) -> str:
        """Which country the agency is in; an ORI prefix that is both a US state and a
        country (CA, IN, DE...) must be settled by ``country`` or ``jurisdiction``."""
        given = self.reader.text(row, "country", path, max_len=2).upper()
        if given and given != "ZZ" and not agency_codes.is_state_or_country_code(given):
            self.fail(f"{path}.country", f"unknown country {given}")
            return ""
        place = typed["jurisdiction"]
        from_place = ""
        if place:
            kind, _sep, code = place.partition(":")
            if kind in places.US_KINDS:
                from_place = "US"
            elif kind in ("country", "subdivision", "city"):
                from_place = code[:2]
        ori = typed["ori"]
        if not ori:
            return given
        prefix = ori[:2]
        state = prefix in _us_states()
        country = bool(agency_codes.is_state_or_country_code(prefix)) and _is_country(prefix)
        settled = given or from_place
        if state and country and not settled:
            self.fail(
                f"{path}.country",
                f"ORI prefix {prefix} is both a US state and a country: "
                f"give country (US or {prefix})",
            )
            return ""
        if settled and settled not in ("US", prefix):
            self.fail(f"{path}.country", f"ORI prefix {prefix} is neither US nor {settled}")
            return ""
        if given and from_place and given != from_place:
            self.fail(f"{path}.jurisdiction", f"not in the agency's country {given}")
        return settled or ("US" if state else prefix)

    def _operations(self) -> None:
        r = self.reader
        seen: set[str] = set()
        series_codes = {row["code"] for _p, row in self.plan.sections.get("series", [])}
        for path, row in r.rows(self.data, "operations", OPERATION_FIELDS):
            code = r.text(row, "code", path, required=True, max_len=32)
            start, start_precision = r.partial(row, "start", path, required=True)
            announced, announced_precision = r.partial(row, "announced", path)
            end, end_precision = r.partial(row, "end", path, end=True)
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
                        "status": r.choice(
                            row, "status", path, codes.Status.values, default="closed"
                        ),
                        "start": start,
                        "start_precision": start_precision,
                        "end": end,
                        "end_precision": end_precision,
                        "announced": announced,
                        "announced_precision": announced_precision,
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
        allowed = [*section.names, *schema.SHORTHANDS.get(section.name, ())]
        for path, row in self.reader.rows(self.data, section.name, allowed):
            row = schema.expand_shorthands(self.reader, section, path, row)
            rows.append((path, schema.parse_row(self.reader, section, path, row)))
        self.plan.sections[section.name] = rows

    # -- cross-references -------------------------------------------------------

    def _references(self) -> None:
        plan, sections = self.plan, self.plan.sections
        oris = {row["key"] for _p, row in plan.agencies}
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
        known_oris = oris | _existing_agencies(mentioned - oris)
        metrics = catalogue.catalogue(plan.metrics)
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
        counts: set[tuple[str, str]] = set()

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
                    elif f.kind == "count" and value:
                        need(
                            (op, value) in counts
                            or Count.objects.filter(operation__code=op, ref=value).exists(),
                            f"{path}.{f.name}",
                            f"unknown count {value} in operation {op} (list the whole first)",
                        )
                if section in (schema.FIGURES, schema.COUNTS):
                    for reason in metrics.problems(row["metric"], row["breakdown"]):
                        self.fail(f"{path}.metric", reason)
                    self._unit_rules(path, row, metrics)
                if section is schema.COUNTS:
                    counts.add((op, row["ref"]))
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

    def _unit_rules(self, path: str, row: Row, metrics: catalogue.Catalogue) -> None:
        metric_id, _crumbs = metrics.resolve(row["metric"])
        metric = metrics.get(metric_id)
        if metric is None:
            return
        unit = row.get("unit", "")
        if row.get("currency") and (len(row["currency"]) != 3 or not row["currency"].isalpha()):
            self.fail(f"{path}.currency", "an ISO 4217 code (USD, EUR, CAD)")
        if metric.unit == "money" and not row.get("currency") and unit != "percent":
            self.fail(f"{path}.currency", f"{metric_id} is money: give its currency")
        if metric.unit != "money" and row.get("currency"):
            self.fail(f"{path}.currency", f"{metric_id} is not money")
        if "unit" not in row:  # counts
            if not metric.summable:
                self.fail(f"{path}.metric", f"{metric_id} is {metric.unit}: not a count")
            return
        if unit in ("years", "months") and metric.unit != "age":
            self.fail(f"{path}.unit", f"{metric_id} is not an age")
        if unit in ("hours", "days", "weeks") and metric.unit != "duration":
            self.fail(f"{path}.unit", f"{metric_id} is not a duration")
        if metric.unit == "duration" and not unit:
            self.fail(
                f"{path}.unit",
                f"{metric_id} is a duration: give hours, days, weeks, months or years",
            )
        if unit == "percent" and row["base"] is None and row["base_value"] is None:
            pass  # a share of the parent figure, or of an unstated whole
        if unit != "percent" and (row["base"] or row["base_value"] is not None):
            self.fail(f"{path}.base", "only a percentage has a base")

    def _figure_rules(self, path: str, row: Row) -> None:
        if bool(row["operation"]) == bool(row["series"]):
            self.fail(path, "give either operation or series")
        if not row["scope"]:
            if row["jurisdiction"]:
                row["scope"] = codes.FigureScope.JURISDICTION
            elif row["agency"]:
                row["scope"] = codes.FigureScope.AGENCY
            else:
                row["scope"] = (
                    codes.FigureScope.SERIES if row["series"] else codes.FigureScope.OPERATION
                )
        if row["supersedes"] == row["ref"] or (row["base"] and row["base"] == row["ref"]):
            self.fail(path, "a figure cannot refer to itself")
        if row["period_start"] and row["period_end"] and row["period_end"] < row["period_start"]:
            self.fail(f"{path}.period_end", "cannot be before period_start")
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


AGENCY_FIELDS = (
    "ori",
    "ref",
    "name",
    "short_name",
    "kind",
    "parent",
    "jurisdiction",
    "country",
    "international_id",
)
METRIC_FIELDS = (
    "id",
    "unit",
    "definition",
    "family",
    "parent",
    "sum_of",
    "dimensions",
    "en",
    "fr",
    "es",
    "pt",
)
PLACE_FIELDS = ("ref", "name", "within", "members")


def _us_states() -> set[str]:
    import us

    return {s.abbr for s in [*us.states.STATES_AND_TERRITORIES, us.states.DC]}


def _is_country(code: str) -> bool:
    import pycountry

    return pycountry.countries.get(alpha_2=code) is not None


def _agency_exists(key: str) -> bool:
    return bool(_existing_agencies({key}))


def _existing_agencies(keys: set[str]) -> set[str]:
    """The agency keys (ORI or ``XX:Name``) among ``keys`` that are in Beacon."""
    oris = {k for k in keys if ":" not in k}
    found = set(Agency.objects.filter(ori__in=oris).values_list("ori", flat=True))
    for key in keys - oris:
        country, _sep, name = key.partition(":")
        if Agency.objects.filter(ori="", country=country, name=name).exists():
            found.add(key)
    return found


def _record_exists(key: str) -> bool:
    ori, _sep, oca = key.partition(":")
    return MissingPersonRecord.objects.filter(originating_agency__ori=ori, oca=oca).exists()
