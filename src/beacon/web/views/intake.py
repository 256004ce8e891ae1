"""The intake review queue: one proposed cluster at a time, least certain first, decided
from the keyboard (a accept, s split, n next, p previous) through the intake services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from beacon.access.permissions import Permission as P
from beacon.access.requests import actor_for
from beacon.access.routes import requires
from beacon.core.errors import DomainError, NotVisible
from beacon.intake import services as intake_services
from beacon.intake.explain import sentence
from beacon.intake.models import Intake
from beacon.web.views.common import page

SHOWN_FIELDS = ("last_name", "first_name", "middle_name", "dob", "sex", "place", "nic", "oca")


@require_GET
@page
@requires(P.INTAKE_MANAGE)
def intake_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    intakes = Intake.objects.visible_to(actor).order_by("-created_at")
    return render(request, "web/intake/list.html", {"intakes": intakes})


def _intake(request: HttpRequest, intake_id: int) -> Intake:
    return Intake.objects.get_visible(actor_for(request), pk=intake_id)


@require_GET
@page
@requires(P.INTAKE_MANAGE)
def review(request: HttpRequest, intake_id: int) -> HttpResponse:
    actor = actor_for(request)
    intake = _intake(request, intake_id)
    clusters = list(intake_services.queue(actor, intake)[:500])
    index = int(request.GET["i"]) if str(request.GET.get("i", "")).isdigit() else 0
    index = min(index, max(len(clusters) - 1, 0))
    cluster = clusters[index] if clusters else None
    context: dict[str, Any] = {
        "intake": intake,
        "cluster": cluster,
        "index": index,
        "position": index + 1,
        "count": len(clusters),
        "previous": index - 1 if index > 0 else None,
        "next": index + 1 if index + 1 < len(clusters) else None,
        "fields": SHOWN_FIELDS,
    }
    if cluster is not None:
        levels = cluster.run.levels
        context["members"] = [
            {
                "key": m["key"],
                "source": m.get("source", ""),
                "line": m.get("line"),
                "values": [m.get(f) or "" for f in SHOWN_FIELDS],
            }
            for m in cluster.members
        ]
        context["reasons"] = [sentence(pair, levels) for pair in cluster.pairs]
    return render(request, "web/intake/review.html", context)


@require_POST
@page
@requires(P.INTAKE_MANAGE)
def decide(request: HttpRequest, intake_id: int, cluster_id: int) -> HttpResponse:
    actor = actor_for(request)
    intake = _intake(request, intake_id)
    action = str(request.POST.get("action", ""))
    groups: list[list[str]] | None = None
    if action == "split":
        keys = request.POST.getlist("member")
        chosen = {str(k) for k in request.POST.getlist("apart")}
        groups = [[k for k in keys if k not in chosen], [k for k in keys if k in chosen]]
        if not chosen:  # no member marked: every member on its own
            groups = [[k] for k in keys]
    try:
        intake_services.decide(actor, cluster_id, action, groups=groups)
    except DomainError as exc:
        if exc.http_status in (401, 403, 404) or isinstance(exc, NotVisible):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Decision saved."))
    index = str(request.POST.get("i", "0"))
    back = reverse("web:intake_review", args=[intake.pk])
    return HttpResponseRedirect(f"{back}?i={index if index.isdigit() else 0}")
