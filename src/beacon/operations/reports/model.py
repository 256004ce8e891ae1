"""The typed report: what ``build_report`` computes once and every rendering reads.

Frozen dataclasses, one per part of the report. ``Report.as_dict()`` is the JSON
contract of the API and ``beacon report --format json`` (issue 3): the same keys, in the
same order, as the dictionary the report code passed around before (issue 13).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from beacon.operations.nibrs import NibrsSummary
from beacon.operations.reports.tally import AGES, BREAKDOWNS, COUNTS

Number = int | float
NO_BREAKDOWN: Mapping[str, str] = {}


@dataclass(frozen=True)
class Period:
    start: str | None = None
    end: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"start": self.start, "end": self.end}


@dataclass(frozen=True)
class Totals:
    """A tally's metrics (``tally.METRICS``) and breakdowns, in the JSON's order."""

    targets: Number = 0
    recovered: Number = 0
    located: Number = 0
    outstanding: Number = 0
    located_abroad: Number = 0
    arrests: Number = 0
    warrants_served: Number = 0
    victims_rescued: Number = 0
    victims_minor: Number = 0
    victims_adult: Number = 0
    medical_services: Number = 0
    screenings: Number = 0
    services: Number = 0
    search_warrants: Number = 0
    raids: Number = 0
    investigations_opened: Number = 0
    referrals: Number = 0
    devices_seized: Number = 0
    files_seized: Number = 0
    cash_seized: Number = 0
    victim_age_min: Number | None = None
    victim_age_max: Number | None = None
    victim_age_mean: Number | None = None
    target_age_min: Number | None = None
    target_age_max: Number | None = None
    arrests_by_role: Mapping[str, Number] = field(default_factory=dict)
    investigations_by_type: Mapping[str, Number] = field(default_factory=dict)
    investigations_by_agency: Mapping[str, Number] = field(default_factory=dict)
    located_abroad_by_country: Mapping[str, Number] = field(default_factory=dict)
    referrals_by_agency: Mapping[str, Number] = field(default_factory=dict)
    raids_by_kind: Mapping[str, Number] = field(default_factory=dict)
    services_by_kind: Mapping[str, Number] = field(default_factory=dict)
    cash_seized_by_currency: Mapping[str, Number] = field(default_factory=dict)

    @classmethod
    def of(cls, metrics: Mapping[str, Any]) -> Totals:
        return cls(**{f.name: metrics[f.name] for f in fields(cls)})

    def value(self, metric: str) -> Number | None:
        """A metric's value by name (None: not a metric of the tally)."""
        if metric not in _SCALARS:
            return None
        found: Number | None = getattr(self, metric)
        return found

    def breakdown(self, name: str) -> Mapping[str, Number]:
        found: Mapping[str, Number] = getattr(self, name) if name in BREAKDOWNS else {}
        return found

    def as_dict(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


_SCALARS = frozenset((*COUNTS, "cash_seized", *AGES))


def _plain(value: Any) -> Any:
    return dict(value) if isinstance(value, Mapping) else value


@dataclass(frozen=True)
class PlaceTotals:
    """One row of the by-jurisdiction table: a declared place and its totals."""

    jurisdiction: str
    jurisdiction_code: str | None
    totals: Totals

    def as_dict(self) -> dict[str, Any]:
        head = {"jurisdiction": self.jurisdiction, "jurisdiction_code": self.jurisdiction_code}
        return head | self.totals.as_dict()


@dataclass(frozen=True)
class AgencyTotals:
    agency: str
    totals: Totals

    def as_dict(self) -> dict[str, Any]:
        return {"agency": self.agency, **self.totals.as_dict()}


@dataclass(frozen=True)
class Participant:
    agency: str
    ori: str
    role: str
    operation: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "agency": self.agency,
            "ori": self.ori,
            "role": self.role,
            "operation": self.operation,
        }


@dataclass(frozen=True)
class Hub:
    code: str
    operation: str

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "operation": self.operation}


@dataclass(frozen=True)
class SubOperation:
    operation: str
    code: str
    status: str
    jurisdictions: tuple[str, ...]
    agencies: tuple[str, ...]
    totals: Totals

    def as_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "code": self.code,
            "status": self.status,
            "jurisdictions": list(self.jurisdictions),
            "agencies": list(self.agencies),
            "totals": self.totals.as_dict(),
        }


@dataclass(frozen=True)
class AreaRow:
    """A place a figure or a count names, with what the records give there (None: not
    recorded) for each metric named there."""

    jurisdiction: str
    jurisdiction_code: str
    kind: str
    values: Mapping[str, Number | None]

    def as_dict(self) -> dict[str, Any]:
        return {
            "jurisdiction": self.jurisdiction,
            "jurisdiction_code": self.jurisdiction_code,
            "kind": self.kind,
            "values": dict(self.values),
        }


@dataclass(frozen=True, kw_only=True)
class Stated:
    """A figure as a sentence says it (a published figure, a count, a series total)."""

    metric: str
    value: Number
    qualifier: str = "exact"
    breakdown: Mapping[str, str] = field(default_factory=dict)
    unit: str = ""
    base_metric: str | None = None
    base_value: Number | None = None
    currency: str = ""
    jurisdiction: str | None = None
    agency: str | None = None
    period: Period = field(default_factory=Period)


@dataclass(frozen=True, kw_only=True)
class CountFigure(Stated):
    """An aggregate count the operation entered (a first-class row beside records)."""

    label: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "label": self.label,
            "breakdown": dict(self.breakdown),
            "value": self.value,
            "qualifier": self.qualifier,
            "currency": self.currency,
            "jurisdiction": self.jurisdiction,
            "agency": self.agency,
            "period": self.period.as_dict(),
        }


@dataclass(frozen=True)
class Source:
    name: str
    date: str | None = None
    document: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "date": self.date, "document": self.document}


@dataclass(frozen=True)
class Publisher:
    """Another publisher's figure for the same thing."""

    ref: str
    value: Number
    qualifier: str
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "value": self.value,
            "qualifier": self.qualifier,
            "source": self.source,
        }


@dataclass(frozen=True, kw_only=True)
class Figure(Stated):
    """A reported figure beside what the records give, marked."""

    ref: str
    label: str = ""
    base: str | None = None
    scope: str = "operation"
    operation: str | None = None
    series: str | None = None
    edition: int | None = None
    jurisdiction_kind: str | None = None
    context: bool = False
    parent: str | None = None
    publication: str = "final"
    supersedes: str | None = None
    superseded_by: str | None = None
    source: Source = field(default_factory=lambda: Source(""))
    note: str = ""
    computed: Number | None = None
    status: str = "not_compared"
    publishers: tuple[Publisher, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "metric": self.metric,
            "label": self.label,
            "breakdown": dict(self.breakdown),
            "value": self.value,
            "qualifier": self.qualifier,
            "unit": self.unit,
            "base": self.base,
            "base_metric": self.base_metric,
            "base_value": self.base_value,
            "currency": self.currency,
            "scope": self.scope,
            "operation": self.operation,
            "series": self.series,
            "edition": self.edition,
            "jurisdiction": self.jurisdiction,
            "jurisdiction_kind": self.jurisdiction_kind,
            "agency": self.agency,
            "period": self.period.as_dict(),
            "context": self.context,
            "parent": self.parent,
            "publication": self.publication,
            "supersedes": self.supersedes,
            "superseded_by": self.superseded_by,
            "source": self.source.as_dict(),
            "note": self.note,
            "computed": self.computed,
            "status": self.status,
            "publishers": [p.as_dict() for p in self.publishers],
        }


@dataclass(frozen=True)
class SeriesEdition:
    """One edition's figures in the series breakdown: from its records or as published."""

    edition: int
    operation: str | None
    code: str | None
    source: str  # "computed" or "reported"
    values: Mapping[str, Number]
    qualifiers: Mapping[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "edition": self.edition,
            "operation": self.operation,
            "code": self.code,
            "source": self.source,
            **self.values,
        }
        if self.qualifiers:
            out["qualifiers"] = dict(self.qualifiers)
        return out


@dataclass(frozen=True)
class SeriesTotal:
    """A series total of one metric, where it comes from, and its qualifier."""

    value: Number
    source: str  # "sum of editions" or "reported for the whole series"
    sum_of_editions: Number
    qualifier: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "from": self.source,
            "sum_of_editions": self.sum_of_editions,
            "qualifier": self.qualifier,
        }


@dataclass(frozen=True)
class Series:
    code: str
    name: str
    first_year: int | None
    edition_naming: str
    edition: int | None  # the report's operation's
    editions_count: int
    totals: Mapping[str, SeriesTotal]
    editions: tuple[SeriesEdition, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "series": {
                "code": self.code,
                "name": self.name,
                "first_year": self.first_year,
                "edition_naming": self.edition_naming,
            },
            "edition": self.edition,
            "series_totals": {"editions": self.editions_count}
            | {metric: total.value for metric, total in self.totals.items()},
            "series_sources": {metric: total.as_dict() for metric, total in self.totals.items()},
            "series_editions": [e.as_dict() for e in self.editions],
        }


@dataclass(frozen=True)
class Report:
    """An operation's results report in one language."""

    operation: str
    code: str
    language: str
    description: str
    status: str
    period: Period
    announced: str | None
    focus: tuple[str, ...]
    agencies: tuple[str, ...]
    lead_agencies: tuple[str, ...]
    participants: tuple[Participant, ...]
    jurisdictions: tuple[str, ...]
    totals: Totals
    countries: int
    participating_agencies: int
    by_jurisdiction: tuple[PlaceTotals, ...]
    by_agency: tuple[AgencyTotals, ...]
    hub: Hub | None
    sub_operations: tuple[SubOperation, ...]
    computed: Mapping[str, Number]
    local_metrics: Mapping[str, Mapping[str, Any]]
    by_place: tuple[AreaRow, ...]
    counts: tuple[CountFigure, ...]
    period_as_published: Period
    series: Series | None
    figures: tuple[Figure, ...]
    nibrs: NibrsSummary
    sharing: str = "TLP:CLEAR"  # the marking a rendering carries (not in the JSON)

    @property
    def disagreements(self) -> tuple[Figure, ...]:
        return tuple(f for f in self.figures if f.status == "disagrees")

    @property
    def naming(self) -> str:
        """How the series names its editions ("number" or "year")."""
        return self.series.edition_naming if self.series else "number"

    def total(self, metric: str) -> Number | None:
        """The operation's total of a metric, the two operation-wide counts included."""
        if metric == "countries":
            return self.countries
        if metric == "participating_agencies":
            return self.participating_agencies
        return self.totals.value(metric)

    def totals_dict(self) -> dict[str, Any]:
        return self.totals.as_dict() | {
            "countries": self.countries,
            "participating_agencies": self.participating_agencies,
        }

    def as_dict(self) -> dict[str, Any]:
        """The JSON contract."""
        out: dict[str, Any] = {
            "operation": self.operation,
            "code": self.code,
            "language": self.language,
            "description": self.description,
            "status": self.status,
            "period": self.period.as_dict(),
            "announced": self.announced,
            "focus": list(self.focus),
            "agencies": list(self.agencies),
            "lead_agencies": list(self.lead_agencies),
            "participants": [p.as_dict() for p in self.participants],
            "jurisdictions": list(self.jurisdictions),
            "totals": self.totals_dict(),
            "by_jurisdiction": [row.as_dict() for row in self.by_jurisdiction],
            "by_agency": [row.as_dict() for row in self.by_agency],
            "hub": self.hub.as_dict() if self.hub else None,
        }
        if self.sub_operations:
            out["sub_operations"] = [sub.as_dict() for sub in self.sub_operations]
        out |= {
            "computed": dict(self.computed),
            "local_metrics": {k: dict(v) for k, v in self.local_metrics.items()},
            "by_place": [row.as_dict() for row in self.by_place],
            "counts": [c.as_dict() for c in self.counts],
            "period_as_published": self.period_as_published.as_dict(),
        }
        if self.series is not None:
            out |= self.series.as_dict()
        figures = [f.as_dict() for f in self.figures]
        out["reported_figures"] = figures
        out["nibrs"] = self.nibrs.as_dict()
        out["disagreements"] = [f for f in figures if f["status"] == "disagrees"]
        return out
