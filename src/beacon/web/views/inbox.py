"""The caseworker inbox (NGO / child welfare): referrals to accept or decline, services.

Victims are shown only through ``Victim.objects.visible_to``: a caseworker sees the victims
referred to their agency, and nothing else answers — a guessed address is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from beacon.access import policy
from beacon.access.permissions import Permission as P
from beacon.access.requests import actor_for
from beacon.access.routes import requires
from beacon.core.actor import Actor
from beacon.core.errors import NotVisible, ValidationFailed
from beacon.operations import codes
from beacon.operations.models import Referral, Victim
from beacon.web import event_services, reads
from beacon.web.views.common import field_errors, page


@require_GET
@page
@requires(P.REFERRALS_VIEW)
def inbox(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    referrals = (
        Referral.objects.visible_to(actor)
        .filter(to_agency_id=actor.agency_id)
        .select_related("operation", "agency", "jurisdiction")  # victims: as the actor sees them
        .order_by("status", "-at", "id")
    )
    context = {
        "open": [r for r in referrals if r.status == "offered"],
        "answered": [r for r in referrals if r.status != "offered"],
        "can_respond": policy.has(actor, P.REFERRALS_RESPOND),
        "can_serve": policy.has(actor, P.SERVICES_RECORD),
    }
    reads.victim_list_read(actor, "inbox", (r.victim.ref for r in referrals))
    return render(request, "web/inbox/inbox.html", context)


def _victim_page(
    request: HttpRequest,
    actor: Actor,
    ref: str,
    *,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Only the fields the actor's victim query loads (CASEWORKER_VICTIM_FIELDS); the form
    for a service delivered when the policy lets the actor record one."""
    found = event_services.show_victim(actor, ref)
    serves = policy.has(actor, P.SERVICES_RECORD)
    context = {
        "victim": found.victim,
        "facts": found.facts,
        "referrals": found.referrals,
        "services": found.services,
        "can_record": serves and event_services.may_record_service(actor, found.victim),
        "service_kinds": codes.ServiceKind.choices,
        "errors": errors or {},
        "values": values or {"on": timezone.localdate().isoformat()},
    }
    return render(request, "web/inbox/victim.html", context, status=status)


@require_GET
@page
@requires(P.REFERRALS_VIEW)
def referred_victim(request: HttpRequest, ref: str) -> HttpResponse:
    return _victim_page(request, actor_for(request), ref)


@require_GET
@page
@requires(P.VICTIMS_VIEW)
def victim(request: HttpRequest, ref: str) -> HttpResponse:
    return _victim_page(request, actor_for(request), ref)


@require_POST
@page
@requires(P.SERVICES_RECORD)
def record_service(request: HttpRequest, ref: str) -> HttpResponse:
    """Record a service delivered to a victim referred to the caseworker's agency (an
    accepted referral): 404 for a victim they cannot see, 403 without an accepted one."""
    actor = actor_for(request)
    data = {k: str(request.POST.get(k, "")) for k in ("kind", "on", "notes")}
    try:
        event_services.record_referred_service(actor, ref, data)
    except ValidationFailed as exc:
        return _victim_page(
            request, actor, ref, errors=field_errors(exc), values=data, status=exc.http_status
        )
    messages.success(request, _("Service recorded."))
    return HttpResponseRedirect(reverse("web:referred_victim", args=[ref]))


@require_POST
@page
@requires(P.REFERRALS_RESPOND)
def respond(request: HttpRequest, ref: str) -> HttpResponse:
    actor = actor_for(request)
    referral = (
        Referral.objects.visible_to(actor).filter(to_agency_id=actor.agency_id, ref=ref).first()
    )
    if referral is None:
        raise NotVisible()
    answer = str(request.POST.get("answer", ""))
    event_services.respond_to_referral(actor, referral, answer)
    messages.success(
        request, _("Referral accepted.") if answer == "accepted" else _("Referral declined.")
    )
    return HttpResponseRedirect(reverse("web:inbox"))


__all__ = ["Referral", "Victim", "inbox", "record_service", "referred_victim", "respond", "victim"]
