"""Calls from the event forms and the inbox into the operations services, and the
victim read the caseworker's pages make (through the policy, audited)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from beacon.access import policy
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
    return policy.victims_served_by(actor).filter(pk=victim.pk).exists()


@dataclass(frozen=True)
class VictimFile:
    """What one actor may read of one victim: the allowed fields' values, the referrals
    and services the policy lets them see."""

    victim: Victim
    facts: list[tuple[str, str, object]]  # (field, label, value), allowed fields only
    referrals: list[Referral]
    services: list[Service]


def _facts(victim: Victim) -> list[tuple[str, str, object]]:
    ages = "—"
    if victim.age_min is not None:
        ages = str(victim.age_min)
        if victim.age_max is not None and victim.age_max != victim.age_min:
            ages = f"{victim.age_min}\u2013{victim.age_max}"
    nationality = victim.nationality.name if victim.nationality else "—"
    return [
        ("person", _("Name"), str(victim.person)),
        ("age_group", _("Minor or adult"), victim.get_age_group_display()),
        ("age_min", _("Age"), ages),
        ("sex", _("Sex"), victim.get_sex_display()),
        ("nationality", _("Nationality"), nationality),
        ("self_identification", _("Self-identification"), victim.get_self_identification_display()),
        ("consent", _("Consent to services"), victim.get_consent_display()),
        ("jurisdiction", _("Where"), victim.jurisdiction.name),
        ("at", _("When"), victim.at),
        ("operation", _("Operation"), victim.operation.name),
        ("agency", _("Identified by"), victim.agency.name),
    ]


def show_victim(actor: Actor, ref: str) -> VictimFile:
    """One victim as the policy lets ``actor`` read it (a caseworker: only
    ``CASEWORKER_VICTIM_FIELDS``, their own referral, services to this person); the read
    is audited with the fields shown. NotVisible (404) when missing or hidden."""
    allowed = policy.victim_fields_visible_to(actor)
    with transaction.atomic():
        victim = (
            policy.victims_visible_to(actor)
            .select_related("operation", "agency", "jurisdiction", "person", "nationality")
            .filter(ref=ref)
            .first()
        )
        if victim is None or allowed == frozenset():
            raise NotVisible()
        facts = [f for f in _facts(victim) if allowed is None or f[0] in allowed]
        referrals = list(
            policy.referrals_visible_to(actor)
            .filter(victim=victim)
            .select_related("to_agency", "agency", "operation")
            .order_by("at", "id")
        )
        services = list(
            policy.services_visible_to(actor)
            .filter(person_id=victim.person_id, operation_id=victim.operation_id)
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
