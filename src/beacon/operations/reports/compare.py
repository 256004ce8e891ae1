"""Reported figures beside computed ones: agreement by qualifier, disagreements shown."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from beacon.operations import codes
from beacon.operations.models import ReportedFigure
from beacon.operations.reports.tally import number

ABOUT_TOLERANCE = Decimal("0.2")  # "about 25" agrees with 20 to 30


def agrees(computed: float | int, value: Decimal, qualifier: str) -> bool:
    got = Decimal(str(computed))
    if qualifier == codes.Qualifier.AT_LEAST:
        return got >= value
    if qualifier == codes.Qualifier.MORE_THAN:
        return got > value
    if qualifier == codes.Qualifier.ABOUT:
        return abs(got - value) <= abs(value) * ABOUT_TOLERANCE
    return got == value


def lookup(metrics: dict[str, Any], metric: str) -> float | int | None:
    """A metric by name; ``arrests_by_role.buyer`` reaches into a breakdown."""
    name, _dot, key = metric.partition(".")
    value = metrics.get(name)
    if key:
        value = value.get(key, 0) if isinstance(value, dict) else None
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def figure_entry(figure: ReportedFigure, computed: float | int | None, lang: str) -> dict[str, Any]:
    if figure.context or computed is None:
        status = "not_compared"
    else:
        status = "agrees" if agrees(computed, figure.value, figure.qualifier) else "disagrees"
    place = figure.jurisdiction
    return {
        "ref": figure.ref,
        "metric": figure.metric,
        "value": number(figure.value),
        "qualifier": figure.qualifier,
        "scope": figure.scope,
        "operation": figure.operation.code if figure.operation else None,
        "series": figure.series.code if figure.series else None,
        "edition": figure.edition,
        "jurisdiction": (place.name_fr if lang == "fr" else place.name_en) if place else None,
        "agency": figure.agency.name if figure.agency else None,
        "period": {
            "start": figure.period_start.isoformat() if figure.period_start else None,
            "end": figure.period_end.isoformat() if figure.period_end else None,
        },
        "context": figure.context,
        "parent": figure.parent.ref if figure.parent else None,
        "source": {
            "name": figure.source_name,
            "date": figure.source_date.isoformat() if figure.source_date else None,
            "document": figure.source_document,
        },
        "note": figure.note,
        "computed": computed,
        "status": status,
    }
