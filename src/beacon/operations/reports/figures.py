"""Reported figures beside what the records say, honestly (docs/metrics.md).

A computed value exists only where the records cover the metric in the figure's scope:
"not recorded" is None, never 0, and never a disagreement. Figures of the same metric,
breakdown, scope and period are grouped: an interim figure a later one replaces is
``superseded``; publishers that differ are shown side by side (``publishers_differ``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from beacon.geo.places import Containment
from beacon.operations import codes
from beacon.operations.catalogue import Catalogue
from beacon.operations.models import Count, ReportedFigure
from beacon.operations.reports.aggregate import Cell, Places
from beacon.operations.reports.labels import place as place_name
from beacon.operations.reports.model import CountFigure, Figure, Period, Publisher, Source
from beacon.operations.reports.tally import Tally, number, total

ABOUT_TOLERANCE = Decimal("0.2")  # "about 25" agrees with 20 to 30; "nearly 100": 80 to 100
FINAL = codes.FigureStatus.FINAL


def agrees(computed: float | int | Decimal, value: Decimal, qualifier: str) -> bool:
    """Whether ``computed`` is what "``qualifier`` ``value``" says."""
    got, q = Decimal(str(computed)), codes.Qualifier
    if qualifier == q.AT_LEAST:
        return got >= value
    if qualifier in (q.MORE_THAN, q.OVER):
        return got > value
    if qualifier == q.UP_TO:
        return got <= value
    if qualifier == q.FEWER_THAN:
        return got < value
    if qualifier == q.ABOUT:
        return abs(got - value) <= abs(value) * ABOUT_TOLERANCE
    if qualifier in (q.NEARLY, q.ALMOST):
        return value * (1 - ABOUT_TOLERANCE) <= got <= value
    return got == value


@dataclass(frozen=True)
class CountRow:
    operation_id: int
    place: int | None
    agency: int | None
    metric: str
    breakdown: tuple[tuple[str, str], ...]
    value: Decimal
    currency: str
    names: tuple[str, str, str] = ("", "", "")  # place (en, fr), agency
    period: tuple[str | None, str | None] = (None, None)

    def typed(self, known: Catalogue, lang: str) -> CountFigure:
        return CountFigure(
            metric=self.metric,
            label=known.label(self.metric, lang),
            breakdown=dict(self.breakdown),
            value=number(self.value),
            currency=self.currency,
            jurisdiction=place_name(self.names[0], self.names[1], lang) or None,
            agency=self.names[2] or None,
            period=Period(*self.period),
        )


def _day(value: Any) -> date | None:
    return value if isinstance(value, date) else None


def count_rows(operation_ids: Iterable[int], known: Catalogue) -> list[CountRow]:
    from beacon.operations.bundles.reader import partial_text

    rows = (
        Count.objects.filter(operation_id__in=list(operation_ids))
        .order_by("pk")
        .values_list(
            "operation_id",
            "jurisdiction_id",
            "agency_id",
            "metric",
            "breakdown",
            "value",
            "currency",
            "jurisdiction__name_en",
            "jurisdiction__name_fr",
            "agency__name",
            "period_start",
            "period_start_precision",
            "period_end",
            "period_end_precision",
        )
    )
    out = []
    for op, place, agency, metric, crumbs, value, currency, *rest in rows:
        name_en, name_fr, agency_name, start, start_p, end, end_p = rest
        metric_id, resolved = known.resolve(metric, crumbs)
        out.append(
            CountRow(
                op,
                place,
                agency,
                metric_id,
                tuple(sorted(resolved.items())),
                value,
                currency,
                (str(name_en or ""), str(name_fr or ""), str(agency_name or "")),
                (partial_text(_day(start), str(start_p)), partial_text(_day(end), str(end_p))),
            )
        )
    return out


def _from_tally(metrics: dict[str, Any], metric_id: str, crumbs: dict[str, str]) -> Any:
    """The tally's value of a metric and breakdown, or None when the tally has none."""
    if not crumbs:
        value = metrics.get(metric_id)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        return None
    (dimension, key), *rest = crumbs.items()
    if rest:
        return None
    breakdown = {
        ("arrests", "role"): "arrests_by_role",
        ("investigations_opened", "type"): "investigations_by_type",
    }.get((metric_id, dimension))
    if breakdown:
        return metrics[breakdown].get(key, 0)
    if metric_id == "victims_rescued" and dimension == "age_group" and key in ("minor", "adult"):
        return metrics[f"victims_{key}"]
    return None


@dataclass
class Evidence:
    """What an operation family's records hold, to compute any metric in any scope.

    A report asks it a few hundred questions (every figure, every place of the places
    table, every metric of the catalogue), so what a question needs is kept: each scope's
    metrics, the cells of each set of operations, the record types of each set of
    operations and the counts of each metric and place (Containment keeps the places
    around each place). Nothing is kept
    beyond the report that made it (it is built per request, from that request's reads).
    """

    cells: dict[Cell, Tally]
    places: Places
    containment: Containment
    counts: list[CountRow]
    known: Catalogue
    participants: dict[int, set[int]] = field(default_factory=dict)
    # The tally of each scope asked (operations, place, agency), added up once.
    _scopes: dict[tuple[Any, ...], dict[str, Any] | None] = field(default_factory=dict)
    _by_metric: dict[tuple[str, int | None], list[CountRow]] | None = None
    _cells_of: dict[tuple[int, ...], list[tuple[int | None, int | None, Tally]]] = field(
        default_factory=dict
    )
    _types: dict[tuple[int, ...], tuple[set[str], set[str]]] = field(default_factory=dict)
    _answers: dict[tuple[Any, ...], float | int | None] = field(default_factory=dict)

    def counts_of(self, metric_id: str, place: int | None) -> list[CountRow]:
        """The aggregate counts of a metric stated at ``place`` (None: at no place)."""
        if self._by_metric is None:
            self._by_metric = defaultdict(list)
            for c in self.counts:
                self._by_metric[(c.metric, c.place)].append(c)
        return self._by_metric.get((metric_id, place), [])

    def _cells(self, ops: tuple[int, ...]) -> list[tuple[int | None, int | None, Tally]]:
        """(place, agency, tally) of the cells of these operations, in the cells' order."""
        found = self._cells_of.get(ops)
        if found is None:
            wanted = set(ops)
            found = [(where, by, t) for (op, where, by), t in self.cells.items() if op in wanted]
            self._cells_of[ops] = found
        return found

    def _record_types(self, ops: tuple[int, ...]) -> tuple[set[str], set[str]]:
        """The record types these operations hold, and those with a row without a place."""
        found = self._types.get(ops)
        if found is None:
            empty: set[str] = set()
            found = (
                empty.union(*(self.places.present.get(op, empty) for op in ops)),
                empty.union(*(self.places.placeless.get(op, empty) for op in ops)),
            )
            self._types[ops] = found
        return found

    def _metrics(
        self, ops: tuple[int, ...], place: int | None, agency: int | None
    ) -> dict[str, Any] | None:
        """The records' metrics in one scope; None when the place cannot be told."""
        key = (ops, place, agency)
        if key in self._scopes:
            return self._scopes[key]
        tallies = []
        result: dict[str, Any] | None = None
        within = self.containment.within
        around: set[int] | None = None  # the places that contain ``place``, when asked
        for where, by, t in self._cells(ops):
            if agency is not None and by != agency:
                continue
            if place is not None:
                if where is None:
                    break  # recorded without a place: cannot tell
                if place not in within(where):
                    if around is None:
                        around = within(place)
                    if where in around:
                        break  # recorded only at a coarser level: cannot tell
                    continue
            tallies.append(t)
        else:
            known = place is None or tallies or self.containment.territory_known(place)
            result = total(tallies).metrics() if known else None
        self._scopes[key] = result
        return result

    def computed(
        self,
        name: str,
        breakdown: dict[str, str] | None,
        ops: list[int],
        *,
        place: int | None = None,
        agency: int | None = None,
        currency: str = "",
    ) -> float | int | None:
        """The value the records and counts give for a metric in a scope; None when they
        do not cover it. Each answer is kept: figures, the places table and the covered
        metrics ask the same questions again."""
        crumbs = tuple(sorted((breakdown or {}).items()))
        question = (name, crumbs, tuple(ops), place, agency, currency)
        if question in self._answers:
            return self._answers[question]
        answer = self._computed(name, breakdown, ops, place, agency, currency)
        self._answers[question] = answer
        return answer

    def _computed(
        self,
        name: str,
        breakdown: dict[str, str] | None,
        ops: list[int],
        place: int | None,
        agency: int | None,
        currency: str,
    ) -> float | int | None:
        metric_id, crumbs = self.known.resolve(name, breakdown)
        metric = self.known.get(metric_id)
        if metric is None:
            return None
        found = False
        result = Decimal(0)
        from_records = self._from_records(metric_id, crumbs, ops, place, agency, currency)
        if from_records is not None:
            found, result = True, Decimal(str(from_records))
            if not metric.summable:
                return from_records
        key = tuple(sorted(crumbs.items()))
        # A count covers the scope it states, no more: the whole operation (no place, no
        # agency), a place, or an agency; partial counts never make up a larger whole.
        chosen = [
            c
            for c in self.counts_of(metric_id, place)
            if c.operation_id in ops
            and c.breakdown == key
            and (agency is None or c.agency == agency)
            and (place is not None or agency is not None or c.agency is None)
            and (not currency or c.currency == currency)
        ]
        if chosen and metric.summable:
            found = True
            result += sum((c.value for c in chosen), Decimal(0))
        return number(result) if found else None

    def _from_records(
        self,
        metric_id: str,
        crumbs: dict[str, str],
        ops: list[int],
        place: int | None,
        agency: int | None,
        currency: str,
    ) -> float | int | None:
        metric = self.known.get(metric_id)
        assert metric is not None
        if not metric.computed_from and metric.sum_of:
            parts = [
                self._from_records(p, crumbs, ops, place, agency, currency) for p in metric.sum_of
            ]
            if all(p is not None for p in parts):
                return number(sum(Decimal(str(p)) for p in parts if p is not None))
            return None
        types = set(metric.computed_from)
        present, placeless = self._record_types(tuple(ops))
        if not types & present:
            return None
        if place is not None and types & placeless:
            return None
        metrics = self._metrics(tuple(ops), place, agency)
        if metrics is None:
            return None
        if metric_id == "cash_seized" and currency:
            return number(metrics["cash_seized_by_currency"].get(currency, 0))
        value = _from_tally(metrics, metric_id, crumbs)
        return None if value is None else number(value)


@dataclass
class Entry:
    """One reported figure being judged (the report holds it as a ``model.Figure``)."""

    figure: ReportedFigure
    computed: float | int | None
    status: str = "not_compared"
    label: str = ""
    others: list[Publisher] = field(default_factory=list)
    superseded_by: str | None = None
    unit: str = ""  # the figure's, or percent for a percentage metric

    def typed(self, lang: str) -> Figure:
        f = self.figure
        where = f.jurisdiction
        from beacon.operations.bundles.reader import partial_text

        return Figure(
            ref=f.ref,
            metric=f.metric,
            label=self.label,
            breakdown=dict(f.breakdown or {}),
            value=number(f.value),
            qualifier=f.qualifier,
            unit=self.unit,
            base=f.base.ref if f.base else None,
            base_metric=f.base.metric if f.base else None,
            base_value=number(f.base_value) if f.base_value is not None else None,
            currency=f.currency,
            scope=f.scope,
            operation=f.operation.code if f.operation else None,
            series=f.series.code if f.series else None,
            edition=f.edition,
            jurisdiction=place_name(where.name_en, where.name_fr, lang) if where else None,
            jurisdiction_kind=where.kind if where else None,
            agency=f.agency.name if f.agency else None,
            period=Period(
                partial_text(f.period_start, f.period_start_precision),
                partial_text(f.period_end, f.period_end_precision),
            ),
            context=f.context,
            parent=f.parent.ref if f.parent else None,
            publication=f.status,
            supersedes=f.supersedes.ref if f.supersedes else None,
            superseded_by=self.superseded_by,
            source=Source(
                f.source_name,
                partial_text(f.source_date, f.source_date_precision),
                f.source_document,
            ),
            note=f.note,
            computed=self.computed,
            status=self.status,
            publishers=tuple(self.others),
        )


def _group_key(f: ReportedFigure, known: Catalogue) -> tuple[Any, ...]:
    metric_id, crumbs = known.resolve(f.metric, f.breakdown)
    return (
        f.operation_id,
        f.series_id,
        f.edition,
        metric_id,
        tuple(sorted(crumbs.items())),
        f.scope,
        f.jurisdiction_id,
        f.agency_id,
        f.period_start,
        f.period_end,
        f.unit,
        f.currency,
        f.context,
    )


def _differ(a: ReportedFigure, b: ReportedFigure) -> bool:
    return not (agrees(a.value, b.value, b.qualifier) or agrees(b.value, a.value, a.qualifier))


def _later(g: ReportedFigure, f: ReportedFigure) -> bool:
    if g.source_date and f.source_date and g.source_date != f.source_date:
        return g.source_date > f.source_date
    return g.pk > f.pk


def settle(entries: list[Entry], known: Catalogue) -> None:
    """Mark superseded figures and publishers that differ, within each group of figures
    about the same thing (never a disagreement with the records)."""
    groups: dict[tuple[Any, ...], list[Entry]] = defaultdict(list)
    for entry in entries:
        groups[_group_key(entry.figure, known)].append(entry)
    by_ref = {e.figure.ref: e for e in entries}
    for entry in entries:
        replaced = entry.figure.supersedes
        if replaced is not None and replaced.ref in by_ref:
            by_ref[replaced.ref].superseded_by = entry.figure.ref
    for group in groups.values():
        for entry in group:
            f = entry.figure
            if entry.superseded_by or f.status == FINAL:
                continue
            later = [
                g.figure
                for g in group
                if g is not entry and g.figure.source_name == f.source_name and _later(g.figure, f)
            ]
            if later:
                entry.superseded_by = later[-1].ref
        current = [e for e in group if not e.superseded_by]
        values = {id(e): number(e.figure.value) for e in current}
        for entry in group:
            if entry.superseded_by:
                entry.status = "superseded"
                continue
            entry.others = [
                Publisher(o.figure.ref, values[id(o)], o.figure.qualifier, o.figure.source_name)
                for o in current
                if o is not entry and o.figure.source_name != entry.figure.source_name
            ]
            rivals = [
                o
                for o in current
                if o is not entry and o.figure.source_name != entry.figure.source_name
            ]
            differ = any(_differ(entry.figure, o.figure) for o in rivals)
            if entry.status == "not_compared" and not entry.figure.context and differ:
                entry.status = "publishers_differ"


def judge(
    figure: ReportedFigure, computed: float | int | None, label: str, unit_of: str = ""
) -> Entry:
    """Agreement with the records, where they cover the figure."""
    unit = figure.unit or ("percent" if unit_of == "percent" else "")
    if figure.context or computed is None or unit not in ("", "years"):
        return Entry(figure, None if figure.context else computed, "not_compared", label, unit=unit)
    status = "agrees" if agrees(computed, figure.value, figure.qualifier) else "disagrees"
    return Entry(figure, computed, status, label, unit=unit)
