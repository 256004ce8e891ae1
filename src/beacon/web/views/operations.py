"""Operations: the list and the target list with two-tap outcome entry."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from beacon.access import policy
from beacon.access.permissions import Permission as P
from beacon.access.requests import actor_for
from beacon.access.routes import requires
from beacon.operations.models import Operation, Participation
from beacon.web.views.common import page


@require_GET
@page
@requires(P.OPERATIONS_REPORT)
def operation_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    operations = (
        Operation.objects.visible_to(actor)
        .select_related("parent", "series")
        .prefetch_related(
            "jurisdictions",
            Prefetch("participations", Participation.objects.select_related("agency")),
        )
        .order_by("-start", "code")
    )
    context = {
        "operations": operations,
        "can_manage": policy.has(actor, P.OPERATIONS_MANAGE),
        "can_view": policy.has(actor, P.OPERATIONS_VIEW),
    }
    return render(request, "web/operations/list.html", context)
