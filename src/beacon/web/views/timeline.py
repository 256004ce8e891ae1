"""Timelines of an operation, a target and a victim; correcting an entry (audited, kept)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beacon.access import policy
from beacon.access.permissions import Permission as P
from beacon.access.requests import actor_for
from beacon.access.routes import requires
from beacon.agencies.models import Jurisdiction
from beacon.core.actor import Actor
from beacon.core.errors import DomainError, NotVisible, ValidationFailed
from beacon.operations import corrections, outcomes, timeline
from beacon.operations.models import Operation, Target, Victim
from beacon.records.models import MissingPersonRecord
from beacon.web import reads
from beacon.web.forms import KINDS
from beacon.web.lookups import visible_operation
from beacon.web.views.common import page


def _render(
    request: HttpRequest,
    operation: Operation,
    title: str,
    entries: list[timeline.Entry],
    **extra: Any,
) -> HttpResponse:
    actor = actor_for(request)
    # Names on the page are reads of personal data: audited like the target list.
    reads.record_list_read(actor, "timeline", operation.code, (e.nic for e in entries if e.nic))
    reads.victim_list_read(actor, "timeline", (e.victim for e in entries if e.victim))
    # Links built once per page, not once per entry (a page lists up to timeline.PAGE).
    urls = {
        "web:target_timeline": reverse("web:target_timeline", args=[operation.code, "~ref~"]),
        "web:victim_timeline": reverse("web:victim_timeline", args=["~ref~"]),
    }
    correct = reverse("web:correct_entry", args=[operation.code, "~kind~", "~ref~"])
    can_correct = policy.has(actor, P.OPERATIONS_RECORD)
    for e in entries:
        if e.link:
            e.href = urls[e.link[0]].replace("~ref~", e.link[1])
        if can_correct and e.correctable and e.agency_id == actor.agency_id:
            e.correct_href = correct.replace("~kind~", e.kind).replace("~ref~", e.ref)
    context = {
        "operation": operation,
        "title": title,
        "entries": entries,
        **extra,
    }
    return render(request, "web/operations/timeline.html", context)


@require_GET
@page
@requires(P.OPERATIONS_VIEW)
def operation_timeline(request: HttpRequest, code: str) -> HttpResponse:
    actor = actor_for(request)
    operation = visible_operation(actor, code)
    before = _before(request)
    shown = timeline.operation_entries(actor, operation, before=before)
    older = ""
    if shown.older is not None:
        older = "?" + urlencode({"before": str(shown.older)})
    return _render(
        request, operation, _("Timeline"), shown.entries, older=older, paged=before is not None
    )


def _before(request: HttpRequest) -> timeline.Cursor | None:
    """Where the page starts (``?before=``, as the previous page's link gave it), or None."""
    raw = str(request.GET.get("before", "")).strip()
    if not raw:
        return None
    cursor = timeline.Cursor.parse(raw)
    if cursor is None:
        raise ValidationFailed.on("before", _("This link to older entries is not valid."))
    return cursor


def visible_target(actor: Actor, operation: Operation, ref: str) -> Target:
    """A target of ``operation`` whose record the actor may see, or NotVisible."""
    found = (
        Target.objects.visible_to(actor)
        .select_related("record", "operation")
        .filter(
            operation=operation, ref=ref, record__in=MissingPersonRecord.objects.visible_to(actor)
        )
        .first()
    )
    if found is None:
        raise NotVisible()
    return found


@require_GET
@page
@requires(P.OPERATIONS_VIEW)
def target_timeline(request: HttpRequest, code: str, ref: str) -> HttpResponse:
    actor = actor_for(request)
    operation = visible_operation(actor, code)
    target = visible_target(actor, operation, ref)
    record = target.record
    title = f"{record.last_name}, {record.first_name} ({record.nic})"
    live = outcomes.has_outcome(target) and target.outcome
    may_withdraw = bool(
        live and policy.has(actor, P.OPERATIONS_RECORD) and live.agency_id == actor.agency_id
    )
    entries = timeline.target_entries(actor, target)
    for entry in entries:
        entry.nic = record.nic  # every entry is about this record (read once, audited)
    return _render(
        request,
        operation,
        title,
        entries,
        target=target,
        may_withdraw=may_withdraw,
    )


@require_GET
@page
@requires(P.OPERATIONS_VIEW)
def victim_timeline(request: HttpRequest, ref: str) -> HttpResponse:
    actor = actor_for(request)
    victim = (
        Victim.objects.visible_to(actor)
        .select_related("operation", "person", "agency", "jurisdiction")
        .filter(ref=ref)
        .first()
    )
    if victim is None:
        raise NotVisible()
    entries = timeline.victim_entries(actor, victim)
    return _render(request, victim.operation, str(victim.person), entries, victim=victim)


@require_POST
@page
@requires(P.OPERATIONS_RECORD)
def withdraw_outcome(request: HttpRequest, code: str, ref: str) -> HttpResponse:
    """Correct an outcome after the undo window: withdrawn with a reason, kept, audited."""
    actor = actor_for(request)
    operation = visible_operation(actor, code)
    target = visible_target(actor, operation, ref)
    try:
        outcomes.withdraw(actor, target, reason=str(request.POST.get("reason", "")))
    except DomainError as exc:
        if exc.http_status in (401, 403, 404):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The outcome was withdrawn; the child is outstanding again."))
    return HttpResponseRedirect(reverse("web:target_timeline", args=[operation.code, target.ref]))


def _entry_back(operation: Operation, kind: str, entry: Any) -> str:
    if isinstance(entry, Victim):
        return reverse("web:victim_timeline", args=[entry.ref]) + f"#{kind}-{entry.ref}"
    return reverse("web:operation_timeline", args=[operation.code]) + f"#{kind}-{entry.ref}"


@require_http_methods(["GET", "POST"])
@page
@requires(P.OPERATIONS_RECORD)
def correct_entry(request: HttpRequest, code: str, kind: str, ref: str) -> HttpResponse:
    """Correct an entry's time or place, with a reason; the value before is kept."""
    actor = actor_for(request)
    operation = visible_operation(actor, code)
    entry = corrections.entry_of(actor, operation, kind, ref)
    errors: dict[str, list[str]] = {}
    values = {
        "at": localtime(entry.at).strftime("%Y-%m-%dT%H:%M"),
        "jurisdiction": str(entry.jurisdiction_id),
        "reason": "",
    }
    status = 200
    if request.method == "POST":
        values = {k: str(request.POST.get(k, "")).strip() for k in values}
        try:
            made = corrections.correct(
                actor, operation, kind, ref, changes=_changes(values), reason=values["reason"]
            )
        except DomainError as exc:
            if exc.http_status in (401, 403, 404):
                raise
            errors = exc.fields or {"general": [exc.message]}
            status = exc.http_status
        else:
            if made:
                messages.success(request, _("Entry corrected; the earlier value is kept."))
            else:
                messages.info(request, _("Nothing was different: nothing was changed."))
            return HttpResponseRedirect(_entry_back(operation, kind, entry))
    places = Jurisdiction.objects.filter(operations=operation).order_by("kind", "name_en")
    if not places.filter(pk=entry.jurisdiction_id).exists():
        places = Jurisdiction.objects.filter(pk=entry.jurisdiction_id) | places
    context = {
        "operation": operation,
        "entry": entry,
        "kind_label": KINDS[kind][1] if kind in KINDS else kind,
        "values": values,
        "errors": errors,
        "places": places,
        "back": _entry_back(operation, kind, entry),
    }
    return render(request, "web/operations/correct.html", context, status=status)


def _changes(values: dict[str, str]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if values["at"]:
        at = parse_datetime(values["at"])
        if at is None:
            raise ValidationFailed.on("at", _("A date and time."))
        changes["at"] = timezone.make_aware(at) if timezone.is_naive(at) else at
    if values["jurisdiction"]:
        place = (
            Jurisdiction.objects.filter(pk=int(values["jurisdiction"])).first()
            if values["jurisdiction"].isdigit()
            else None
        )
        if place is None:
            raise ValidationFailed.on("jurisdiction", _("Choose a place."))
        changes["jurisdiction"] = place
    return changes
