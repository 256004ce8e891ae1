"""Operation results for the dashboard and report pages, from the operations reports.

Figures are never computed here: they come from ``beacon.operations.reports`` (the same
report the CLI's ``beacon report`` prints). ``fingerprint`` only tells the live dashboard
whether anything an operation's figures depend on has changed since its last look, so an
unchanged dashboard costs a few COUNT queries and no report (nor report audit event).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import Count, Max, Q

from beacon.agencies.models import Jurisdiction
from beacon.core.actor import Actor
from beacon.operations.models import (
    Arrest,
    Correction,
    Investigation,
    Operation,
    Outcome,
    Raid,
    Referral,
    ReportedFigure,
    SearchWarrant,
    Seizure,
    Service,
    Target,
    Victim,
)
from beacon.operations.reports.compute import build_report

FACT_MODELS = (Arrest, Victim, SearchWarrant, Raid, Seizure, Service, Referral, Investigation)


def operation_results(actor: Actor, operation: Operation, lang: str = "en") -> dict[str, Any]:
    return build_report(actor, operation.code, lang=lang).as_dict()


def fingerprint(operation: Operation) -> str:
    """Changes whenever a fact behind the operation's figures is added or changed."""
    family = Q(operation=operation) | Q(operation__parent=operation)
    parts: list[str] = []
    # A correction changes a fact's time or place without a new row: its count is a fact.
    for model in (*FACT_MODELS, ReportedFigure, Target, Correction):
        summary = model.objects.filter(family).aggregate(n=Count("id"), top=Max("id"))  # type: ignore[attr-defined]
        parts.append(f"{summary['n']}:{summary['top']}")
    outcomes = Outcome.objects.filter(
        Q(target__operation=operation) | Q(target__operation__parent=operation)
    ).aggregate(n=Count("id"), top=Max("id"))
    parts.append(f"{outcomes['n']}:{outcomes['top']}")
    statuses = Referral.objects.filter(family).values_list("status", flat=True)
    parts.append(",".join(sorted(statuses)))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def mapped_jurisdictions(actor: Actor, operation: Operation) -> list[Jurisdiction]:
    """Places the map may shade: the operation's and its sub-operations' jurisdictions."""
    scope = Q(operations=operation) | Q(operations__parent=operation)
    return list(Jurisdiction.objects.filter(scope).distinct().order_by("kind", "code"))
