"""The target list with filters, and outcome entry in two taps (phone-sized screens)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from beacon.access import policy
from beacon.access.permissions import Permission as P
from beacon.access.requests import actor_for
from beacon.access.routes import requires
from beacon.agencies.models import Agency, Jurisdiction
from beacon.core.actor import Actor
from beacon.core.errors import DomainError
from beacon.operations import codes, outcomes
from beacon.operations import services as operations
from beacon.operations.models import Operation, Target
from beacon.records.models import MissingPersonRecord
from beacon.web import reads
from beacon.web.lookups import visible_operation
from beacon.web.views.common import page

MAX_ROWS = 300
STATUSES = ("outstanding", "located", "recovered")

# The choices offered on the second tap: (kind, how), most frequent first.
OUTCOME_CHOICES = [
    (codes.OutcomeKind.LOCATED, how)
    for how in (
        codes.OutcomeHow.RETURNED_VOLUNTARILY,
        codes.OutcomeHow.WITH_FRIENDS_OR_RELATIVES,
        codes.OutcomeHow.OTHER_JURISDICTION,
        codes.OutcomeHow.WELFARE_CHECK,
    )
] + [
    (codes.OutcomeKind.RECOVERED, how)
    for how in (codes.OutcomeHow.RETURNED_TO_GUARDIAN, codes.OutcomeHow.PLACED_WITH_CHILD_WELFARE)
]


def _birth_bounds(age_min: int | None, age_max: int | None, today: date) -> dict[str, date]:
    """Filters on the record's date of birth for an age range in whole years."""
    bounds: dict[str, date] = {}
    if age_min is not None:
        bounds["record__dob__lte"] = today.replace(year=today.year - age_min)
    if age_max is not None:
        bounds["record__dob__gt"] = today.replace(year=today.year - age_max - 1)
    return bounds


def _int(value: str | None) -> int | None:
    try:
        number = int(str(value))
    except ValueError:
        return None
    return number if 0 <= number <= 120 else None


def filtered_targets(operation: Operation, params: dict[str, str]) -> QuerySet[Target]:
    targets = operation.targets.select_related(  # the targets of an operation the actor sees
        "record",
        "record__jurisdiction_last_seen",
        "record__originating_agency",
        "assigned_agency",
        "outcome",
        "outcome__registry_transaction",
    )
    status = params.get("status", "")
    if status == "outstanding":
        targets = targets.filter(outcome__isnull=True)
    elif status in STATUSES:
        targets = targets.filter(outcome__kind=status)
    if agency := _int_id(params.get("agency")):
        targets = targets.filter(assigned_agency_id=agency)
    if place := _int_id(params.get("jurisdiction")):
        targets = targets.filter(record__jurisdiction_last_seen_id=place)
    bounds = _birth_bounds(
        _int(params.get("age_min")), _int(params.get("age_max")), timezone.localdate()
    )
    return targets.filter(**bounds).order_by("record__last_name", "record__first_name", "id")


def _int_id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _filter_choices(operation: Operation) -> dict[str, Any]:
    agency_ids = operation.targets.values("assigned_agency_id")
    place_ids = operation.targets.values("record__jurisdiction_last_seen_id")
    return {
        "agencies": Agency.objects.filter(pk__in=agency_ids).order_by("name"),
        "jurisdictions": Jurisdiction.objects.filter(pk__in=place_ids).order_by("name_en"),
        "statuses": [
            ("outstanding", _("Outstanding")),
            ("located", _("Located")),
            ("recovered", _("Recovered")),
        ],
    }


def age_of(dob: date | None, today: date) -> int | None:
    if dob is None:
        return None
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def outcome_choices() -> list[dict[str, str]]:
    return [
        {
            "kind": kind,
            "how": how,
            "label": f"{codes.OutcomeKind(kind).label}: {codes.OutcomeHow(how).label}",
        }
        for kind, how in OUTCOME_CHOICES
    ]


def _row(actor: Actor, target: Target, today: date) -> dict[str, Any]:
    """One target's row: its age, the outcome taps this actor can complete, and the
    seconds left to undo an outcome this actor's agency has just recorded."""
    done = outcomes.has_outcome(target)
    can = None if done else outcomes.offer(actor, target)
    undo_left = 0
    if done and target.outcome and target.outcome.agency_id == actor.agency_id:
        undo_left = outcomes.undo_seconds_left(target.outcome, timezone.now())
    return {
        "target": target,
        "age": age_of(target.record.dob, today),
        "kinds": can.kinds if can else frozenset(),
        "explanation": can.explanation if can else "",
        "undo_left": undo_left,
    }


def row_context(operation: Operation) -> dict[str, Any]:
    """What every row shares, computed once per page rather than once per row."""
    return {
        "outcome_choices": outcome_choices(),
        "outcome_base": reverse("web:targets", args=[operation.code]),
        "record_base": reverse("web:record_search"),
        "words": {
            "outstanding": _("Outstanding"),
            "record_outcome": _("Record outcome"),
            "saving": _("Saving…"),
            "undo": _("Undo"),
            "saved": _("Saved."),
            "timeline": _("See the timeline"),
        },
        "timeline_url": reverse("web:operation_timeline", args=[operation.code]),
    }


def _kept_input(request: HttpRequest, operation: Operation) -> dict[str, str]:
    """What was typed into "Add targets" before it was refused (shown once, then gone)."""
    kept = request.session.pop("beacon-target-add", None)
    if not isinstance(kept, dict) or kept.get("operation") != operation.code:
        return {}
    return {"nics": str(kept.get("nics", "")), "assigned": str(kept.get("assigned", ""))}


@require_GET
@page
@requires(P.OPERATIONS_VIEW)
def target_list(request: HttpRequest, code: str) -> HttpResponse:
    actor = actor_for(request)
    operation = visible_operation(actor, code)
    params = {k: str(v) for k, v in request.GET.items()}
    # Only targets whose record the actor may see: TLP RED / AMBER+STRICT narrow the list.
    visible = filtered_targets(operation, params).filter(
        record__in=MissingPersonRecord.objects.visible_to(actor)
    )
    targets = list(visible[: MAX_ROWS + 1])
    today = timezone.localdate()
    rows = [_row(actor, t, today) for t in targets[:MAX_ROWS]]
    reads.record_list_read(
        actor, "targets", operation.code, (t.record.nic for t in targets[:MAX_ROWS])
    )
    context = {
        "operation": operation,
        "rows": rows,
        "truncated": len(targets) > MAX_ROWS,
        "params": params,
        "can_record": policy.has(actor, P.OPERATIONS_RECORD),
        "can_view_records": policy.has(actor, P.RECORDS_VIEW),
        "can_manage": policy.has(actor, P.OPERATIONS_MANAGE),
        "participants": Agency.objects.filter(participations__operation=operation).order_by("name"),
        "query": request.GET.urlencode(),
        "kept": _kept_input(request, operation),
        **row_context(operation),
        **_filter_choices(operation),
    }
    return render(request, "web/operations/targets.html", context)


@require_POST
@page
@requires(P.OPERATIONS_RECORD)
def record_outcome(request: HttpRequest, code: str, ref: str) -> HttpResponse:
    actor = actor_for(request)
    target = operations.get_target(actor, code, ref)
    how = str(request.POST.get("how", ""))
    # One tap names the "how"; the kind follows from the code table.
    recovered = how in codes.RECOVERED_HOWS
    kind = codes.OutcomeKind.RECOVERED if recovered else codes.OutcomeKind.LOCATED
    error = ""
    try:
        operations.record_outcome(
            actor, target, kind=kind, how=how, at=timezone.now(), agency=actor.agency
        )
    except DomainError as exc:
        if exc.http_status in (401, 403, 404):
            raise
        error = exc.message
    return _answer(request, actor, target, code, error, _("Outcome recorded."))


@require_POST
@page
@requires(P.OPERATIONS_RECORD)
def undo_outcome(request: HttpRequest, code: str, ref: str) -> HttpResponse:
    """The one tap right after recording: the outcome is withdrawn (kept, audited) and the
    registry's locate or clear reopened; later, correct it from the timeline."""
    actor = actor_for(request)
    target = operations.get_target(actor, code, ref)
    error = ""
    try:
        outcomes.withdraw(actor, target, undo=True)
    except DomainError as exc:
        if exc.http_status in (401, 403, 404):
            raise
        error = exc.message
    return _answer(request, actor, target, code, error, _("Outcome undone."))


def _answer(
    request: HttpRequest, actor: Actor, target: Target, code: str, error: str, done: str
) -> HttpResponse:
    """The refreshed row for htmx; otherwise back to the list with a message."""
    if request.headers.get("HX-Request"):
        target = (
            Target.objects.visible_to(actor)
            .select_related(
                "record",
                "record__jurisdiction_last_seen",
                "record__originating_agency",
                "assigned_agency",
                "outcome",
                "outcome__registry_transaction",
            )
            .filter(pk=target.pk)
            .get()
        )
        row = _row(actor, target, timezone.localdate())
        context = {
            "rows": [row],
            "operation": target.operation,
            "can_record": True,
            "can_view_records": policy.has(actor, P.RECORDS_VIEW),
            "error": error,
            **row_context(target.operation),
        }
        return render(request, "web/operations/_target_rows.html", context)
    if error:
        messages.error(request, error)
    else:
        timeline = reverse("web:target_timeline", args=[code, target.ref])
        messages.success(
            request, format_html('{} <a href="{}">{}</a>', done, timeline, _("See the timeline"))
        )
    back = reverse("web:targets", args=[code])
    query = str(request.POST.get("query", ""))
    return HttpResponseRedirect(f"{back}?{query}" if query else back)
