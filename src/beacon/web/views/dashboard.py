"""The operation dashboard: totals, breakdowns, map and chart, refreshed live by htmx polling."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from beacon.access.middleware import background_poll
from beacon.access.permissions import Permission as P
from beacon.access.requests import actor_for
from beacon.access.routes import requires
from beacon.core.actor import Actor
from beacon.geo import shapes
from beacon.operations.models import Operation
from beacon.operations.reports.compute import LANGUAGES as REPORT_LANGUAGES
from beacon.web import metrics, results
from beacon.web.lookups import visible_operation
from beacon.web.views.common import page

POLL_SECONDS = 1  # a field entry shows on every open dashboard within 2 seconds


def _language() -> str:
    """The page's language when the reports speak it (their place names), else English."""
    code = (get_language() or "en")[:2]
    return code if code in REPORT_LANGUAGES else "en"


def figures_context(actor: Actor, operation: Operation, version: str) -> dict[str, Any]:
    data = results.operation_results(actor, operation, lang=_language())
    totals: dict[str, Any] = data.get("totals", {})
    rows: list[dict[str, Any]] = data.get("by_jurisdiction", [])
    agencies: list[dict[str, Any]] = data.get("by_agency", [])
    columns = [m for m in metrics.MAPPABLE if any(row.get(m) for row in rows)]
    agency_columns = [m for m in metrics.MAPPABLE if any(row.get(m) for row in agencies)]
    payload = {
        "totals": totals,
        "by_jurisdiction": rows,
        "sub_operations": data.get("sub_operations", []),
    }
    encoded = json.dumps(payload, sort_keys=True, default=str)
    return {
        "operation": operation,
        "cards": [
            {"metric": m, "label": metrics.label(m), "value": totals[m]}
            for m in metrics.HEADLINE
            if totals.get(m)
        ],
        "rows": rows,
        "columns": [{"metric": m, "label": metrics.label(m)} for m in columns],
        "agencies": agencies,
        "agency_columns": [{"metric": m, "label": metrics.label(m)} for m in agency_columns],
        "sub_operations": data.get("sub_operations", []),
        "figures_json": encoded,
        "version": version,
        "poll_seconds": POLL_SECONDS,
    }


@require_GET
@page
@requires(P.OPERATIONS_VIEW)
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    actor = actor_for(request)
    operation = visible_operation(actor, code)
    context = figures_context(actor, operation, results.fingerprint(operation))
    context["metric_choices"] = [{"metric": m, "label": metrics.label(m)} for m in metrics.MAPPABLE]
    context["labels_json"] = json.dumps({m: metrics.label(m) for m in metrics.LABELS})
    context["separators"] = str(get_format("DECIMAL_SEPARATOR")) + str(
        get_format("THOUSAND_SEPARATOR")
    )
    context["topojson_url"] = reverse("web:base_map", args=["usa_110m"]).rsplit("/", 1)[0] + "/"
    context["shapes_url"] = reverse("web:operation_shapes", args=[operation.code])
    context["language"] = get_language()
    return render(request, "web/operations/dashboard.html", context)


@background_poll  # the page polls it every second: not the person's activity
@require_GET
@page
@requires(P.OPERATIONS_VIEW)
def dashboard_figures(request: HttpRequest, code: str) -> HttpResponse:
    """The live part of the dashboard; 204 (htmx keeps the page) when nothing changed."""
    actor = actor_for(request)
    operation = visible_operation(actor, code)
    version = results.fingerprint(operation)
    if request.GET.get("v") == version:
        return HttpResponse(status=204)
    context = figures_context(actor, operation, version)
    return render(request, "web/operations/_figures.html", context)


@require_GET
@page
@requires(P.OPERATIONS_REPORT)
def operation_shapes(request: HttpRequest, code: str) -> HttpResponse:
    """Outlines of the operation's jurisdictions (and its sub-operations'), as GeoJSON."""
    actor = actor_for(request)
    operation = visible_operation(actor, code)
    features = []
    for place in results.mapped_jurisdictions(actor, operation):
        feature = shapes.feature_for(place.kind, place.code)
        if feature is None:
            continue
        features.append(
            {
                **feature,
                "id": str(place.pk),
                "properties": {
                    "ref": (
                        f"state:{place.abbreviation}"
                        if place.kind == "state"
                        else f"{place.kind}:{place.code}"
                    ),
                    "code": place.code,
                    "kind": place.kind,
                    "name_en": place.name_en,
                    "name_fr": place.name_fr,
                },
            }
        )
    us_only = all(f["properties"]["kind"] in {"state", "county"} for f in features)
    body = {
        "type": "FeatureCollection",
        "scope": "usa" if features and us_only else "world",
        "features": features,
    }
    response = JsonResponse(body)
    response["Cache-Control"] = "max-age=3600, private"
    return response
