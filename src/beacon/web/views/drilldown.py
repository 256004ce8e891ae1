"""Drill-down: the rows behind one figure of an operation's dashboard (need-to-know applies).

beacon.operations.reports.drilldown gives the rows as data (codes, ISO dates, the API's
shape); this page says them in words in the reader's language: code labels, local dates,
place and operation names, and each row links to its entry on a timeline.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.db.models import Model, TextChoices
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from beacon.access.permissions import Permission as P
from beacon.access.requests import actor_for
from beacon.access.routes import requires
from beacon.agencies.models import Jurisdiction
from beacon.geo import places
from beacon.operations import codes
from beacon.operations.corrections import ENTRY_MODELS
from beacon.operations.models import Operation, Raid, Service
from beacon.operations.reports.drilldown import (
    EVENT_METRICS,
    REFERRAL_METRICS,
    TARGET_METRICS,
    VICTIM_METRICS,
    drilldown,
)
from beacon.records.codes import Status as RecordStatus
from beacon.web import metrics
from beacon.web.lookups import visible_operation
from beacon.web.views.common import page

COLUMNS: dict[str, str | Promise] = {
    "operation": gettext_lazy("Operation"),
    "target": gettext_lazy("Target"),
    "ref": gettext_lazy("Reference"),
    "nic": "NIC",
    "name": gettext_lazy("Name"),
    "person": gettext_lazy("Name"),
    "victim": gettext_lazy("Victim"),
    "dob": gettext_lazy("Date of birth"),
    "record_status": gettext_lazy("Record status"),
    "assigned_agency": gettext_lazy("Assigned to"),
    "outcome": gettext_lazy("Outcome"),
    "how": gettext_lazy("How"),
    "at": gettext_lazy("Date"),
    "place": gettext_lazy("Place"),
    "agency": gettext_lazy("Agency"),
    "jurisdiction": gettext_lazy("Jurisdiction"),
    "role": gettext_lazy("Role"),
    "charges": gettext_lazy("Charges"),
    "nibrs": gettext_lazy("NIBRS offence"),
    "warrants_served": gettext_lazy("Warrants served"),
    "age_min": gettext_lazy("Age"),
    "age_max": gettext_lazy("Oldest"),
    "age_group": gettext_lazy("Minor or adult"),
    "self_identification": gettext_lazy("Identifies as"),
    "sex": gettext_lazy("Sex"),
    "kind": gettext_lazy("Kind"),
    "status": gettext_lazy("Status"),
    "to_agency": gettext_lazy("Referred to"),
    "type": gettext_lazy("Type"),
    "summary": gettext_lazy("Summary"),
    "currency": gettext_lazy("Currency"),
    "cash_amount": gettext_lazy("Cash"),
    "devices": gettext_lazy("Devices"),
    "file_count": gettext_lazy("Files"),
}
# Code columns whose values are one code table's values, whatever the metric.
CODE_TABLES: dict[str, type[TextChoices]] = {
    "record_status": RecordStatus,
    "how": codes.OutcomeHow,
    "age_group": codes.AgeGroup,
    "self_identification": codes.SelfIdentification,
    "sex": codes.Sex,
    "role": codes.ArrestRole,
    "nibrs": codes.Nibrs,
    "type": codes.InvestigationType,
}


def _choice(table: type[TextChoices], value: object) -> str:
    try:
        return str(table(str(value)).label)
    except ValueError:
        return str(value)


def _tables_for(metric: str) -> dict[str, type[TextChoices]]:
    """The code tables of ``kind`` and ``status``, which depend on what the rows are."""
    model = EVENT_METRICS.get(metric)
    tables = dict(CODE_TABLES)
    if model is Service:
        tables |= {"kind": codes.ServiceKind, "status": codes.ServiceStatus}
    elif model is Raid:
        tables["kind"] = codes.RaidKind
    elif metric in REFERRAL_METRICS:
        tables["status"] = codes.ReferralStatus
    return tables


def _when(value: object) -> str:
    moment = parse_datetime(value) if isinstance(value, str) and "T" in value else value
    if isinstance(moment, datetime) and moment.tzinfo is not None:
        return date_format(localtime(moment), "SHORT_DATETIME_FORMAT")
    day = parse_date(value) if isinstance(value, str) else value
    if isinstance(day, date):
        return date_format(day, "SHORT_DATE_FORMAT")
    return str(value)


def words(metric: str, rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The rows with every code, date and place said in the reader's language."""
    tables = _tables_for(metric)
    places = {
        j.name_en: j.name
        for j in Jurisdiction.objects.filter(name_en__in={str(r.get("jurisdiction")) for r in rows})
    }
    operations = dict(
        Operation.objects.filter(code__in={r.get("operation") for r in rows}).values_list(
            "code", "name"
        )
    )
    shown: dict[str, Callable[[Any], str]] = {
        "at": _when,
        "dob": _when,
        "outcome": lambda v: (
            _("Outstanding") if v == "outstanding" else _choice(codes.OutcomeKind, v)
        ),
        "jurisdiction": lambda v: places.get(v, v),
        "operation": lambda v: operations.get(v, v),
        "cash_amount": lambda v: number_format(v, 2, use_l10n=True),
    }
    said = []
    for row in rows:
        out = {}
        for key, value in row.items():
            if value is None or value == "":
                out[key] = ""
            elif key in shown:
                out[key] = shown[key](value)
            elif key in tables:
                out[key] = _choice(tables[key], value)
            else:
                out[key] = str(value)
        said.append(out)
    return said


def link_of(code: str, metric: str, row: dict[str, Any]) -> str:
    """Where a row's entry is: a target's or victim's timeline, or the operation's."""
    operation = row.get("operation") or code
    if metric in TARGET_METRICS:
        return reverse("web:target_timeline", args=[operation, row["target"]])
    if metric in VICTIM_METRICS:
        return reverse("web:victim_timeline", args=[row["ref"]])
    if metric in REFERRAL_METRICS:
        return reverse("web:victim_timeline", args=[row["victim"]]) + f"#referral-{row['ref']}"
    kinds: dict[type[Model], str] = {model: kind for kind, model in ENTRY_MODELS.items()}
    kind = kinds[EVENT_METRICS[metric]]
    return reverse("web:operation_timeline", args=[operation]) + f"#{kind}-{row['ref']}"


def place_name(place: str) -> str:
    """``state:MO`` as the reader says it (Missouri); the text as given when unknown."""
    if not place:
        return ""
    parsed = places.normalise(place)
    found = places.find(*parsed) if isinstance(parsed, tuple) else None
    return found.name if found else place


@require_GET
@page
@requires(P.OPERATIONS_VIEW)
def figure_rows(request: HttpRequest, code: str, metric: str) -> HttpResponse:
    actor = actor_for(request)
    operation = visible_operation(actor, code)
    place = str(request.GET.get("jurisdiction", ""))
    found = drilldown(actor, operation.code, metric, jurisdiction=place)
    name = metric.partition(".")[0]
    rows = found["rows"]
    keys = [
        k
        for k in (list(rows[0]) if rows else [])
        if k != "operation" or len({r["operation"] for r in rows}) > 1
    ]
    said = words(name, rows)
    context = {
        "operation": operation,
        "metric_label": metrics.label(name),
        "place": place_name(place),
        "count": found["count"],
        "columns": [COLUMNS.get(k, k.replace("_", " ")) for k in keys],
        "rows": [
            {"link": link_of(operation.code, name, row), "cells": [out[k] for k in keys]}
            for row, out in zip(rows, said, strict=True)
        ],
    }
    return render(request, "web/operations/drilldown.html", context)
