"""Field event entry: one form per kind, drafts kept in the browser, retries keyed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from beacon.access.permissions import Permission as P
from beacon.access.requests import actor_for
from beacon.access.routes import requires
from beacon.agencies.models import Agency, Jurisdiction
from beacon.core.actor import Actor
from beacon.core.errors import DomainError, NotVisible
from beacon.operations.corrections import ENTRY_MODELS
from beacon.operations.models import Operation, Victim
from beacon.web import event_services
from beacon.web.forms import KINDS, EventForm, ReferralForm, ServiceForm
from beacon.web.lookups import visible_operation
from beacon.web.views.common import page


def _choices_for(operation: Operation) -> dict[str, Any]:
    scope = Q(pk=operation.pk) | Q(parent_id=operation.pk)
    agencies = Agency.objects.filter(participations__operation__in=Operation.objects.filter(scope))
    places = Jurisdiction.objects.filter(operations__in=Operation.objects.filter(scope))
    return {
        "agencies": agencies.distinct().order_by("name"),
        "jurisdictions": places.distinct().order_by("kind", "name_en"),
    }


def build_form(actor: Actor, operation: Operation, kind: str, data: Any = None) -> forms.Form:
    form_class, _label = KINDS[kind]
    if not issubclass(form_class, EventForm):
        return form_class(data)
    choices = _choices_for(operation)
    form = form_class(data, **choices)
    if data is None:
        form.prefill(actor.agency_id, localtime())
    if isinstance(form, ServiceForm | ReferralForm):
        victims = (
            Victim.objects.visible_to(actor)
            .filter(operation=operation)
            .select_related("person", "jurisdiction")
            .order_by("id")
        )
        # No victim is pre-selected: a referral sent for the wrong person is a disclosure.
        victim_choices: list[tuple[str, str]] = [("", _("— choose the victim —"))]
        victim_choices += [(v.ref, victim_label(v)) for v in victims[:500]]
        form.fields["victim"].choices = victim_choices  # type: ignore[attr-defined]
    if isinstance(form, ReferralForm):
        form.fields["to_agency"].queryset = Agency.objects.filter(  # type: ignore[attr-defined]
            kind__in=[Agency.Kind.NGO, Agency.Kind.CHILD_WELFARE]
        ).order_by("name")
    return form


def victim_label(victim: Victim) -> str:
    """What an officer recognises a victim by: name, minor or adult, sex, age, where, when."""
    age = ""
    if victim.age_min is not None:
        age = str(victim.age_min)
        if victim.age_max is not None and victim.age_max != victim.age_min:
            age = f"{victim.age_min}\u2013{victim.age_max}"
    facts = [victim.get_age_group_display(), victim.get_sex_display()]
    if age:
        facts.append(_("age %(age)s") % {"age": age})
    when = date_format(localtime(victim.at), "SHORT_DATE_FORMAT")
    return f"{victim.person} ({', '.join(str(f) for f in facts)}) · {victim.jurisdiction.name} · {when}"


def saved_message(operation: Operation, kind: str, saved: object) -> str:
    """ "Saved: Arrest." with a link to the entry on the operation's timeline."""
    text = _("Saved: %(kind)s.") % {"kind": KINDS[kind][1]}
    if kind not in ENTRY_MODELS:
        return text
    url = reverse("web:operation_timeline", args=[operation.code])
    ref = getattr(saved, "ref", "")
    if isinstance(ref, str) and ref:
        url += f"#{kind}-{ref}"
    return format_html('{} <a href="{}">{}</a>', text, url, _("See it on the timeline"))


def mark_invalid(form: forms.Form) -> None:
    """Tie each message to its field for screen readers (aria-invalid, aria-describedby)."""
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs.update(
                {"aria-invalid": "true", "aria-describedby": f"e-{name}"}
            )


def _render(
    request: HttpRequest, operation: Operation, kind: str, form: forms.Form, status: int = 200
) -> HttpResponse:
    mark_invalid(form)
    context = {
        "operation": operation,
        "kind": kind,
        "kind_label": KINDS[kind][1],
        "kinds": [(k, label) for k, (_f, label) in KINDS.items()],
        "form": form,
    }
    return render(request, "web/operations/event_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@page
@requires(P.OPERATIONS_RECORD)
def event_new(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    actor = actor_for(request)
    operation = visible_operation(actor, code)
    if kind not in KINDS:
        raise NotVisible()
    if request.method != "POST":
        return _render(request, operation, kind, build_form(actor, operation, kind))
    form = build_form(actor, operation, kind, request.POST)
    if not form.is_valid():
        return _render(request, operation, kind, form, status=422)
    try:
        saved = event_services.save(actor, operation, kind, form.cleaned_data)
    except DomainError as exc:
        if exc.http_status in (401, 403, 404):
            raise
        for field, problems in exc.fields.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
        if not exc.fields:
            form.add_error(None, exc.message)
        return _render(request, operation, kind, form, status=exc.http_status)
    messages.success(request, saved_message(operation, kind, saved))
    done = reverse("web:event_new", args=[operation.code, kind])
    if request.headers.get("X-Requested-With") == "fetch":
        # drafts.js: a redirect would be followed inside fetch() and eat the message.
        return HttpResponse(status=201, headers={"Location": done})
    return HttpResponseRedirect(done)
