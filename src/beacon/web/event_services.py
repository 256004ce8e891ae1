"""Calls from the event forms and the inbox into the operations services, and the
victim read the caseworker's pages make (through the policy, audited)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import NotVisible
from beacon.operations import services as operations
from beacon.operations.bundles import entries
from beacon.operations.models import Operation, Referral, Service, Victim


def save(actor: Actor, operation: Operation, kind: str, data: dict[str, Any]) -> object:
    """Record one field event (or reported figure) of ``kind`` through its service."""
    return entries.record_event(actor, operation, kind, data)


def respond_to_referral(actor: Actor, referral: Referral, answer: str) -> object:
    return operations.respond_to_referral(actor, referral, answer)


def record_referred_service(actor: Actor, ref: str, data: dict[str, str]) -> Service:
    """A service the caseworker's agency delivered to a victim referred to it."""
    return operations.record_referred_service(
        actor, ref, kind=data.get("kind", ""), on=data.get("on", ""), notes=data.get("notes", "")
    )


def may_record_service(actor: Actor, victim: Victim) -> bool:
    """Whether the victim page offers the service form (the policy decides)."""
    return Victim.objects.served_by(actor).filter(pk=victim.pk).exists()


# The victim's relations a page shows, joined when the actor's query loads them.
RELATIONS = ("operation", "agency", "jurisdiction", "person", "nationality")


@dataclass(frozen=True)
class VictimFile:
    """What one actor may read of one victim: the allowed fields' values, the referrals
    and services the policy lets them see."""

    victim: Victim
    facts: list[tuple[str, str, object]]  # (field, label, value), allowed fields only
    referrals: list[Referral]
    services: list[Service]


def _facts(victim: Victim, shown: frozenset[str] | None) -> list[tuple[str, str, object]]:
    """The facts of ``victim`` among the fields its query loaded (``shown``; None: all).
    A field the query did not show is never read: the row would refuse it."""

    def ages() -> str:
        if victim.age_min is None:
            return "—"
        if victim.age_max is not None and victim.age_max != victim.age_min:
            return f"{victim.age_min}\u2013{victim.age_max}"
        return str(victim.age_min)

    facts: list[tuple[str, str, Callable[[], object]]] = [
        ("person", _("Name"), lambda: str(victim.person)),
        ("age_group", _("Minor or adult"), victim.get_age_group_display),
        ("age_min", _("Age"), ages),
        ("sex", _("Sex"), victim.get_sex_display),
        ("nationality", _("Nationality"), lambda: getattr(victim.nationality, "name", "—")),
        ("self_identification", _("Self-identification"), victim.get_self_identification_display),
        ("consent", _("Consent to services"), victim.get_consent_display),
        ("jurisdiction", _("Where"), lambda: victim.jurisdiction.name),
        ("at", _("When"), lambda: victim.at),
        ("operation", _("Operation"), lambda: victim.operation.name),
        ("agency", _("Identified by"), lambda: victim.agency.name),
    ]
    return [(f, label, value()) for f, label, value in facts if shown is None or f in shown]


def show_victim(actor: Actor, ref: str) -> VictimFile:
    """One victim as ``Victim.objects.visible_to(actor)`` loads it (a caseworker: only
    ``CASEWORKER_VICTIM_FIELDS``, their own referral, services to this person); the read
    is audited with the fields shown. NotVisible (404) when missing or hidden."""
    with transaction.atomic():
        visible = Victim.objects.visible_to(actor)
        shown = visible.shown_fields
        joins = [f for f in RELATIONS if shown is None or f in shown]
        victim = visible.select_related(*joins).filter(ref=ref).first()
        if victim is None:
            raise NotVisible()
        facts = _facts(victim, shown)
        referrals = list(
            Referral.objects.visible_to(actor)
            .filter(victim=victim)
            .select_related("to_agency", "agency", "operation")
            .order_by("at", "id")
        )
        services = list(
            Service.objects.visible_to(actor)
            .filter(person_id=victim.person_id, operation__victim_events=victim)
            .select_related("agency")
            .order_by("at", "id")
        )
        audit.record(
            actor,
            "victims.read",
            object_type="victim",
            object_id=victim.ref,
            detail={"fields": [f[0] for f in facts], "services": len(services)},
        )
    return VictimFile(victim, facts, referrals, services)
