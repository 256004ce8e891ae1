"""The report page (press release, tables, map, chart; language toggle) and its PDF."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.formats import get_format
from django.views.decorators.http import require_GET

from beacon.access.permissions import Permission as P
from beacon.access.requests import actor_for
from beacon.access.routes import requires
from beacon.operations.reports.compute import build_report
from beacon.operations.reports.languages import base, language_names, report_languages
from beacon.operations.reports.pdf import to_pdf
from beacon.operations.reports.tables import (
    area_table,
    figures_table,
    jurisdiction_table,
    sub_table,
    totals_table,
)
from beacon.operations.reports.text import summary
from beacon.web import metrics
from beacon.web.lookups import visible_operation
from beacon.web.views.common import page


def report_language(request: HttpRequest) -> str:
    """``?lang=`` when given (the page's toggle), else the reader's own language."""
    asked = str(request.GET.get("lang", ""))
    if asked in report_languages():
        return asked
    own = base(translation.get_language() or "en")
    return own if own in report_languages() else "en"


def _table(rows: list[list[str]] | None) -> dict[str, Any] | None:
    if not rows:
        return None
    return {"head": rows[0], "rows": rows[1:]}


@require_GET
@page
@requires(P.OPERATIONS_REPORT)
def report(request: HttpRequest, code: str) -> HttpResponse:
    actor = actor_for(request)
    operation = visible_operation(actor, code)
    lang = report_language(request)
    data = build_report(actor, operation.code, lang=lang)
    with translation.override(lang):
        figures = {
            "totals": data.totals_dict(),
            "by_jurisdiction": [row.as_dict() for row in data.by_jurisdiction],
        }
        context = {
            "operation": operation,
            "report": data,
            "lang": lang,
            "languages": language_names(),
            "summary": summary(data, lang),
            "totals_table": _table(totals_table(data, lang)),
            "places_table": _table(jurisdiction_table(data, lang)),
            "areas_table": _table(area_table(data, lang)) if data.by_place else None,
            "subs_table": _table(sub_table(data, lang)) if data.sub_operations else None,
            "figures_table": _table(figures_table(data, lang)) if data.figures else None,
            "figures_json": json.dumps(figures, default=str),
            "labels_json": json.dumps({m: metrics.label(m) for m in metrics.LABELS}),
            "metric_choices": [{"metric": m, "label": metrics.label(m)} for m in metrics.MAPPABLE],
            "separators": str(get_format("DECIMAL_SEPARATOR"))
            + str(get_format("THOUSAND_SEPARATOR")),
        }
    context["topojson_url"] = reverse("web:base_map", args=["usa_110m"]).rsplit("/", 1)[0] + "/"
    context["shapes_url"] = reverse("web:operation_shapes", args=[operation.code])
    context["can_view"] = actor_for(request).role != "pio"
    return render(request, "web/operations/report.html", context)


@require_GET
@page
@requires(P.OPERATIONS_REPORT)
def report_pdf(request: HttpRequest, code: str) -> HttpResponse:
    actor = actor_for(request)
    operation = visible_operation(actor, code)
    lang = report_language(request)
    data = build_report(actor, operation.code, lang=lang)
    response = HttpResponse(to_pdf(data, lang), content_type="application/pdf")
    filename = f"{operation.code.lower()}-{lang}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
