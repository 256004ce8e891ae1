"""The home page: what needs the signed-in person now (by what their role allows)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import BooleanField, Case, Count, Exists, ExpressionWrapper, OuterRef, Q, When
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
from beacon.operations.models import HitConfirmation, Operation, Referral, Service, Target
from beacon.records import codes as record_codes
from beacon.records.models import MissingPersonRecord
from beacon.web import reads
from beacon.web.forms import KINDS
from beacon.web.navigation import current_actor
from beacon.web.views.common import page

DEADLINE_WINDOW = timedelta(days=30)
LIST_LIMIT = 20
TARGET_LIMIT = 50


def assigned_targets(actor: Actor) -> dict[str, Any]:
    """The targets assigned to the actor's agency in the operations it may see: one row per
    operation (outstanding and total), then the targets themselves, outstanding first."""
    mine = Target.objects.visible_to(actor).filter(assigned_agency_id=actor.agency_id)
    per_operation = list(
        mine.values("operation__code", "operation__name")
        .annotate(total=Count("id"), outstanding=Count("id", filter=Q(outcome__isnull=True)))
        .order_by("-outstanding", "operation__name")
    )
    targets = list(
        mine.annotate(done=ExpressionWrapper(Q(outcome__isnull=False), BooleanField()))
        .select_related("record", "operation", "outcome")
        .order_by("done", "operation__name", "record__last_name", "record__first_name", "id")[
            :TARGET_LIMIT
        ]
    )
    return {"target_operations": per_operation, "targets": targets}


def pending_referrals(actor: Actor) -> dict[str, Any]:
    """Referrals to the actor's agency not yet answered, and those accepted with no service
    recorded yet by the agency for that person."""
    to_me = (
        Referral.objects.visible_to(actor)
        .filter(to_agency_id=actor.agency_id)
        .select_related("operation", "agency")  # the victim: as the actor may see it
    )
    served = Service.objects.visible_to(actor).filter(
        person_id=OuterRef("victim__person_id"), agency_id=actor.agency_id
    )
    return {
        "referrals": list(to_me.filter(status="offered").order_by("at", "id")[:LIST_LIMIT]),
        "unserved": list(
            to_me.filter(status="accepted")
            .exclude(Exists(served))
            .order_by("at", "id")[:LIST_LIMIT]
        ),
    }


def operation_tallies(actor: Actor, operations: list[Any]) -> dict[int, dict[str, int]]:
    """Targets per operation (total, outstanding) for the operations listed, in one query."""
    rows = (
        Target.objects.visible_to(actor)
        .filter(operation__in=[op.pk for op in operations])
        .values("operation_id")
        .annotate(total=Count("id"), outstanding=Count("id", filter=Q(outcome__isnull=True)))
    )
    return {
        row["operation_id"]: {"total": row["total"], "outstanding": row["outstanding"]}
        for row in rows
    }


def needs(actor: Actor) -> dict[str, Any]:
    """Overdue hit confirmations, records due for validation, referrals waiting."""
    now = timezone.now()
    found: dict[str, Any] = {"now": now}
    if policy.has(actor, P.OPERATIONS_VIEW):
        visible = Operation.objects.visible_to(actor)
        hits = (
            HitConfirmation.objects.visible_to(actor)
            .filter(target__operation__in=visible, confirmed_at__isnull=True)
            .select_related("target__record", "target__operation", "requesting_agency")
        )
        found["overdue_hits"] = list(hits.filter(due_at__lt=now).order_by("due_at")[:LIST_LIMIT])
        found["open_hits"] = list(hits.filter(due_at__gte=now).order_by("due_at")[:LIST_LIMIT])
        # Active operations first, then the most recent: the coordinator's list of theirs.
        active_first = Case(When(status="active", then=0), default=1)
        found["operations"] = list(visible.order_by(active_first, "-start", "code")[:LIST_LIMIT])
    if policy.has(actor, P.RECORDS_MODIFY):
        found["validations"] = list(
            MissingPersonRecord.objects.visible_to(actor)
            .filter(
                originating_agency_id=actor.agency_id,
                status=record_codes.Status.ACTIVE,
                validation_due_at__lt=now + DEADLINE_WINDOW,
            )
            .order_by("validation_due_at")[:LIST_LIMIT]
        )
        found.update(assigned_targets(actor))
    if policy.has(actor, P.REFERRALS_VIEW):
        found.update(pending_referrals(actor))
    if policy.has(actor, P.OPERATIONS_REPORT) and "operations" not in found:
        found["operations"] = list(
            Operation.objects.visible_to(actor).order_by("-start")[:LIST_LIMIT]
        )
    if found.get("operations") and policy.has(actor, P.OPERATIONS_VIEW):
        tallies = operation_tallies(actor, found["operations"])
        found["operation_rows"] = [
            (op, tallies.get(op.pk, {"total": 0, "outstanding": 0})) for op in found["operations"]
        ]
    return found


@require_GET
@page
@requires(PUBLIC)
def home(request: HttpRequest) -> HttpResponse:
    actor = current_actor(request)
    if actor is None:
        return redirect_to_login(request.get_full_path())
    context = {
        "actor": actor,
        "can_view_ops": policy.has(actor, P.OPERATIONS_VIEW),
        # Drafts live in this browser only (web/js/drafts.js): the page lists them there.
        "draft_kinds": (
            {kind: str(label) for kind, (_form, label) in KINDS.items()}
            if policy.has(actor, P.OPERATIONS_RECORD)
            else None
        ),
    }
    found = needs(actor)
    hits = [*found.get("overdue_hits", []), *found.get("open_hits", [])]
    listed = (
        [h.target.record.nic for h in hits]
        + [r.nic for r in found.get("validations", [])]
        + [t.record.nic for t in found.get("targets", [])]
    )
    reads.record_list_read(actor, "home", "home", listed)
    referred = [*found.get("referrals", []), *found.get("unserved", [])]
    reads.victim_list_read(actor, "home", (r.victim.ref for r in referred))
    return render(request, "web/home.html", {**context, **found})


@require_POST
@page
@requires(P.OPERATIONS_RECORD)
def confirm_hit(request: HttpRequest, hit_id: int) -> HttpResponse:
    actor = actor_for(request)
    hit = HitConfirmation.objects.visible_to(actor).filter(pk=hit_id).first()
    if hit is None:
        raise NotVisible()
    operations.confirm_hit(actor, hit)
    messages.success(request, _("Hit confirmed."))
    return HttpResponseRedirect(reverse("web:home"))
