"""The record page (details, history, timeline, allowed actions) and record search."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from beacon.access import policy
from beacon.access.permissions import Permission as P
from beacon.access.requests import actor_for
from beacon.access.routes import requires
from beacon.core.actor import Actor
from beacon.core.errors import DomainError, NotVisible
from beacon.operations import timeline
from beacon.records import codes
from beacon.records import services as registry
from beacon.records.models import MissingPersonRecord
from beacon.records.search import Hits, SearchQuery, parse_dob
from beacon.web.views.common import field_errors, page

ACTION_PERMISSIONS = {
    "modify": P.RECORDS_MODIFY,
    "locate": P.RECORDS_LOCATE,
    "clear": P.RECORDS_CLEAR,
    "validate": P.RECORDS_MODIFY,
    "cancel": P.RECORDS_CANCEL,
}
OPEN_STATUSES = {codes.Status.ACTIVE, codes.Status.LOCATED}


def allowed_actions(actor: Actor, record: MissingPersonRecord) -> list[str]:
    """Actions offered on the page: permitted to the role and possible in the record's state.

    The registry service still decides (other agency, stale version); this only hides
    buttons that could never succeed.
    """
    if record.status not in OPEN_STATUSES:
        return []
    own = record.originating_agency_id == actor.agency_id or actor.is_system
    offered = []
    if record.status == codes.Status.ACTIVE and policy.has(actor, P.RECORDS_LOCATE):
        offered.append("locate")
    for action in ("modify", "clear", "validate", "cancel"):
        if own and policy.has(actor, ACTION_PERMISSIONS[action]):
            offered.append(action)
    return offered


def _page_context(actor: Actor, nic: str) -> dict[str, Any]:
    record = registry.show_record(actor, nic)
    steps = list(reversed(registry.history(actor, nic)))
    reasons = timeline.registry_reasons(actor, steps)
    for step in steps:
        step.reason = reasons[step.pk]  # Beacon's own reasons in the reader's language
    return {
        "record": record,
        "steps": steps,
        "actions": allowed_actions(actor, record),
        "clear_choices": codes.ClearHow.choices,
        "errors": {},
        "action": "",
        "values": current_values(record),
    }


@require_GET
@page
@requires(P.RECORDS_VIEW)
def record_page(request: HttpRequest, nic: str) -> HttpResponse:
    actor = actor_for(request)
    return render(request, "web/records/record.html", _page_context(actor, nic))


# Descriptors the page offers to change (the registry's modify decides what is allowed).
MODIFY_FIELDS = ("last_name", "first_name", "middle_name", "dob", "place_last_seen", "ncmec_number")


def current_values(record: MissingPersonRecord) -> dict[str, str]:
    values = {name: getattr(record, name) for name in MODIFY_FIELDS}
    return {
        k: (v.isoformat() if hasattr(v, "isoformat") else str(v or "")) for k, v in values.items()
    }


def _apply(actor: Actor, action: str, nic: str, data: dict[str, str]) -> None:
    version = int(data["version"]) if data.get("version", "").isdigit() else None
    reason = data.get("reason", "")
    if action == "modify":
        record = registry.show_record(actor, nic)
        before = current_values(record)
        changes = {k: data[k] for k in MODIFY_FIELDS if k in data and data[k] != before[k]}
        registry.modify_record(actor, nic, changes, expected_version=version, reason=reason)
    elif action == "locate":
        when = parse_datetime(data["located_at"]) if data.get("located_at") else None
        registry.locate_record(
            actor,
            nic,
            located_at=when,
            place=data.get("place", ""),
            by_whom=data.get("by_whom", ""),
            disposition=data.get("disposition", ""),
            expected_version=version,
            reason=reason,
        )
    elif action == "clear":
        registry.clear_record(
            actor, nic, how=data.get("how", ""), expected_version=version, reason=reason
        )
    elif action == "validate":
        registry.validate_record(actor, nic, expected_version=version, reason=reason)
    elif action == "cancel":
        registry.cancel_record(actor, nic, reason=reason, expected_version=version)
    else:
        raise NotVisible()


@require_POST
@page
@requires(P.RECORDS_VIEW)
def record_action(request: HttpRequest, nic: str, action: str) -> HttpResponse:
    actor = actor_for(request)
    if action not in ACTION_PERMISSIONS:
        raise NotVisible()
    policy.require(actor, ACTION_PERMISSIONS[action], object_type="record", object_id=nic)
    data = {k: str(v) for k, v in request.POST.items()}
    try:
        _apply(actor, action, nic, data)
    except DomainError as exc:
        if exc.http_status in (401, 403, 404):
            raise
        context = _page_context(actor, nic)
        context.update(
            {"errors": field_errors(exc), "action": action, "values": {**context["values"], **data}}
        )
        return render(request, "web/records/record.html", context, status=exc.http_status)
    messages.success(request, _("The record was updated."))
    return HttpResponseRedirect(reverse("web:record", args=[nic]))


SEARCH_FIELDS = ("last_name", "first_name", "dob", "sex", "status", "age_min", "age_max")


def _age(params: dict[str, str], name: str, errors: dict[str, list[str]]) -> int | None:
    text = params.get(name, "").strip()
    if not text:
        return None
    if not text.isdigit():
        errors[name] = [_("Give the age in whole years.")]
        return None
    return int(text)


def _search_query(params: dict[str, str], errors: dict[str, list[str]]) -> SearchQuery | None:
    """The query of the search form; None (and ``errors``) when a field cannot be read."""
    try:
        dob, birth_year, birth_month = parse_dob(params.get("dob", ""))
    except DomainError:
        errors["dob"] = [_("Give the date as YYYY-MM-DD, or only YYYY-MM or YYYY.")]
        dob = birth_year = birth_month = None
    age_min, age_max = _age(params, "age_min", errors), _age(params, "age_max", errors)
    if errors:
        return None
    return SearchQuery(
        last_name=params.get("last_name", "").strip(),
        first_name=params.get("first_name", "").strip(),
        dob=dob,
        birth_year=birth_year,
        birth_month=birth_month,
        sex=params.get("sex", ""),
        status=params.get("status", ""),
        age_min=age_min,
        age_max=age_max,
        limit=25,
    )


@require_GET
@page
@requires(P.RECORDS_SEARCH)
def record_search(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    params = {k: str(v) for k, v in request.GET.items()}
    hits: Hits | None = None
    errors: dict[str, list[str]] = {}
    searched = any(params.get(name, "").strip() for name in SEARCH_FIELDS)
    query = _search_query(params, errors) if searched else None
    if query is not None:
        try:
            hits = registry.search_records(actor, query)
        except DomainError as exc:
            if exc.http_status in (401, 403, 404):
                raise
            errors = field_errors(exc)
    context = {
        "params": params,
        "values": params,
        "hits": hits or [],
        "searched_for": hits.searched if hits is not None else [],
        "suggestions": hits.suggestions if hits is not None else [],
        "errors": errors,
        "searched": searched and not errors,
        "sexes": codes.Sex.choices,
        "statuses": codes.Status.choices,
    }
    status = 422 if errors else 200
    return render(request, "web/records/search.html", context, status=status)
