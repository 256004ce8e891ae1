"""The operation results the dashboard and report pages show, from the operations reports.

Figures are never computed here: they come from the operations engineer's report service
(the same JSON the CLI's ``beacon report --format json`` prints).
"""

from __future__ import annotations

import importlib
from typing import Any

from django.db.models import Q

from beacon.agencies.models import Jurisdiction
from beacon.core.actor import Actor
from beacon.operations.models import Operation


def operation_results(actor: Actor, operation: Operation) -> dict[str, Any]:
    reports = importlib.import_module("beacon.operations.reports")
    result: dict[str, Any] = reports.results(actor, operation.code)
    return result


def mapped_jurisdictions(actor: Actor, operation: Operation) -> list[Jurisdiction]:
    """Places the map may shade: the operation's and its sub-operations' jurisdictions."""
    scope = Q(operations=operation) | Q(operations__parent=operation)
    return list(Jurisdiction.objects.filter(scope).distinct().order_by("kind", "code"))
