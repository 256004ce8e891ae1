"""Planning operations: create one, add targets to its list.

Both go through the operations bundle importer (the one code path that creates
operations and targets, all or nothing, audited); its problems come back by field.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from beacon.access.permissions import Permission as P
from beacon.access.requests import actor_for
from beacon.access.routes import requires
from beacon.agencies.models import Agency
from beacon.core.actor import Actor
from beacon.core.errors import DomainError, StaleVersion
from beacon.operations import codes
from beacon.operations.bundles import FORMAT, VERSION
from beacon.operations.bundles.importer import add_entries, import_bundle
from beacon.operations.bundles.reader import jurisdiction_ref_of
from beacon.operations.editing import fingerprint, update_operation
from beacon.operations.models import Operation, Series
from beacon.operations.refs import new_ref
from beacon.records.models import MissingPersonRecord
from beacon.web.lookups import visible_operation
from beacon.web.views.common import page

EDIT_FIELDS = (
    "name",
    "description",
    "status",
    "start",
    "end",
    "jurisdictions",
    "parent",
    "series",
    "edition",
)
KEPT_FIELDS = ("name", "description", "status", "start", "end")  # always sent, as before
OPERATION_FIELD = re.compile(r"^operations\[0\]\.(\w+)")


def _form_errors(exc: DomainError, prefix: re.Pattern[str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for path, problems in exc.fields.items():
        found = prefix.match(path)
        errors.setdefault(found.group(1) if found else "general", []).extend(problems)
    if not errors:
        errors["general"] = [exc.message]
    return errors


def _edition(text: str) -> object:
    """The edition number as typed: an integer, or the text itself for the bundle's check."""
    text = text.strip()
    return int(text) if text.isdigit() else (text or None)


def operation_row(actor_ori: str, data: dict[str, Any]) -> dict[str, Any]:
    """The bundle row of a new operation from the form; the creator's agency leads it."""
    places = [p.strip() for p in re.split(r"[,\n]", data.get("jurisdictions", "")) if p.strip()]
    partners = [str(ori) for ori in data.get("partners", []) if ori and ori != actor_ori]
    return {
        "code": data.get("code", "").strip().upper(),
        "name": data.get("name", "").strip(),
        "description": data.get("description", "").strip(),
        "status": data.get("status", "") or codes.Status.PLANNED,
        "start": data.get("start", "") or None,
        "end": data.get("end", "") or None,
        "focus": [str(f) for f in data.get("focus", [])],
        "parent": data.get("parent", "") or None,
        "series": data.get("series", "") or None,
        "edition": _edition(data.get("edition", "")),
        "jurisdictions": places,
        "participants": [{"agency": actor_ori, "role": codes.ParticipantRole.LEAD}]
        + [{"agency": ori, "role": codes.ParticipantRole.PARTNER} for ori in partners],
    }


@require_http_methods(["GET", "POST"])
@page
@requires(P.OPERATIONS_MANAGE)
def operation_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    context: dict[str, Any] = {
        "statuses": codes.Status.choices,
        "focuses": codes.Focus.choices,
        "agencies": Agency.objects.exclude(kind=Agency.Kind.SYSTEM).order_by("name"),
        "hubs": Operation.objects.visible_to(actor).filter(parent__isnull=True).order_by("name"),
        "series": Series.objects.order_by("name"),  # names of recurring operations, no one's data
        "errors": {},
        "values": {},
    }
    if request.method != "POST":
        return render(request, "web/operations/create.html", context)
    data: dict[str, Any] = {k: str(v) for k, v in request.POST.items()}
    data["focus"] = request.POST.getlist("focus")
    data["partners"] = request.POST.getlist("partners")
    row = operation_row(actor.agency.ori, data)
    try:
        import_bundle(actor, {"format": FORMAT, "version": VERSION, "operations": [row]})
    except DomainError as exc:
        if exc.http_status in (401, 403):
            raise
        context.update({"errors": _form_errors(exc, OPERATION_FIELD), "values": data})
        return render(request, "web/operations/create.html", context, status=exc.http_status)
    messages.success(request, _("Operation created. Add its targets."))
    return HttpResponseRedirect(reverse("web:targets", args=[row["code"]]))


def _edit_values(operation: Operation) -> dict[str, Any]:
    places = Operation.jurisdictions.through.objects.filter(operation=operation).order_by("pk")
    return {
        "name": operation.name,
        "description": operation.description,
        "status": operation.status,
        "start": operation.start.isoformat(),
        "end": operation.end.isoformat() if operation.end else "",
        "focus": list(operation.focus),
        "jurisdictions": ", ".join(
            jurisdiction_ref_of(link.jurisdiction) for link in places.select_related("jurisdiction")
        ),
        "parent": operation.parent.code if operation.parent else "",
        "series": operation.series.code if operation.series else "",
        "edition": "" if operation.edition is None else str(operation.edition),
    }


def _hub_choices(actor: Actor, operation: Operation) -> list[Operation]:
    """Operations the editor may choose as hub (the service refuses loops), and the
    current hub even when the editor cannot see it (keeping it is not a change)."""
    hubs = list(Operation.objects.visible_to(actor).exclude(pk=operation.pk).order_by("name"))
    if operation.parent is not None and operation.parent not in hubs:
        hubs.insert(0, operation.parent)
    return hubs


@require_http_methods(["GET", "POST"])
@page
@requires(P.OPERATIONS_MANAGE)
def operation_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Change the name, description, status, period, focus, jurisdictions, hub, series and
    edition; add partner agencies."""
    actor = actor_for(request)
    operation = visible_operation(actor, code)
    context: dict[str, Any] = {
        "operation": operation,
        "statuses": codes.Status.choices,
        "focuses": codes.Focus.choices,
        "agencies": Agency.objects.exclude(kind=Agency.Kind.SYSTEM)
        .exclude(participations__operation=operation)
        .order_by("name"),
        "hubs": _hub_choices(actor, operation),
        "series": Series.objects.order_by("name"),  # names of recurring operations
        "errors": {},
        "values": _edit_values(operation),
        "seen": fingerprint(operation),
    }
    if request.method != "POST":
        return render(request, "web/operations/edit.html", context)
    # A field the form did not send is left as it is (an older form, a partial post).
    changes: dict[str, Any] = {
        field: str(request.POST.get(field, ""))
        for field in EDIT_FIELDS
        if field in request.POST or field in KEPT_FIELDS
    }
    changes["focus"] = request.POST.getlist("focus")
    try:
        update_operation(
            actor,
            operation.code,
            changes,
            add_partners=request.POST.getlist("partners"),
            expected=str(request.POST.get("seen", "")) or None,
        )
    except DomainError as exc:
        if exc.http_status in (401, 403, 404):
            raise
        context.update({"errors": exc.fields or {"general": [exc.message]}, "values": changes})
        if isinstance(exc, StaleVersion):  # warned: saving again applies these values
            context["seen"] = fingerprint(visible_operation(actor, code))
        else:
            context["seen"] = str(request.POST.get("seen", ""))
        return render(request, "web/operations/edit.html", context, status=exc.http_status)
    messages.success(request, _("Operation updated."))
    return HttpResponseRedirect(reverse("web:dashboard", args=[operation.code]))


KEPT_NICS = "beacon-target-add"  # the session key of an add refused, to show it again


@require_POST
@page
@requires(P.OPERATIONS_MANAGE)
def target_add(request: HttpRequest, code: str) -> HttpResponse:
    """Add missing-person records (by NIC, one per line) to the operation's target list."""
    actor = actor_for(request)
    operation = visible_operation(actor, code)
    nics = [
        n.strip().upper()
        for n in re.split(r"[\s,]+", str(request.POST.get("nics", "")))
        if n.strip()
    ]
    assigned = str(request.POST.get("assigned_agency", ""))
    records = {
        r.nic: r
        for r in MissingPersonRecord.objects.visible_to(actor)
        .filter(nic__in=nics)
        .select_related("originating_agency")
    }
    unknown = [n for n in nics if n not in records]
    back = reverse("web:targets", args=[operation.code])
    if not nics or unknown:
        # What was typed comes back in the box (the page after the redirect reads it once).
        request.session[KEPT_NICS] = {
            "operation": operation.code,
            "nics": str(request.POST.get("nics", ""))[:5000],
            "assigned": assigned,
        }
        messages.error(
            request,
            _("Unknown or not visible: %(nics)s.") % {"nics": ", ".join(unknown)}
            if unknown
            else _("Give one or more NICs."),
        )
        return HttpResponseRedirect(back)
    rows = [
        {
            "ref": new_ref(),
            "record": f"{r.originating_agency.ori}:{r.oca}",
            "assigned_agency": assigned or r.originating_agency.ori,
        }
        for r in (records[n] for n in nics)
    ]
    try:
        add_entries(actor, operation.code, "targets", rows)
    except DomainError as exc:
        if exc.http_status in (401, 403, 404):
            raise
        problems = [p for ps in exc.fields.values() for p in ps] or [exc.message]
        messages.error(request, " ".join(problems))
    else:
        messages.success(request, _("%(n)s target(s) added.") % {"n": len(rows)})
    return HttpResponseRedirect(back)
