"""Who may publish an operation's report: the coordinator grants and revokes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from beacon.access.permissions import Permission as P
from beacon.access.requests import actor_for
from beacon.access.routes import requires
from beacon.agencies.models import Agency
from beacon.core.errors import DomainError, ValidationFailed
from beacon.operations import publishing
from beacon.web.views.common import page


@require_http_methods(["GET", "POST"])
@page
@requires(P.OPERATIONS_MANAGE)
def publishers(request: HttpRequest, code: str) -> HttpResponse:
    actor = actor_for(request)
    operation = publishing.operation_to_publish(actor, code)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            if request.POST.get("revoke"):
                publishing.revoke(actor, operation.code, int(str(request.POST["revoke"])))
                messages.success(request, _("Publishing right ended."))
            else:
                user, agency = _grantee(request)
                publishing.grant(actor, operation.code, user=user, agency=agency)
                messages.success(request, _("Publishing right given."))
            return HttpResponseRedirect(reverse("web:publishers", args=[operation.code]))
        except (DomainError, ValueError) as exc:
            if isinstance(exc, DomainError) and exc.http_status in (401, 403, 404):
                raise
            errors = exc.fields if isinstance(exc, DomainError) and exc.fields else {}
            if not errors:
                errors = {"general": [getattr(exc, "message", str(exc))]}
    context = {
        "operation": operation,
        "grants": publishing.publishers_of(operation),
        "agencies": Agency.objects.exclude(kind=Agency.Kind.SYSTEM).order_by("name"),
        "errors": errors,
        "values": request.POST if request.method == "POST" else {},
    }
    status = 422 if errors else 200
    return render(request, "web/operations/publishers.html", context, status=status)


def _grantee(request: HttpRequest) -> tuple[User | None, Agency | None]:
    username = str(request.POST.get("username", "")).strip()
    ori = str(request.POST.get("agency", "")).strip()
    if username and ori:
        raise ValidationFailed.on("username", _("Give a user or an agency, not both."))
    if username:
        user = User.objects.select_related("membership").filter(username=username).first()
        if user is None:
            raise ValidationFailed.on("username", _("No user has this name."))
        return user, None
    agency = Agency.objects.filter(ori=ori).first() if ori else None
    if agency is None:
        raise ValidationFailed.on("agency", _("Choose an agency or give a user name."))
    return None, agency
