"""Administration: accounts (create, role, unlock, disable, second factor), agencies,
API tokens and the audit trail. Every change goes through the access services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beacon.access import services as accounts
from beacon.access import tokens
from beacon.access.models import ApiToken, Membership, RoleRequest
from beacon.access.permissions import LEAST_ROLE, ROLES_BY_POWER
from beacon.access.permissions import Permission as P
from beacon.access.requests import actor_for
from beacon.access.routes import requires
from beacon.agencies import services as agency_rules
from beacon.agencies.models import Agency
from beacon.audit.search import AuditFilter, export_csv, search
from beacon.core.actor import Actor
from beacon.core.errors import DomainError, NotVisible
from beacon.web.views.common import field_errors, page

AUDIT_PAGE = 100


def _users_context(actor: Actor) -> dict[str, Any]:
    pending = {
        r.user_id: r
        for r in RoleRequest.objects.select_related("agency", "requested_by").filter(
            decided_at__isnull=True
        )
    }
    members = list(
        Membership.objects.select_related("user", "agency").order_by(
            "agency__name", "user__username"
        )
    )
    for m in members:
        m.pending = pending.get(m.user_id)  # type: ignore[attr-defined]
    return {
        "members": members,
        "roles": ROLES_BY_POWER,  # least powerful first: a new account defaults to it
        "agencies": Agency.objects.order_by("name"),
        "errors": {},
        "values": {"role": LEAST_ROLE},
    }


@require_http_methods(["GET", "POST"])
@page
@requires(P.ACCOUNTS_MANAGE)
def users(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    context = _users_context(actor)
    if request.method == "POST":
        data = {k: str(v) for k, v in request.POST.items()}
        agency = Agency.objects.filter(ori=data.get("agency", "")).first()
        try:
            if agency is None:
                raise NotVisible()
            accounts.create_user(
                actor,
                data.get("username", ""),
                data.get("password", ""),
                agency,
                data.get("role", ""),
            )
        except DomainError as exc:
            if exc.http_status in (401, 403):
                raise
            errors = field_errors(exc)
            if agency is None:
                errors = {"agency": [_("Choose an agency.")]}
            context.update({"errors": errors, "values": {**data, "password": ""}})
            return render(request, "web/admin/users.html", context, status=422)
        messages.success(
            request, _("Account created; the user sets up an authenticator at first sign-in.")
        )
        if data.get("role", LEAST_ROLE) != LEAST_ROLE:
            messages.info(request, _("The role waits for a second administrator's approval."))
        return HttpResponseRedirect(reverse("web:admin_home"))
    return render(request, "web/admin/users.html", context)


def _user_action(actor: Actor, user: User, action: str, data: dict[str, str]) -> object:
    actions: dict[str, Callable[[], object]] = {
        "approve-role": lambda: accounts.decide_role_request(actor, user, approve=True),
        "refuse-role": lambda: accounts.decide_role_request(actor, user, approve=False),
        "unlock": lambda: accounts.unlock_user(actor, user),
        "disable": lambda: accounts.disable_user(actor, user, data.get("reason", "") or "disabled"),
        "enable": lambda: accounts.enable_user(actor, user),
        "reset-mfa": lambda: accounts.reset_second_factor(actor, user),
        "role": lambda: accounts.change_role(actor, user, data.get("role", "")),
    }
    if action not in actions:
        raise NotVisible()
    return actions[action]()


@require_POST
@page
@requires(P.ACCOUNTS_MANAGE)
def user_action(request: HttpRequest, username: str, action: str) -> HttpResponse:
    actor = actor_for(request)
    user = accounts.get_user(actor, username)
    try:
        done = _user_action(actor, user, action, {k: str(v) for k, v in request.POST.items()})
    except DomainError as exc:
        if exc.http_status in (401, 403, 404):
            raise
        messages.error(request, exc.message)
    else:
        if isinstance(done, accounts.RoleChange) and done.pending is not None:
            messages.info(
                request,
                _("Requested for %(user)s: a second administrator approves it.")
                % {"user": username},
            )
        else:
            messages.success(request, _("Done: %(user)s.") % {"user": username})
    return HttpResponseRedirect(reverse("web:admin_home"))


@require_GET
@page
@requires(P.AGENCIES_MANAGE)
def agencies(request: HttpRequest) -> HttpResponse:
    listed = Agency.objects.select_related("jurisdiction", "parent").order_by("kind", "name")
    return render(request, "web/admin/agencies.html", {"agencies": listed})


def _agency_form(
    request: HttpRequest, agency: Agency | None, save: Callable[[dict[str, str]], Agency]
) -> HttpResponse:
    """The agency form (new or existing); the agencies service holds every rule."""
    others = Agency.objects.exclude(kind=Agency.Kind.SYSTEM).order_by("name")
    context: dict[str, Any] = {
        "agency": agency,
        "kinds": [(v, label) for v, label in Agency.Kind.choices if v != Agency.Kind.SYSTEM],
        "parents": others.exclude(pk=agency.pk) if agency else others,
        "errors": {},
        "values": {
            "ori": agency.ori,
            "name": agency.name,
            "short_name": agency.short_name,
            "kind": agency.kind,
            "parent": agency.parent.ori if agency.parent else "",
            "jurisdiction": agency_rules.jurisdiction_ref(agency.jurisdiction),
        }
        if agency
        else {},
    }
    if request.method != "POST":
        return render(request, "web/admin/agency_form.html", context)
    fields = agency_rules.AGENCY_FIELDS if agency is None else agency_rules.AGENCY_FIELDS[1:]
    data = {field: str(request.POST.get(field, "")) for field in fields}
    try:
        saved = save(data)
    except DomainError as exc:
        if exc.http_status in (401, 403, 404):
            raise
        context.update({"errors": field_errors(exc), "values": {**context["values"], **data}})
        return render(request, "web/admin/agency_form.html", context, status=exc.http_status)
    messages.success(request, _("Agency saved: %(name)s.") % {"name": saved.name})
    return HttpResponseRedirect(reverse("web:admin_agencies"))


@require_http_methods(["GET", "POST"])
@page
@requires(P.AGENCIES_MANAGE)
def agency_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    return _agency_form(request, None, lambda data: agency_rules.create_agency(actor, data))


@require_http_methods(["GET", "POST"])
@page
@requires(P.AGENCIES_MANAGE)
def agency_edit(request: HttpRequest, ori: str) -> HttpResponse:
    actor = actor_for(request)
    agency = agency_rules.get_agency(actor, ori)
    return _agency_form(
        request, agency, lambda data: agency_rules.update_agency(actor, agency.ori, data)
    )


@require_http_methods(["GET", "POST"])
@page
@requires(P.ACCOUNTS_MANAGE)
def api_tokens(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    context: dict[str, Any] = {
        "errors": {},
        "values": {},
        "secret": "",
        "roles": ROLES_BY_POWER,
    }
    status = 200
    if request.method == "POST":
        # A token is made for the signed-in administrator only: only its owner ever sees
        # a token's secret, so no one mints one for someone else (they sign in and do).
        data = {k: str(v) for k, v in request.POST.items()}
        try:
            days = int(data["days"]) if data.get("days", "").isdigit() else 90
            _token, raw = tokens.create_token(
                actor, data.get("name", ""), role=data.get("role") or None, days=days
            )
            context["secret"] = raw
        except DomainError as exc:
            if exc.http_status in (401, 403):
                raise
            context.update({"errors": field_errors(exc), "values": data})
            status = 422
    context["tokens"] = ApiToken.objects.select_related("owner", "agency").order_by("-created_at")
    return render(request, "web/admin/tokens.html", context, status=status)


@require_POST
@page
@requires(P.ACCOUNTS_MANAGE)
def revoke_token(request: HttpRequest, prefix: str) -> HttpResponse:
    tokens.revoke_token(actor_for(request), prefix)
    messages.success(request, _("Token revoked."))
    return HttpResponseRedirect(reverse("web:admin_tokens"))


def audit_filter(params: dict[str, str]) -> AuditFilter:
    def day(name: str) -> datetime | None:
        value = parse_date(params.get(name, "")) if params.get(name) else None
        return datetime(value.year, value.month, value.day).astimezone() if value else None

    return AuditFilter(
        actor=params.get("actor", "").strip(),
        action=params.get("action", "").strip(),
        object_type=params.get("object_type", "").strip(),
        object_id=params.get("object_id", "").strip(),
        outcome=params.get("outcome", "").strip(),
        since=day("since"),
        until=day("until"),
    )


@require_GET
@page
@requires(P.AUDIT_VIEW)
def audit(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    params = {k: str(v) for k, v in request.GET.items()}
    after = int(params["after"]) if params.get("after", "").isdigit() else 0
    events = search(actor, audit_filter(params), after_seq=after, limit=AUDIT_PAGE)
    more = {k: v for k, v in params.items() if k != "after"}
    context = {
        "params": params,
        "events": events,
        "next_after": events[-1].seq if len(events) == AUDIT_PAGE else None,
        "query": "&".join(f"{k}={v}" for k, v in more.items()),
    }
    return render(request, "web/admin/audit.html", context)


@require_GET
@page
@requires(P.AUDIT_EXPORT)
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    params = {k: str(v) for k, v in request.GET.items()}
    lines = export_csv(actor_for(request), audit_filter(params))
    response = StreamingHttpResponse(lines, content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="beacon-audit.csv"'
    return response
