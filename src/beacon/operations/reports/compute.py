"""An operation's results report as a dict (the JSON contract of issue 3).

Computed from records in a fixed number of aggregate queries; reported figures
are listed beside the computed ones with agreement or disagreement marked.
"""

from __future__ import annotations

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
from beacon.operations import codes
from beacon.operations.models import Operation, Participation, ReportedFigure
from beacon.operations.reports.aggregate import Places, tally_cells
from beacon.operations.reports.compare import figure_entry, lookup
from beacon.operations.reports.tally import Tally, number, total
from beacon.operations.services import get_operation

LANGUAGES = ("en", "fr")
SERIES_METRICS = ("arrests", "victims_rescued", "search_warrants", "raids")
ROLE_ORDER = {role: index for index, role in enumerate(codes.ParticipantRole.values)}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _place_name(places: Places, jurisdiction_id: int | None, lang: str) -> str:
    if jurisdiction_id is None:
        return "not stated" if lang == "en" else "non précisé"
    place = places.by_id[jurisdiction_id]
    return place.name_fr if lang == "fr" else place.name_en


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


def build_report(actor: Actor, code: str, *, lang: str = "en") -> dict[str, Any]:
    policy.require(actor, Permission.OPERATIONS_REPORT, object_type="operation", object_id=code)
    if lang not in LANGUAGES:
        raise ValidationFailed.on("lang", "en or fr")
    root = get_operation(actor, code)
    family = _family(root)
    cells, places = tally_cells(family)
    own = [root.pk] + [o.pk for o in family.values() if o.parent_id == root.pk]

    def totals_of(op_ids: list[int]) -> Tally:
        return total([t for (op, _j, _a), t in cells.items() if op in op_ids])

    totals = totals_of(own).metrics()
    countries: set[str] = set()
    for op_id in own:
        countries |= places.countries(op_id)
    totals["countries"] = len(countries)

    by_place: dict[int | None, Tally] = {}
    order: list[int | None] = [j for op_id in own for j in places.declared.get(op_id, [])]
    by_agency_id: dict[int | None, Tally] = {}
    for (op_id, _j, agency_id), tally in cells.items():
        if op_id in own:
            by_agency_id.setdefault(agency_id, Tally()).add(tally)
    for (op_id, j, _a), tally in cells.items():
        if op_id in own:
            by_place.setdefault(j, Tally()).add(tally)
            if j not in order:
                order.append(j)
    seen: set[int | None] = set()
    by_jurisdiction = []
    for j in order:
        if j in seen:
            continue
        seen.add(j)
        metrics = (by_place.get(j) or Tally()).metrics()
        by_jurisdiction.append(
            {
                "jurisdiction": _place_name(places, j, lang),
                "jurisdiction_code": _place_ref(places, j),
            }
            | metrics
        )

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
    totals["participating_agencies"] = len(agencies)

    report: dict[str, Any] = {
        "operation": root.name,
        "code": root.code,
        "language": lang,
        "description": root.description,
        "status": root.status,
        "period": {"start": _iso(root.start), "end": _iso(root.end)},
        "announced": _iso(root.announced),
        "focus": list(root.focus),
        "agencies": agencies,
        "lead_agencies": [
            p.agency.name
            for p in participations
            if p.operation_id == root.pk and p.role == codes.ParticipantRole.LEAD
        ],
        "participants": [
            {
                "agency": p.agency.name,
                "ori": p.agency.ori,
                "role": p.role,
                "operation": family[p.operation_id].code,
            }
            for p in participations
        ],
        "jurisdictions": [_place_name(places, j, lang) for j in places.declared.get(root.pk, [])],
        "totals": totals,
        "by_jurisdiction": by_jurisdiction,
        "by_agency": _by_agency(by_agency_id),
        "hub": {"code": root.parent.code, "operation": root.parent.name} if root.parent else None,
    }
    subs = [o for o in family.values() if o.parent_id == root.pk]
    if subs:
        report["sub_operations"] = [
            {
                "operation": sub.name,
                "code": sub.code,
                "status": sub.status,
                "jurisdictions": [
                    _place_name(places, j, lang) for j in places.declared.get(sub.pk, [])
                ],
                "agencies": [p.agency.name for p in participations if p.operation_id == sub.pk],
                "totals": totals_of([sub.pk]).metrics(),
            }
            for sub in subs
        ]

    figures = list(
        ReportedFigure.objects.filter(operation_id__in=own)
        .select_related("operation", "series", "jurisdiction", "agency", "parent")
        .order_by("pk")
    )
    series_figures: list[ReportedFigure] = []
    if root.series_id:
        series_figures = list(
            ReportedFigure.objects.filter(series_id=root.series_id, operation__isnull=True)
            .select_related("operation", "series", "jurisdiction", "agency", "parent")
            .order_by("pk")
        )
    entries = []
    for figure in figures:
        assert figure.operation_id is not None
        scope_ops = [figure.operation_id] + [
            o.pk for o in family.values() if o.parent_id == figure.operation_id
        ]
        if figure.scope == codes.FigureScope.JURISDICTION and figure.jurisdiction_id:
            metrics = total(
                [
                    t
                    for (op, j, _a), t in cells.items()
                    if op in scope_ops and j == figure.jurisdiction_id
                ]
            ).metrics()
        elif figure.scope == codes.FigureScope.OPERATION:
            metrics = totals_of(scope_ops).metrics()
            metrics["countries"] = len(set().union(*(places.countries(o) for o in scope_ops)))
        else:
            metrics = {}
        entries.append(figure_entry(figure, lookup(metrics, figure.metric), lang))

    if root.series_id and root.series is not None:
        series_part = _series(root, family, cells, series_figures, lang)
        report.update(series_part)
        entries.extend(series_part.pop("_entries"))
    _name_countries(report, lang)
    report["reported_figures"] = entries
    # NIBRS: offences cleared next to people arrested (different counts), computed from
    # the offence records the interchange app holds. Imported here: interchange imports us.
    from beacon.interchange.nibrs import summarise_offenses

    report["nibrs"] = summarise_offenses(root.code, own).as_dict()
    report["disagreements"] = [e for e in entries if e["status"] == "disagrees"]
    with transaction.atomic():
        audit.record(
            actor,
            "operations.report",
            object_type="operation",
            object_id=root.code,
            detail={"lang": lang, "aggregate": True},
        )
    return report


def _by_agency(tallies: dict[int | None, Tally]) -> list[dict[str, Any]]:
    """Results per agency that recorded them, largest first."""
    names = dict(Agency.objects.filter(pk__in=[a for a in tallies if a]).values_list("pk", "name"))
    rows = [
        {"agency": names.get(agency_id, ""), **tally.metrics()}
        for agency_id, tally in tallies.items()
        if agency_id is not None
    ]
    weight = ("targets", "arrests", "victims_rescued", "search_warrants", "services")
    rows.sort(key=lambda r: (-sum(r[m] for m in weight), r["agency"]))
    return rows


def _name_countries(report: dict[str, Any], lang: str) -> None:
    """Countries where targets were located abroad, by name instead of ISO code."""
    tables = [report["totals"], *report["by_jurisdiction"]]
    tables += [sub["totals"] for sub in report.get("sub_operations", [])]
    found = {code for t in tables for code in t["located_abroad_by_country"]}
    if not found:
        return
    names = {
        j.code: (j.name_fr if lang == "fr" else j.name_en)
        for j in Jurisdiction.objects.filter(kind="country", code__in=found)
    }
    for table in tables:
        table["located_abroad_by_country"] = {
            names.get(code, code): n for code, n in table["located_abroad_by_country"].items()
        }


def _series(
    root: Operation,
    family: dict[int, Operation],
    cells: dict[tuple[int, int | None, int | None], Tally],
    figures: list[ReportedFigure],
    lang: str,
) -> dict[str, Any]:
    """Series totals: each edition from its records, or from its published figures; a
    series-wide published figure is used when it covers more than the editions on file."""
    assert root.series is not None
    editions = {
        o.edition: o for o in family.values() if o.series_id == root.series_id and o.edition
    }
    numbers = set(editions) | {f.edition for f in figures if f.edition}
    breakdown = []
    sums: dict[str, Decimal] = {m: Decimal(0) for m in SERIES_METRICS}
    for edition in sorted(n for n in numbers if n is not None):
        row: dict[str, Any] = {"edition": edition}
        operation = editions.get(edition)
        if operation is not None:
            metrics = total(
                [t for (op, _j, _a), t in cells.items() if op == operation.pk]
            ).metrics()
            row |= {"operation": operation.name, "code": operation.code, "source": "computed"}
            for metric in SERIES_METRICS:
                row[metric] = metrics[metric]
                sums[metric] += Decimal(metrics[metric])
        else:
            row |= {"operation": None, "code": None, "source": "reported"}
            for figure in figures:
                if figure.edition == edition:
                    row[figure.metric] = number(figure.value)
                    if figure.metric in sums:
                        sums[figure.metric] += figure.value
        breakdown.append(row)
    series_totals: dict[str, Any] = {"editions": max(numbers) if numbers else 0}
    sources: dict[str, Any] = {}
    entries = []
    complete = bool(numbers) and set(range(1, max(numbers) + 1)) <= set(editions)
    for figure in figures:
        computed: float | int | None = None
        if complete and figure.edition is None and figure.metric in sums:
            # Only a series whose every edition is on file can be checked against a total.
            computed = number(sums[figure.metric])
        entries.append(figure_entry(figure, computed, lang))
    for metric in SERIES_METRICS:
        whole = [f for f in figures if f.edition is None and f.metric == metric]
        value, source = sums[metric], "sum of editions"
        if whole and whole[-1].value >= value:
            value, source = whole[-1].value, "reported for the whole series"
        series_totals[metric] = number(value)
        sources[metric] = {
            "value": number(value),
            "from": source,
            "sum_of_editions": number(sums[metric]),
            "qualifier": whole[-1].qualifier if whole and source != "sum of editions" else "exact",
        }
    return {
        "series": {
            "code": root.series.code,
            "name": root.series.name,
            "first_year": root.series.first_year,
        },
        "edition": root.edition,
        "series_totals": series_totals,
        "series_sources": sources,
        "series_editions": breakdown,
        "_entries": entries,
    }
