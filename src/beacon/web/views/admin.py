"""Administration: accounts (create, role, unlock, disable, second factor), agencies,
API tokens and the audit trail. Every change goes through the access services."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.dateparse import parse_date
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beacon.access import policy, tokens
from beacon.access import services as accounts
from beacon.access.models import ApiToken, Membership, RoleRequest, SignInAttempt
from beacon.access.permissions import HUMAN_ROLES, LEAST_ROLE, ROLES_BY_POWER
from beacon.access.permissions import Permission as P
from beacon.access.requests import actor_for
from beacon.access.routes import requires
from beacon.agencies import services as agency_rules
from beacon.agencies.models import Agency
from beacon.audit.models import AuditEvent
from beacon.audit.search import AuditFilter, export_csv, search
from beacon.core.actor import Actor
from beacon.core.errors import DomainError, NotVisible
from beacon.web.views.common import field_errors, page

AUDIT_PAGE = 100
USER_EVENTS = 50
RECENT_ATTEMPTS = 10

# Roles by the names people know them by (the codes are for tokens, the API and the CLI).
ROLE_NAMES = {
    "system_admin": gettext_lazy("System administrator"),
    "hub_coordinator": gettext_lazy("Hub coordinator"),
    "supervisor": gettext_lazy("Supervisor"),
    "investigator": gettext_lazy("Investigator"),
    "analyst": gettext_lazy("Analyst"),
    "caseworker": gettext_lazy("Caseworker"),
    "pio": gettext_lazy("Public information officer"),
    "system": gettext_lazy("Beacon system"),
}


def role_name(role: str) -> str:
    return str(ROLE_NAMES.get(role, role))


def role_choices() -> list[tuple[str, str]]:
    """Roles by name, least powerful first: a new account defaults to the first."""
    return [(role, role_name(role)) for role in ROLES_BY_POWER if role in HUMAN_ROLES]


def member_search(query: str) -> Q:
    """Accounts whose username, name, agency name, short name or ORI contains ``query``."""
    found = Q()
    for word in query.split():
        found &= (
            Q(user__username__icontains=word)
            | Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(agency__name__icontains=word)
            | Q(agency__short_name__icontains=word)
            | Q(agency__ori__icontains=word)
        )
    return found


def _members(query: str) -> list[Membership]:
    members = list(
        Membership.objects.select_related("user", "agency")
        .filter(member_search(query))
        .order_by("agency__name", "user__username")
    )
    pending = {
        r.user_id: r
        for r in RoleRequest.objects.select_related("agency", "requested_by").filter(
            decided_at__isnull=True
        )
    }
    for m in members:
        m.role_name = role_name(m.role)  # type: ignore[attr-defined]
        request = pending.get(m.user_id)
        if request is not None:
            request.role_name = role_name(request.role)  # type: ignore[attr-defined]
        m.pending = request  # type: ignore[attr-defined]
    return members


def _users_context(actor: Actor, query: str = "") -> dict[str, Any]:
    return {
        "members": _members(query),
        "query": query,
        "roles": role_choices(),
        "agencies": Agency.objects.order_by("name"),
        "errors": {},
        "values": {"role": LEAST_ROLE},
    }


@require_http_methods(["GET", "POST"])
@page
@requires(P.ACCOUNTS_MANAGE)
def users(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    context = _users_context(actor, str(request.GET.get("q", "")).strip()[:100])
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
    if request.POST.get("back") == "user":
        return HttpResponseRedirect(reverse("web:admin_user_detail", args=[username]))
    return HttpResponseRedirect(reverse("web:admin_home"))


@dataclass(frozen=True)
class AuditRow:
    """One audit event as the trail shows it: the role by name, the object linked."""

    event: AuditEvent
    role: str
    actor_url: str
    object_url: str


def _object_url(object_type: str, object_id: str, usernames: dict[str, str]) -> str:
    routes = {
        "operation": "web:dashboard",
        "record": "web:record",
        "victim": "web:victim",
        "agency": "web:admin_agency_edit",
        "user": "web:admin_user_detail",
    }
    if object_type == "api_token":
        return reverse("web:admin_tokens")
    if object_type == "user":
        object_id = usernames.get(object_id, "")
    if object_type not in routes or not object_id:
        return ""
    try:
        return reverse(routes[object_type], args=[object_id])
    except NoReverseMatch:
        return ""


def audit_rows(events: Iterable[AuditEvent]) -> list[AuditRow]:
    """The events with their links; the accounts they name are read in one query."""
    events = list(events)
    ids = {e.object_id for e in events if e.object_type == "user" and e.object_id.isdigit()}
    ids |= {str(e.user_id) for e in events if e.user_id is not None}
    usernames = {
        str(pk): name
        for pk, name in User.objects.filter(pk__in=[int(i) for i in ids]).values_list(
            "pk", "username"
        )
    }
    return [
        AuditRow(
            event=e,
            role=role_name(e.role),
            actor_url=(
                reverse("web:admin_user_detail", args=[usernames[str(e.user_id)]])
                if e.user_id is not None and str(e.user_id) in usernames
                else ""
            ),
            object_url=_object_url(e.object_type, e.object_id, usernames),
        )
        for e in events
    ]


@require_GET
@page
@requires(P.ACCOUNTS_MANAGE)
def user_detail(request: HttpRequest, username: str) -> HttpResponse:
    """One account: agency, role by name, last sign-in, failures since, lock and the
    audit trail of what was done to it and by it (newest first)."""
    actor = actor_for(request)
    user = accounts.get_user(actor, username)
    member = Membership.objects.select_related("agency").filter(user=user).first()
    attempts = SignInAttempt.objects.filter(username=user.username)
    last_success = attempts.filter(succeeded=True).aggregate(at=Max("at"))["at"]
    failures = attempts.filter(succeeded=False)
    if last_success is not None:
        failures = failures.filter(at__gt=last_success)
    context: dict[str, Any] = {
        "account": user,
        "member": member,
        "role_name": role_name(member.role) if member else "",
        "roles": role_choices(),
        "last_sign_in": last_success,
        "failures": failures.count(),
        "recent_attempts": list(attempts.order_by("-at")[:RECENT_ATTEMPTS]),
        "on_user": None,
        "by_user": None,
    }
    if policy.has(actor, P.AUDIT_VIEW):
        on_user = AuditFilter(object_type="user", object_id=str(user.pk))
        by_user = AuditFilter(user_id=user.pk)
        context["on_user"] = audit_rows(
            search(actor, on_user, newest_first=True, limit=USER_EVENTS)
        )
        context["by_user"] = audit_rows(
            search(actor, by_user, newest_first=True, limit=USER_EVENTS)
        )
    return render(request, "web/admin/user.html", context)


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
    context: dict[str, Any] = {"errors": {}, "values": {}, "secret": "", "roles": role_choices()}
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
    listed = list(ApiToken.objects.select_related("owner", "agency").order_by("-created_at"))
    for token in listed:
        token.role_name = role_name(token.role)  # type: ignore[attr-defined]
    context["tokens"] = listed
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
    """The audit trail, newest first, a page at a time (``before`` the last one shown)."""
    actor = actor_for(request)
    params = {k: str(v) for k, v in request.GET.items()}
    before = int(params["before"]) if params.get("before", "").isdigit() else None
    events = search(
        actor, audit_filter(params), newest_first=True, before_seq=before, limit=AUDIT_PAGE
    )
    more = {k: v for k, v in params.items() if k not in ("before", "after")}
    context = {
        "params": params,
        "rows": audit_rows(events),
        "next_before": events[-1].seq if len(events) == AUDIT_PAGE else None,
        "query": urlencode(more),
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
