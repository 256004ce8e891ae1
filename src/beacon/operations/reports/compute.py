"""An operation's results report as a dict (the JSON contract of issue 3).

Computed from records in a fixed number of aggregate queries; reported figures
are listed beside the computed ones with agreement or disagreement marked.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.agencies.models import Agency, Jurisdiction
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import ValidationFailed
from beacon.geo.places import Containment
from beacon.operations import codes
from beacon.operations.bundles.reader import partial_text
from beacon.operations.catalogue import Catalogue, catalogue, local_entries
from beacon.operations.models import Operation, Participation, ReportedFigure
from beacon.operations.nibrs import summarise_offenses
from beacon.operations.reports.aggregate import Places, folded, tally_cells
from beacon.operations.reports.figures import Entry, Evidence, count_rows, judge, settle
from beacon.operations.reports.labels import place as place_label
from beacon.operations.reports.languages import report_languages
from beacon.operations.reports.model import (
    AgencyTotals,
    AreaRow,
    Hub,
    Participant,
    Period,
    PlaceTotals,
    Report,
    Series,
    SeriesEdition,
    SeriesTotal,
    SubOperation,
    Totals,
)
from beacon.operations.reports.tally import Tally, number, total
from beacon.operations.services import get_operation

NOT_STATED = {"en": "not stated", "fr": "non précisé", "es": "sin precisar", "pt": "não indicado"}
SERIES_METRICS = ("arrests", "victims_rescued", "search_warrants", "raids")
ROLE_ORDER = {role: index for index, role in enumerate(codes.ParticipantRole.values)}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _place_name(places: Places, jurisdiction_id: int | None, lang: str) -> str:
    if jurisdiction_id is None:
        return NOT_STATED.get(lang, NOT_STATED["en"])
    place = places.by_id[jurisdiction_id]
    return place_label(place.name_en, place.name_fr, lang)


def _place_ref(places: Places, jurisdiction_id: int | None) -> str | None:
    if jurisdiction_id is None:
        return None
    place = places.by_id[jurisdiction_id]
    return f"state:{place.abbreviation}" if place.kind == "state" else f"{place.kind}:{place.code}"


def _family(root: Operation) -> dict[int, Operation]:
    """The operation, its sub-operations, and the other editions of its series."""
    query = Operation.objects.filter(pk=root.pk) | Operation.objects.filter(parent_id=root.pk)
    if root.series_id:
        query = query | Operation.objects.filter(series_id=root.series_id)
    return {o.pk: o for o in query.select_related("series", "parent").order_by("start", "pk")}


def build_report(actor: Actor, code: str, *, lang: str = "en") -> Report:
    policy.require(actor, Permission.OPERATIONS_REPORT, object_type="operation", object_id=code)
    if lang not in report_languages():
        raise ValidationFailed.on("lang", f"one of {', '.join(report_languages())}")
    return report_of(actor, get_operation(actor, code), lang=lang)


def report_of(actor: Actor, root: Operation, *, lang: str) -> Report:
    """The report of ``root``, an operation ``get_operation`` gave this actor, in a
    language of ``report_languages`` (build_report checks both), audited."""
    family = _family(root)
    raw, places = tally_cells(family)
    cells = folded(raw, places)
    own = [root.pk] + [o.pk for o in family.values() if o.parent_id == root.pk]
    known = catalogue()

    def totals_of(op_ids: list[int]) -> Tally:
        return total([t for (op, _j, _a), t in cells.items() if op in op_ids])

    totals = totals_of(own).metrics()
    countries: set[str] = set()
    for op_id in own:
        countries |= places.countries(op_id)

    by_place: dict[int | None, Tally] = defaultdict(Tally)
    order: list[int | None] = [j for op_id in own for j in places.declared.get(op_id, [])]
    by_agency_id: dict[int | None, Tally] = defaultdict(Tally)
    for (op_id, _j, agency_id), tally in cells.items():
        if op_id in own:
            by_agency_id[agency_id].add(tally)
    for (op_id, j, _a), tally in cells.items():
        if op_id in own:
            by_place[j].add(tally)
            if j not in order:
                order.append(j)
    seen: set[int | None] = set()
    by_jurisdiction: list[tuple[str, str | None, dict[str, Any]]] = []
    for j in order:
        if j in seen:
            continue
        seen.add(j)
        metrics = (by_place.get(j) or Tally()).metrics()
        by_jurisdiction.append((_place_name(places, j, lang), _place_ref(places, j), metrics))

    participations = list(
        Participation.objects.filter(operation_id__in=own)
        .select_related("agency")
        .order_by("operation__parent_id", "operation_id", "id")
    )
    agencies: list[str] = []
    for p in sorted(
        participations, key=lambda p: (p.operation_id != root.pk, ROLE_ORDER.get(p.role, 9))
    ):
        if p.agency.name not in agencies:
            agencies.append(p.agency.name)

    subs = [o for o in family.values() if o.parent_id == root.pk]
    figures = list(
        ReportedFigure.objects.filter(operation_id__in=own, withdrawn=False)
        .select_related("series", "jurisdiction", "agency", "parent", "base", "supersedes")
        .order_by("pk")
    )
    for figure in figures:  # the family holds their operations: not read again per figure
        assert figure.operation_id is not None
        figure.operation = family[figure.operation_id]
    series_figures: list[ReportedFigure] = []
    if root.series_id:
        series_figures = list(
            ReportedFigure.objects.filter(
                series_id=root.series_id, operation__isnull=True, withdrawn=False
            )
            .select_related("series", "jurisdiction", "agency", "parent", "base", "supersedes")
            .order_by("pk")
        )
    evidence = Evidence(
        cells=raw,
        places=places,
        containment=Containment(
            {j for (_o, j, _a) in raw if j is not None}
            | {f.jurisdiction_id for f in figures if f.jurisdiction_id}
        ),
        counts=count_rows(family, known),
        known=known,
        participants=_participants(participations),
    )
    entries: list[Entry] = []
    for figure in figures:
        assert figure.operation_id is not None
        scope_ops = [figure.operation_id] + [
            o.pk for o in family.values() if o.parent_id == figure.operation_id
        ]
        computed = None
        if figure.scope == codes.FigureScope.JURISDICTION and figure.jurisdiction_id:
            computed = evidence.computed(
                figure.metric,
                figure.breakdown,
                scope_ops,
                place=figure.jurisdiction_id,
                currency=figure.currency,
            )
        elif figure.scope == codes.FigureScope.AGENCY and figure.agency_id:
            computed = evidence.computed(
                figure.metric,
                figure.breakdown,
                scope_ops,
                agency=figure.agency_id,
                currency=figure.currency,
            )
        elif figure.scope == codes.FigureScope.OPERATION:
            computed = evidence.computed(
                figure.metric, figure.breakdown, scope_ops, currency=figure.currency
            )
        entries.append(
            judge(figure, computed, known.label(figure.metric, lang), _unit(known, figure))
        )

    covered = _covered(evidence, own, known)
    overall = {"countries": len(countries), "participating_agencies": len(agencies)}
    for metric, value in covered.items():
        if metric in overall:
            overall[metric] = value  # type: ignore[assignment]
        elif metric in totals and isinstance(totals[metric], int | float):
            totals[metric] = value  # records and aggregate counts together
    series: Series | None = None
    if root.series_id and root.series is not None:
        series, series_entries = _series(root, family, series_figures, evidence, known, lang)
        entries.extend(series_entries)
    settle(entries, known)
    sub_totals = {sub.pk: totals_of([sub.pk]).metrics() for sub in subs}
    _name_countries([totals, *(m for _n, _c, m in by_jurisdiction), *sub_totals.values()], lang)
    report = Report(
        operation=root.name,
        code=root.code,
        language=lang,
        description=root.description,
        status=root.status,
        period=Period(_iso(root.start), _iso(root.end)),
        announced=_iso(root.announced),
        focus=tuple(root.focus),
        agencies=tuple(agencies),
        lead_agencies=tuple(
            p.agency.name
            for p in participations
            if p.operation_id == root.pk and p.role == codes.ParticipantRole.LEAD
        ),
        participants=tuple(
            Participant(p.agency.name, p.agency.ori, p.role, family[p.operation_id].code)
            for p in participations
        ),
        jurisdictions=tuple(_place_name(places, j, lang) for j in places.declared.get(root.pk, [])),
        totals=Totals.of(totals),
        countries=overall["countries"],
        participating_agencies=overall["participating_agencies"],
        by_jurisdiction=tuple(
            PlaceTotals(name, ref, Totals.of(metrics)) for name, ref, metrics in by_jurisdiction
        ),
        by_agency=_by_agency(by_agency_id),
        hub=Hub(root.parent.code, root.parent.name) if root.parent else None,
        sub_operations=tuple(
            SubOperation(
                operation=sub.name,
                code=sub.code,
                status=sub.status,
                jurisdictions=tuple(
                    _place_name(places, j, lang) for j in places.declared.get(sub.pk, [])
                ),
                agencies=tuple(p.agency.name for p in participations if p.operation_id == sub.pk),
                totals=Totals.of(sub_totals[sub.pk]),
            )
            for sub in subs
        ),
        computed=covered,
        local_metrics=local_entries(known),
        by_place=_by_place(figures, evidence, own, known, lang),
        counts=tuple(c.typed(known, lang) for c in evidence.counts if c.operation_id in own),
        period_as_published=Period(
            partial_text(root.start, root.start_precision),
            partial_text(root.end, root.end_precision),
        ),
        series=series,
        figures=tuple(e.typed(lang) for e in entries),
        nibrs=summarise_offenses(root.code, own),
        sharing=sharing_level(root),
    )
    with transaction.atomic():
        audit.record(
            actor,
            "operations.report",
            object_type="operation",
            object_id=root.code,
            detail={"lang": lang, "aggregate": True},
        )
    return report


def sharing_level(root: Operation) -> str:
    """The TLP marking every rendering carries. A results report holds aggregate figures
    only (no person, no record), made to be published: TLP:CLEAR. Operations hold no
    sharing level of their own yet; when they do, it is read here."""
    return "TLP:CLEAR"


def _by_place(
    figures: list[ReportedFigure],
    evidence: Evidence,
    ops: list[int],
    known: Catalogue,
    lang: str,
) -> tuple[AreaRow, ...]:
    """Every place a figure or a count names, at whatever level, with what the records
    and counts give there for the metrics named there (None: not recorded)."""
    from beacon.geo.places import ref_of

    places: dict[int, Any] = {}
    metrics: list[str] = []
    for f in figures:
        if f.jurisdiction is not None and not f.context:
            places.setdefault(f.jurisdiction.pk, f.jurisdiction)
            metric_id, _crumbs = known.resolve(f.metric)
            if metric_id not in metrics and known.get(metric_id) is not None:
                metrics.append(metric_id)
    counted = [c for c in evidence.counts if c.operation_id in ops and c.place is not None]
    for c in counted:
        if c.metric not in metrics:
            metrics.append(c.metric)
    missing = {c.place for c in counted if c.place is not None} - set(places)
    for place in Jurisdiction.objects.filter(pk__in=missing):
        places[place.pk] = place
    return tuple(
        AreaRow(
            jurisdiction=place_label(place.name_en, place.name_fr, lang),
            jurisdiction_code=ref_of(place),
            kind=place.kind,
            values={m: evidence.computed(m, {}, ops, place=pk) for m in metrics},
        )
        for pk, place in places.items()
    )


def _unit(known: Catalogue, figure: ReportedFigure) -> str:
    metric = known.get(known.resolve(figure.metric)[0])
    return metric.unit if metric is not None else ""


def _participants(participations: list[Participation]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for p in participations:
        out.setdefault(p.operation_id, set()).add(p.agency_id)
    return out


def _covered(evidence: Evidence, ops: list[int], known: Catalogue) -> dict[str, Any]:
    """Every metric the records (or aggregate counts) cover for the operation, with its
    value: what was not recorded is absent, never 0."""
    out: dict[str, Any] = {}
    for metric_id in known.metrics:
        value = evidence.computed(metric_id, {}, ops)
        if value is not None:
            out[metric_id] = value
    return out


def _by_agency(tallies: dict[int | None, Tally]) -> tuple[AgencyTotals, ...]:
    """Results per agency that recorded them, largest first."""
    names = dict(Agency.objects.filter(pk__in=[a for a in tallies if a]).values_list("pk", "name"))
    rows = [
        AgencyTotals(names.get(agency_id, ""), Totals.of(tally.metrics()))
        for agency_id, tally in tallies.items()
        if agency_id is not None
    ]
    weight = ("targets", "arrests", "victims_rescued", "search_warrants", "services")
    rows.sort(key=lambda r: (-sum(r.totals.value(m) or 0 for m in weight), r.agency))
    return tuple(rows)


def _name_countries(tables: list[dict[str, Any]], lang: str) -> None:
    """Countries where targets were located abroad, by name instead of ISO code."""
    found = {code for t in tables for code in t["located_abroad_by_country"]}
    if not found:
        return
    names = {
        j.code: place_label(j.name_en, j.name_fr, lang)
        for j in Jurisdiction.objects.filter(kind="country", code__in=found)
    }
    for table in tables:
        table["located_abroad_by_country"] = {
            names.get(code, code): n for code, n in table["located_abroad_by_country"].items()
        }


def _published(
    figures: list[ReportedFigure], edition: int | None, metric: str
) -> ReportedFigure | None:
    """The series' own published figure for one edition (or the whole series: None) and a
    metric: series-wide in scope (never a place's or an agency's), the latest final one."""
    found = [
        f
        for f in figures
        if f.edition == edition
        and f.metric == metric
        and not f.breakdown
        and not f.context
        and not f.unit
        and f.scope in (codes.FigureScope.SERIES, codes.FigureScope.OPERATION)
        and f.jurisdiction_id is None
        and f.agency_id is None
    ]
    if not found:
        return None
    final = [f for f in found if f.status == codes.FigureStatus.FINAL] or found
    return final[-1]


LOWER = {"at_least", "more_than", "over"}
UPPER = {"up_to", "fewer_than", "nearly", "almost"}


def combined(qualifiers: list[str]) -> str:
    """The qualifier of a sum of parts: "almost 1,000" + 85 is "almost 1,085"."""
    kinds = {q for q in qualifiers if q != codes.Qualifier.EXACT}
    if not kinds:
        return codes.Qualifier.EXACT
    if len(kinds) == 1:
        return kinds.pop()
    if kinds <= LOWER:
        return codes.Qualifier.MORE_THAN if kinds & {"more_than", "over"} else "at_least"
    if kinds <= UPPER:
        return codes.Qualifier.NEARLY if kinds & {"nearly", "almost"} else "up_to"
    return codes.Qualifier.ABOUT


def _series(
    root: Operation,
    family: dict[int, Operation],
    figures: list[ReportedFigure],
    evidence: Evidence,
    known: Catalogue,
    lang: str,
) -> tuple[Series, list[Entry]]:
    """Series totals for every metric: each edition from its records where they cover the
    metric, else from its published figures; a series-wide published figure is used when
    it covers more than the editions on file. Qualifiers carry into the totals."""
    assert root.series is not None
    editions = {
        o.edition: o for o in family.values() if o.series_id == root.series_id and o.edition
    }
    numbers = set(editions) | {f.edition for f in figures if f.edition}
    metrics: list[str] = list(SERIES_METRICS)
    for f in figures:
        entry = known.get(f.metric)
        if entry is not None and entry.summable and f.metric not in metrics:
            metrics.append(f.metric)
    breakdown: list[SeriesEdition] = []
    sums: dict[str, Decimal] = {m: Decimal(0) for m in metrics}
    parts: dict[str, list[str]] = {m: [] for m in metrics}
    missing: dict[str, bool] = dict.fromkeys(metrics, False)
    for edition in sorted(n for n in numbers if n is not None):
        row: dict[str, int | float] = {}
        operation = editions.get(edition)
        if operation is not None:
            ops = [operation.pk] + [o.pk for o in family.values() if o.parent_id == operation.pk]
        else:
            ops = []
        qualifiers: dict[str, str] = {}
        for metric in metrics:
            value = evidence.computed(metric, {}, ops) if ops else None
            qualifier: str = codes.Qualifier.EXACT
            if value is None:
                published = _published(figures, edition, metric)
                if published is None:
                    if operation is not None and metric in SERIES_METRICS:
                        value = 0  # an edition on file without such records: none
                    else:
                        missing[metric] = True
                        continue
                else:
                    value, qualifier = number(published.value), published.qualifier
            row[metric] = value
            sums[metric] += Decimal(str(value))
            parts[metric].append(qualifier)
            if qualifier != codes.Qualifier.EXACT:
                qualifiers[metric] = qualifier
        breakdown.append(
            SeriesEdition(
                edition=edition,
                operation=operation.name if operation else None,
                code=operation.code if operation else None,
                source="computed" if operation else "reported",
                values=row,
                qualifiers=qualifiers,
            )
        )
    sources: dict[str, SeriesTotal] = {}
    entries = []
    complete = bool(numbers) and set(range(1, max(numbers) + 1)) <= set(editions)
    for figure in figures:
        computed: float | int | None = None
        if (
            complete
            and figure.edition is None
            and figure.metric in sums
            and not missing[figure.metric]
            and not figure.breakdown
            and figure.jurisdiction_id is None
            and figure.agency_id is None
        ):
            # Only a series whose every edition is on file can be checked against a total.
            computed = number(sums[figure.metric])
        entries.append(
            judge(figure, computed, known.label(figure.metric, lang), _unit(known, figure))
        )
    for metric in metrics:
        whole = _published(figures, None, metric)
        amount, source = sums[metric], "sum of editions"
        qualifier = combined(parts[metric])
        if missing[metric] and qualifier == codes.Qualifier.EXACT:
            qualifier = codes.Qualifier.AT_LEAST  # some editions published no such figure
        if whole is not None and whole.value >= amount:
            amount, source, qualifier = (
                whole.value,
                "reported for the whole series",
                whole.qualifier,
            )
        if not parts[metric] and whole is None:
            continue
        sources[metric] = SeriesTotal(number(amount), source, number(sums[metric]), qualifier)
    series = Series(
        code=root.series.code,
        name=root.series.name,
        first_year=root.series.first_year,
        edition_naming=root.series.edition_naming,
        edition=root.edition,
        editions_count=max(numbers) if numbers else 0,
        totals=sources,
        editions=tuple(breakdown),
    )
    return series, entries
