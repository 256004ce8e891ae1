"""The bundle's sections as field tables: one table drives parsing, writing and export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models

from beacon.agencies.models import Agency
from beacon.operations import codes
from beacon.operations.bundles.reader import Reader, Row, jurisdiction_ref_of, partial_text
from beacon.operations.models import (
    Arrest,
    Count,
    HitConfirmation,
    Investigation,
    Lead,
    Outcome,
    Person,
    Raid,
    Referral,
    ReportedFigure,
    SearchWarrant,
    Seizure,
    Series,
    Service,
    Target,
    Victim,
)

# Field kinds: text, longtext, int, bool, number, date, pdate (partial date, with its
# ``<name>_precision``), pend (the same, read as the end of its period), datetime, choice,
# ori (an agency), jurisdiction (a place), breakdown, person, people, victim, target,
# figure, count, operation, series.


@dataclass(frozen=True)
class Field:
    name: str
    kind: str = "text"
    required: bool = False
    choices: tuple[str, ...] = ()
    default: Any = None


@dataclass(frozen=True)
class Section:
    name: str
    model: type[models.Model]
    fields: tuple[Field, ...]
    per_operation: bool = True  # refs unique within an operation (else across Beacon)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]


def _choices(enum: type[models.TextChoices]) -> tuple[str, ...]:
    return tuple(str(v) for v in enum.values)


# UNODC forms of exploitation (the catalogue's ``form`` dimension).
FORMS = (
    "sexual_exploitation",
    "forced_labour",
    "forced_criminality",
    "forced_begging",
    "forced_marriage",
    "domestic_servitude",
    "organ_removal",
    "illegal_adoption",
    "mixed",
    "other",
)


REF = Field("ref", required=True)
OPERATION = Field("operation", "operation", required=True)
EVENT_BASE = (
    REF,
    OPERATION,
    Field("agency", "ori", required=True),
    Field("jurisdiction", "jurisdiction", required=True),
    Field("at", "datetime", required=True),
    Field("people", "people", default=[]),
    Field("notes", "longtext", default=""),
)

SERIES = Section(
    "series",
    Series,
    (
        Field("code", required=True),
        Field("name", required=True),
        Field("description", "longtext", default=""),
        Field("first_year", "int"),
        Field("origin", "jurisdiction"),
        Field("edition_naming", "choice", choices=_choices(codes.EditionNaming), default="number"),
    ),
    per_operation=False,
)
PEOPLE = Section(
    "people",
    Person,
    (
        REF,
        Field("last_name", default=""),
        Field("first_name", default=""),
        Field("sex", "choice", choices=_choices(codes.Sex), default="U"),
        Field("dob", "date"),
        Field("nationality", "jurisdiction"),
    ),
    per_operation=False,
)
TARGETS = Section(
    "targets",
    Target,
    (
        REF,
        OPERATION,
        Field("record", "record", required=True),
        Field("person", "person"),
        Field("assigned_agency", "ori", required=True),
        Field("investigator", default=""),
    ),
)
OUTCOMES = Section(
    "outcomes",
    Outcome,  # written through services.record_outcome, keyed by target
    (
        OPERATION,
        Field("target", "target", required=True),
        Field("kind", "choice", required=True, choices=_choices(codes.OutcomeKind)),
        Field("how", "choice", required=True, choices=_choices(codes.OutcomeHow)),
        Field("at", "datetime", required=True),
        Field("agency", "ori", required=True),
        Field("place", default=""),
        Field("jurisdiction", "jurisdiction"),
    ),
)
LEADS = Section(
    "leads",
    Lead,
    (
        REF,
        OPERATION,
        Field("target", "target", required=True),
        Field("received_at", "datetime", required=True),
        Field("source", default=""),
        Field("description", "longtext", default=""),
        Field("place", default=""),
        Field("jurisdiction", "jurisdiction"),
        Field("status", "choice", choices=_choices(codes.LeadStatus), default="open"),
    ),
)
HITS = Section(
    "hit_confirmations",
    HitConfirmation,
    (
        REF,
        OPERATION,
        Field("target", "target", required=True),
        Field("requesting_agency", "ori", required=True),
        Field("priority", "choice", required=True, choices=_choices(codes.Priority)),
        Field("requested_at", "datetime", required=True),
        Field("confirmed_at", "datetime"),
        Field("confirmed_by", default=""),
    ),
)
EVENTS = (
    Section(
        "victims",
        Victim,
        (
            *EVENT_BASE,
            Field("person", "person", required=True),
            Field("age_min", "int"),
            Field("age_max", "int"),
            Field("age_group", "choice", choices=_choices(codes.AgeGroup), default="unknown"),
            Field("sex", "choice", choices=_choices(codes.Sex), default="U"),
            Field("nationality", "jurisdiction"),
            Field(
                "self_identification",
                "choice",
                choices=_choices(codes.SelfIdentification),
                default="not_stated",
            ),
            Field("consent", "choice", choices=_choices(codes.Consent), default="not_asked"),
            Field("form", "choice", choices=FORMS, default=""),
        ),
    ),
    Section(
        "arrests",
        Arrest,
        (
            *EVENT_BASE,
            Field("person", "person", required=True),
            Field("role", "choice", choices=_choices(codes.ArrestRole), default="other"),
            Field("charges", "longtext", default=""),
            Field("nibrs", "choice", choices=_choices(codes.Nibrs), default=""),
            Field("warrants_served", "int", default=0),
            Field("prior_registered_offender", "bool", default=False),
        ),
    ),
    Section("search_warrants", SearchWarrant, (*EVENT_BASE, Field("place", default=""))),
    Section(
        "raids",
        Raid,
        (
            *EVENT_BASE,
            Field("kind", "choice", required=True, choices=_choices(codes.RaidKind)),
            Field("place", default=""),
        ),
    ),
    Section(
        "seizures",
        Seizure,
        (
            *EVENT_BASE,
            Field("cash_amount", "number"),
            Field("currency", default=""),
            Field("devices", "int", default=0),
            Field("file_count", "int", default=0),
            Field(
                "file_count_qualifier", "choice", choices=_choices(codes.Qualifier), default="exact"
            ),
        ),
    ),
    Section(
        "services",
        Service,
        (
            *EVENT_BASE,
            Field("person", "person", required=True),
            Field("kind", "choice", required=True, choices=_choices(codes.ServiceKind)),
            Field("status", "choice", choices=_choices(codes.ServiceStatus), default="provided"),
        ),
    ),
    Section(
        "referrals",
        Referral,
        (
            *EVENT_BASE,
            Field("victim", "victim", required=True),
            Field("to_agency", "ori", required=True),
            Field("status", "choice", choices=_choices(codes.ReferralStatus), default="offered"),
        ),
    ),
    Section(
        "investigations",
        Investigation,
        (
            *EVENT_BASE,
            Field("type", "choice", required=True, choices=_choices(codes.InvestigationType)),
            Field("summary", default=""),
        ),
    ),
)
PERIOD = (
    Field("period_start", "pdate"),
    Field("period_end", "pend"),
)
FIGURES = Section(
    "reported_figures",
    ReportedFigure,
    (
        REF,
        Field("operation", "operation"),
        Field("series", "series"),
        Field("edition", "int"),
        Field("metric", required=True),
        Field("breakdown", "breakdown", default={}),
        Field("value", "number", required=True),
        Field("qualifier", "choice", choices=_choices(codes.Qualifier), default="exact"),
        Field("unit", "choice", choices=codes.FIGURE_UNITS, default=""),
        Field("base", "figure"),
        Field("base_value", "number"),
        Field("currency", default=""),
        Field("scope", "choice", choices=_choices(codes.FigureScope), default=""),
        Field("jurisdiction", "jurisdiction"),
        Field("agency", "ori"),
        *PERIOD,
        Field("status", "choice", choices=_choices(codes.FigureStatus), default="final"),
        Field("supersedes", "figure"),
        Field("context", "bool", default=False),
        Field("parent", "figure"),
        Field("source_name", required=True),
        Field("source_date", "pdate"),
        Field("source_document", default=""),
        Field("note", default=""),
        Field("withdrawn", "bool", default=False),
    ),
    per_operation=False,
)
COUNTS = Section(
    "counts",
    Count,
    (
        REF,
        OPERATION,
        Field("metric", required=True),
        Field("breakdown", "breakdown", default={}),
        Field("value", "number", required=True),
        Field("currency", default=""),
        Field("jurisdiction", "jurisdiction"),
        Field("agency", "ori"),
        *PERIOD,
        Field("parent", "count"),
        Field("notes", "longtext", default=""),
    ),
)
# Shorthands expanded before a row is read: ``period`` ("2019", "2021-05/2021-06") and,
# on counts, ``at`` (one day or month).
SHORTHANDS = {"reported_figures": ("period",), "counts": ("period", "at")}
SECTIONS = (SERIES, PEOPLE, TARGETS, OUTCOMES, LEADS, HITS, *EVENTS, COUNTS, FIGURES)


REF_MAX = 40
CODE_MAX = 32


def _max(section: Section, name: str) -> int:
    """The stored column's length, so PostgreSQL never sees an over-long value."""
    from django.core.exceptions import FieldDoesNotExist

    try:
        field = section.model._meta.get_field(name)
    except FieldDoesNotExist:
        return 200
    length = getattr(field, "max_length", None)
    return int(length) if length else 200


def _int_max(section: Section, name: str) -> int:
    field = section.model._meta.get_field(name)
    return 32767 if isinstance(field, models.PositiveSmallIntegerField) else 2_147_483_647


def parse_row(reader: Reader, section: Section, path: str, row: Row) -> Row:
    """Typed values of one row (references stay as their bundle strings)."""
    out: Row = {}
    for field in section.fields:
        kind, name, required = field.kind, field.name, field.required
        if kind == "text":
            value: Any = reader.text(
                row, name, path, required=required, max_len=_max(section, name)
            )
        elif kind in ("pdate", "pend"):
            value, precision = reader.partial(
                row, name, path, required=required, end=kind == "pend"
            )
            out[f"{name}_precision"] = precision
        elif kind == "breakdown":
            value = _breakdown(reader, row, name, path)
        elif kind in ("person", "victim", "target", "figure", "count"):
            value = reader.text(row, name, path, required=required, max_len=REF_MAX)
        elif kind in ("operation", "series"):
            value = reader.text(row, name, path, required=required, max_len=CODE_MAX)
        elif kind == "record":
            value = reader.text(row, name, path, required=required, max_len=40).upper()
        elif kind == "longtext":
            value = reader.text(row, name, path, required=required, max_len=5000)
        elif kind == "int":
            value = reader.integer(
                row, name, path, required=required, maximum=_int_max(section, name)
            )
        elif kind == "bool":
            value = reader.boolean(row, name, path)
        elif kind == "number":
            value = reader.number(row, name, path, required=required)
        elif kind == "date":
            value = reader.day(row, name, path, required=required)
        elif kind == "datetime":
            value = reader.moment(row, name, path, required=required)
        elif kind == "choice":
            value = reader.choice(
                row, name, path, field.choices, required=required, default=field.default or ""
            )
        elif kind == "ori":
            value = reader.ori(row, name, path, required=required)
        elif kind == "jurisdiction":
            value = reader.jurisdiction(row, name, path, required=required)
        elif kind == "people":
            value = sorted(set(reader.strings(row, name, path)))
        else:  # pragma: no cover - a table error, caught by the tests
            raise ValueError(f"unknown field kind {kind}")
        if value is None or value == "":
            value = field.default if field.default is not None else value
        out[name] = value
    return out


def _breakdown(reader: Reader, row: Row, name: str, path: str) -> dict[str, str]:
    value = row.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items()
    ):
        reader.fail(f"{path}.{name}", 'an object of dimension: value, e.g. {"age_group": "minor"}')
        return {}
    return {k: v.strip() for k, v in sorted(value.items())}


def expand_shorthands(reader: Reader, section: Section, path: str, row: Row) -> Row:
    """``period`` into period_start / period_end (and a count's ``at``)."""
    names = SHORTHANDS.get(section.name, ())
    out = dict(row)
    for name in names:
        if name not in out:
            continue
        value = out.pop(name)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            reader.fail(f"{path}.{name}", "a date (2019, 2021-06, 2021-06-11) or start/end")
            continue
        start, _sep, end = value.strip().partition("/")
        if "period_start" in out or "period_end" in out:
            reader.fail(f"{path}.{name}", "give either it or period_start / period_end")
            continue
        out["period_start"], out["period_end"] = start, end or start
    return out


def canonical(row: Row) -> str:
    """A stable text of a typed row, to tell an identical re-import from a changed one."""
    import json

    def plain(value: Any) -> Any:
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value.quantize(Decimal("0.01")))
        return value

    return json.dumps({k: plain(v) for k, v in row.items()}, sort_keys=True, default=str)


def export_value(obj: models.Model, field: Field) -> Any:
    """The bundle value of ``field`` on a stored object (the inverse of parse_row)."""
    name, kind = field.name, field.kind
    if kind == "operation":
        value = getattr(obj, "operation", None)
        return value.code if value is not None else None
    if kind == "series":
        value = getattr(obj, "series", None)
        return value.code if value is not None else None
    if kind == "people":
        return sorted(p.ref for p in obj.people.all())  # type: ignore[attr-defined]
    if kind in ("person", "victim", "target", "figure", "count"):
        value = getattr(obj, name)
        return value.ref if value is not None else None
    if kind in ("pdate", "pend"):
        return partial_text(getattr(obj, name), getattr(obj, f"{name}_precision"))
    if kind == "breakdown":
        return dict(getattr(obj, name) or {}) or None
    if kind == "record":
        record = getattr(obj, name)
        return f"{record.originating_agency.ori}:{record.oca}"
    if kind == "ori":
        value = getattr(obj, name)
        return value.key if isinstance(value, Agency) else None
    if kind == "jurisdiction":
        return jurisdiction_ref_of(getattr(obj, name)) or None
    value = getattr(obj, name)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral() else int(value)
    return value
