"""The caseworker inbox (NGO / child welfare): referrals to accept or decline, services.

Victims are shown only through beacon.access.policy: a caseworker sees the victims
referred to their agency, and nothing else answers — a guessed address is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from beacon.access import policy
from beacon.access.permissions import Permission as P
from beacon.access.requests import actor_for
from beacon.access.routes import requires
from beacon.core.actor import Actor
from beacon.core.errors import NotVisible
from beacon.operations.models import Referral, Victim
from beacon.web import event_services, reads
from beacon.web.views.common import page


@require_GET
@page
@requires(P.REFERRALS_VIEW)
def inbox(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    referrals = (
        policy.referrals_visible_to(actor)
        .filter(to_agency_id=actor.agency_id)
        .select_related("victim", "operation", "agency", "jurisdiction")
        .order_by("status", "-at", "id")
    )
    context = {
        "open": [r for r in referrals if r.status == "offered"],
        "answered": [r for r in referrals if r.status != "offered"],
        "can_respond": policy.has(actor, P.REFERRALS_RESPOND),
    }
    reads.victim_list_read(actor, "inbox", (r.victim.ref for r in referrals))
    return render(request, "web/inbox/inbox.html", context)


def _victim_page(request: HttpRequest, actor: Actor, ref: str) -> HttpResponse:
    """Only the fields the policy allows this actor (victim_fields_visible_to)."""
    found = event_services.show_victim(actor, ref)
    context = {
        "victim": found.victim,
        "facts": found.facts,
        "referrals": found.referrals,
        "services": found.services,
    }
    return render(request, "web/inbox/victim.html", context)


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
@requires(P.REFERRALS_RESPOND)
def respond(request: HttpRequest, ref: str) -> HttpResponse:
    actor = actor_for(request)
    referral = (
        policy.referrals_visible_to(actor)
        .filter(to_agency_id=actor.agency_id, ref=ref)
        .select_related("victim")
        .first()
    )
    if referral is None:
        raise NotVisible()
    answer = str(request.POST.get("answer", ""))
    event_services.respond_to_referral(actor, referral, answer)
    messages.success(
        request, _("Referral accepted.") if answer == "accepted" else _("Referral declined.")
    )
    return HttpResponseRedirect(reverse("web:inbox"))


__all__ = ["Referral", "Victim", "inbox", "referred_victim", "respond", "victim"]
