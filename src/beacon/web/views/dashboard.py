"""The operation dashboard: totals, breakdowns, map and chart, refreshed live by htmx polling
(conditional: beacon.web.dashboard_polls and beacon.operations.stamps)."""

from __future__ import annotations

import json
import threading
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from beacon.access import policy
from beacon.access.middleware import background_poll
from beacon.access.permissions import Permission as P
from beacon.access.requests import actor_for
from beacon.access.routes import requires
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.geo import shapes
from beacon.operations import stamps
from beacon.operations.models import Operation
from beacon.operations.reports.languages import base, report_languages
from beacon.web import dashboard_polls as polls
from beacon.web import metrics, results
from beacon.web.lookups import visible_operation
from beacon.web.views.common import page

POLL_SECONDS = 1  # a field entry shows on every open dashboard within 2 seconds
CACHE_SECONDS = 600
_computing: dict[str, threading.Lock] = {}
_computing_lock = threading.Lock()


def _language() -> str:
    """The page's language when the reports speak it (their place names), else English."""
    code = base(get_language() or "en")
    return code if code in report_languages() else "en"


def _report(actor: Actor, operation: Operation, tag: str) -> dict[str, Any]:
    """The operation's report at this version of its family, computed once per process
    however many viewers ask (the cache key moves with every change: nothing to
    invalidate). Each viewer is still checked and audited as building it would."""
    lang = _language()
    key = f"beacon:dashboard:report:{tag.strip(chr(34))}:{lang}"
    data: dict[str, Any] | None = cache.get(key)
    if data is None:
        with _computing_lock:
            lock = _computing.setdefault(key, threading.Lock())
        with lock:  # 100 viewers of a change wait for one computation, not 100
            data = cache.get(key)
            if data is None:
                try:
                    data = results.operation_results(actor, operation, lang=lang)
                    cache.set(key, data, CACHE_SECONDS)
                finally:
                    with _computing_lock:
                        _computing.pop(key, None)
                return data
    _audit_read(actor, operation, cached=True)
    return data


def _audit_read(actor: Actor, operation: Operation, *, cached: bool) -> None:
    """What building the report would have checked and recorded (build_report)."""
    policy.require(actor, P.OPERATIONS_REPORT, object_type="operation", object_id=operation.code)
    with transaction.atomic():
        audit.record(
            actor,
            "operations.report",
            object_type="operation",
            object_id=operation.code,
            detail={"lang": _language(), "aggregate": True, "cached": cached},
        )


def _current(request: HttpRequest, operation: Operation) -> tuple[stamps.Version, str]:
    """The family's version and its tag, granted to this session for cheap polls."""
    family = stamps.family_ids(operation)
    version = stamps.version_of(family)
    language = get_language() or ""
    tag = polls.entity_tag(operation.pk, family, version.number, language)
    polls.grant(request, operation.code, operation.pk, family, tag, language)
    return version, tag


def figures_context(
    actor: Actor, operation: Operation, version: stamps.Version, tag: str
) -> dict[str, Any]:
    data = _report(actor, operation, tag)
    totals: dict[str, Any] = data.get("totals", {})
    rows: list[dict[str, Any]] = data.get("by_jurisdiction", [])
    agencies: list[dict[str, Any]] = data.get("by_agency", [])
    subs: list[dict[str, Any]] = data.get("sub_operations", [])
    columns = _columns(rows + subs)
    agency_columns = _columns(agencies)
    payload = {"totals": totals, "by_jurisdiction": rows, "sub_operations": subs}
    encoded = json.dumps(payload, sort_keys=True, default=str)
    return {
        "operation": operation,
        "cards": [
            {"metric": m, "label": metrics.label(m), "value": totals[m]}
            for m in FIRST + tuple(h for h in metrics.HEADLINE if h not in FIRST)
            if totals.get(m)
        ],
        "rows": rows,
        "columns": columns,
        "row_totals": _totals(rows, columns),
        "agencies": agencies,
        "agency_columns": agency_columns,
        "agency_totals": _totals(agencies, agency_columns),
        "sub_operations": [_sub_row(sub) for sub in subs],
        "sub_totals": _totals([sub.get("totals") or {} for sub in subs], columns),
        "figures_json": encoded,
        "version": tag.strip('"'),
        "poll_headers": json.dumps({"If-None-Match": tag}),
        "changed_at": version.changed_at,
        "poll_seconds": POLL_SECONDS,
    }


# Whether children were found is the first question: these columns come first.
FIRST = ("located", "recovered", "outstanding")


def _columns(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    order = FIRST + tuple(m for m in metrics.MAPPABLE if m not in FIRST)
    present = [
        m for m in order if any(row.get(m) or (row.get("totals") or {}).get(m) for row in rows)
    ]
    return [{"metric": m, "label": metrics.label(m)} for m in present]


def _totals(rows: list[dict[str, Any]], columns: list[dict[str, Any]]) -> dict[str, Any]:
    return {c["metric"]: sum(row.get(c["metric"]) or 0 for row in rows) for c in columns}


def _sub_row(sub: dict[str, Any]) -> dict[str, Any]:
    code = sub.get("code") or ""
    return {**sub, "url": reverse("web:dashboard", args=[code]) if code else ""}


@require_GET
@page
@requires(P.OPERATIONS_VIEW)
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    actor = actor_for(request)
    operation = visible_operation(actor, code)
    version, tag = _current(request, operation)
    context = figures_context(actor, operation, version, tag)
    context["metric_choices"] = [
        {"metric": m, "label": metrics.label(m)}
        for m in FIRST + tuple(m for m in metrics.MAPPABLE if m not in FIRST)
    ]
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
    """The live part of the dashboard. A poll that carries the current tag (If-None-Match
    or ``?v=``) gets 304; an unchanged one under a live grant never reaches this view
    (beacon.web.dashboard_polls)."""
    actor = actor_for(request)
    operation = visible_operation(actor, code)
    version, tag = _current(request, operation)
    if tag in polls.requested_tags(request):
        return polls.not_modified(tag)
    html = cache.get(polls.fragment_key(tag))
    if html is None:
        context = figures_context(actor, operation, version, tag)
        html = render_to_string("web/operations/_figures.html", context, request=request)
        cache.set(polls.fragment_key(tag), html, CACHE_SECONDS)
    else:
        _audit_read(actor, operation, cached=True)
    return polls.fragment_response(html, tag)


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
