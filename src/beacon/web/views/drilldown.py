"""Drill-down: the rows behind one figure of an operation's dashboard (need-to-know applies)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from beacon.access.permissions import Permission as P
from beacon.access.requests import actor_for
from beacon.access.routes import requires
from beacon.operations.reports.drilldown import drilldown
from beacon.web import metrics
from beacon.web.lookups import visible_operation
from beacon.web.views.common import page

COLUMNS: dict[str, str | Promise] = {
    "operation": _("Operation"),
    "target": _("Target"),
    "ref": _("Reference"),
    "nic": "NIC",
    "name": _("Name"),
    "dob": _("Date of birth"),
    "record_status": _("Record status"),
    "assigned_agency": _("Assigned to"),
    "outcome": _("Outcome"),
    "how": _("How"),
    "at": _("Date"),
    "place": _("Place"),
    "agency": _("Agency"),
    "jurisdiction": _("Jurisdiction"),
    "role": _("Role"),
    "age_min": _("Age"),
    "age_max": _("Oldest"),
    "age_group": _("Minor or adult"),
    "sex": _("Sex"),
    "kind": _("Kind"),
    "status": _("Status"),
    "to_agency": _("Referred to"),
    "type": _("Type"),
}


@require_GET
@page
@requires(P.OPERATIONS_VIEW)
def figure_rows(request: HttpRequest, code: str, metric: str) -> HttpResponse:
    actor = actor_for(request)
    operation = visible_operation(actor, code)
    place = str(request.GET.get("jurisdiction", ""))
    found = drilldown(actor, operation.code, metric, jurisdiction=place)
    rows = found["rows"]
    keys = list(rows[0]) if rows else []
    context = {
        "operation": operation,
        "metric_label": metrics.label(metric.partition(".")[0]),
        "place": place,
        "count": found["count"],
        "columns": [COLUMNS.get(k, k.replace("_", " ")) for k in keys],
        "rows": [[row[k] if row[k] is not None else "" for k in keys] for row in rows],
    }
    return render(request, "web/operations/drilldown.html", context)
