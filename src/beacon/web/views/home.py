"""The home page: what needs the signed-in person now (by what their role allows)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from beacon.access import policy
from beacon.access.permissions import Permission as P
from beacon.access.requests import actor_for
from beacon.access.routes import PUBLIC, requires
from beacon.core.actor import Actor
from beacon.core.errors import NotVisible
from beacon.operations import services as operations
from beacon.operations.models import HitConfirmation
from beacon.records import codes as record_codes
from beacon.web import reads
from beacon.web.navigation import current_actor
from beacon.web.views.common import page

DEADLINE_WINDOW = timedelta(days=30)
LIST_LIMIT = 20


def needs(actor: Actor) -> dict[str, Any]:
    """Overdue hit confirmations, records due for validation, referrals waiting."""
    now = timezone.now()
    found: dict[str, Any] = {"now": now}
    if policy.has(actor, P.OPERATIONS_VIEW):
        visible = policy.operations_visible_to(actor)
        hits = HitConfirmation.objects.filter(
            target__operation__in=visible, confirmed_at__isnull=True
        ).select_related("target__record", "target__operation", "requesting_agency")
        found["overdue_hits"] = list(hits.filter(due_at__lt=now).order_by("due_at")[:LIST_LIMIT])
        found["open_hits"] = list(hits.filter(due_at__gte=now).order_by("due_at")[:LIST_LIMIT])
        found["operations"] = list(visible.filter(status="active").order_by("-start")[:LIST_LIMIT])
    if policy.has(actor, P.RECORDS_MODIFY):
        found["validations"] = list(
            policy.records_visible_to(actor)
            .filter(
                originating_agency_id=actor.agency_id,
                status=record_codes.Status.ACTIVE,
                validation_due_at__lt=now + DEADLINE_WINDOW,
            )
            .order_by("validation_due_at")[:LIST_LIMIT]
        )
    if policy.has(actor, P.REFERRALS_VIEW):
        found["referrals"] = list(
            policy.referrals_visible_to(actor)
            .filter(to_agency_id=actor.agency_id, status="offered")
            .select_related("victim", "operation", "agency")
            .order_by("at")[:LIST_LIMIT]
        )
    if policy.has(actor, P.OPERATIONS_REPORT) and "operations" not in found:
        found["operations"] = list(
            policy.operations_visible_to(actor).order_by("-start")[:LIST_LIMIT]
        )
    return found


@require_GET
@page
@requires(PUBLIC)
def home(request: HttpRequest) -> HttpResponse:
    actor = current_actor(request)
    if actor is None:
        return redirect_to_login(request.get_full_path())
    context = {"actor": actor, "can_view_ops": policy.has(actor, P.OPERATIONS_VIEW)}
    found = needs(actor)
    hits = [*found.get("overdue_hits", []), *found.get("open_hits", [])]
    listed = [h.target.record.nic for h in hits] + [r.nic for r in found.get("validations", [])]
    reads.record_list_read(actor, "home", "home", listed)
    reads.victim_list_read(actor, "home", (r.victim.ref for r in found.get("referrals", [])))
    return render(request, "web/home.html", {**context, **found})


@require_POST
@page
@requires(P.OPERATIONS_RECORD)
def confirm_hit(request: HttpRequest, hit_id: int) -> HttpResponse:
    actor = actor_for(request)
    hit = HitConfirmation.objects.filter(
        pk=hit_id, target__operation__in=policy.operations_visible_to(actor)
    ).first()
    if hit is None:
        raise NotVisible()
    operations.confirm_hit(actor, hit)
    messages.success(request, _("Hit confirmed."))
    return HttpResponseRedirect(reverse("web:home"))
