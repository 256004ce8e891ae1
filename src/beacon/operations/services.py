"""Operations' rules: outcomes on targets (through the registry), leads and hit confirmations.

Every change runs in one transaction with its audit event. Recording an outcome
performs the registry's locate or clear in that same transaction: an outcome never
exists without the registry transaction that backs it, nor the other way round.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from beacon.access import compiled, policy
from beacon.access.permissions import Permission
from beacon.agencies.models import Agency, Jurisdiction
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import IllegalTransition, NotVisible, ValidationFailed
from beacon.operations import codes, visibility
from beacon.operations.models import (
    HitConfirmation,
    Operation,
    Outcome,
    Referral,
    Service,
    Target,
)
from beacon.records import services as registry
from beacon.records.codes import ClearHow
from beacon.records.models import RecordTransaction

HIT_DEADLINES = {
    codes.Priority.URGENT: timedelta(minutes=10),
    codes.Priority.ROUTINE: timedelta(hours=1),
}
_CLEAR_HOW = {
    codes.OutcomeHow.RETURNED_TO_GUARDIAN: ClearHow.RETURNED_TO_GUARDIAN,
    codes.OutcomeHow.PLACED_WITH_CHILD_WELFARE: ClearHow.PLACED_WITH_CHILD_WELFARE,
}


def get_operation(actor: Actor, code: str) -> Operation:
    """One visible operation by code; NotVisible (404) whether missing or hidden."""
    found = compiled.visible(Operation, actor).filter(code__iexact=code.strip()).first()
    if found is None:
        raise NotVisible()
    return found


def find_operation_code(actor: Actor, given: str) -> str:
    """The code of the one visible operation ``given`` names: its code, its name
    ("Rescue Me", "Operation Rescue Me") or a code prefix ("rescue-me"). For the CLI,
    where the operator types names; the API takes exact codes only."""
    key = given.strip()
    visible = Operation.objects.visible_to(actor)
    for query in (
        Q(code__iexact=key),
        Q(name__iexact=key),
        Q(name__iexact=f"Operation {key}"),
        Q(code__istartswith=key),
    ):
        found = list(visible.filter(query).order_by("pk").values_list("code", flat=True)[:2])
        if len(found) == 1:
            return found[0]
    raise NotVisible(f"No operation named {key}.")


def get_target(actor: Actor, code: str, ref: str) -> Target:
    operation = get_operation(actor, code)
    target = (
        Target.objects.select_related("record", "operation")
        .filter(operation=operation, ref=ref)
        .first()
    )
    if target is None:
        raise NotVisible()
    return target


def record_outcome(
    actor: Actor,
    target: Target,
    *,
    kind: str,
    how: str,
    at: datetime,
    agency: Agency,
    place: str = "",
    jurisdiction: Jurisdiction | None = None,
) -> Outcome:
    """Record that a target was located or recovered, with the registry transaction.

    Located: the registry's locate (where, when, by whom, disposition). Recovered: the
    registry's clear (returned to guardian or placed with child welfare). A registry
    refusal (wrong agency, record closed, stale) refuses the outcome: nothing is written.
    """
    policy.require(actor, Permission.OPERATIONS_RECORD, object_type="target", object_id=target.ref)
    visibility.require_may_record(actor, target.operation, Permission.OPERATIONS_RECORD)
    if kind not in codes.OutcomeKind.values:
        raise ValidationFailed.on("kind", f"one of {', '.join(codes.OutcomeKind.values)}")
    allowed = codes.RECOVERED_HOWS if kind == codes.OutcomeKind.RECOVERED else codes.LOCATED_HOWS
    if how not in allowed:
        raise ValidationFailed.on("how", f"for {kind}, one of {', '.join(sorted(allowed))}")
    if timezone.is_naive(at):
        raise ValidationFailed.on("at", "give a time zone (e.g. 2021-06-01T10:00:00Z)")
    with transaction.atomic():
        locked = Target.objects.select_for_update().select_related("record").get(pk=target.pk)
        if Outcome.objects.filter(target=locked).exists():
            raise IllegalTransition("This target already has an outcome.")
        nic = locked.record.nic
        how_label = str(codes.OutcomeHow(how).label)
        if kind == codes.OutcomeKind.LOCATED:
            registry.locate_record(
                actor,
                nic,
                located_at=at,
                place=place or (jurisdiction.name_en if jurisdiction else "not stated"),
                by_whom=agency.name,
                disposition=how_label,
                jurisdiction=jurisdiction,
                reason=f"Operation {locked.operation_id}: located",
            )
        else:
            registry.clear_record(
                actor,
                nic,
                how=_CLEAR_HOW[codes.OutcomeHow(how)],
                cleared_at=at,
                reason=f"Operation {locked.operation_id}: recovered ({how_label})",
            )
        step = RecordTransaction.objects.filter(record_id=locked.record_id).latest("version")
        outcome = Outcome.objects.create(
            target=locked,
            kind=kind,
            how=how,
            at=at,
            agency=agency,
            place=place,
            jurisdiction=jurisdiction,
            registry_transaction=step,
            recorded_by=actor.name,
        )
        audit.record(
            actor,
            "operations.outcome",
            object_type="target",
            object_id=locked.ref,
            detail={"operation": locked.operation_id, "kind": kind, "how": how, "nic": nic},
        )
    return outcome


def request_hit_confirmation(
    actor: Actor, target: Target, *, priority: str, requested_at: datetime | None = None
) -> HitConfirmation:
    """Ask the record's agency to confirm a hit: due in 10 minutes (urgent) or 1 hour."""
    policy.require(actor, Permission.OPERATIONS_RECORD, object_type="target", object_id=target.ref)
    if priority not in codes.Priority.values:
        raise ValidationFailed.on("priority", "urgent or routine")
    at = requested_at or timezone.now()
    with transaction.atomic():
        hit = HitConfirmation.objects.create(
            target=target,
            requesting_agency=actor.agency,
            priority=priority,
            requested_at=at,
            due_at=at + HIT_DEADLINES[codes.Priority(priority)],
        )
        audit.record(
            actor,
            "operations.hit_requested",
            object_type="hit_confirmation",
            object_id=hit.pk,
            detail={"target": target.ref, "priority": priority},
        )
    return hit


def confirm_hit(
    actor: Actor, hit: HitConfirmation, *, at: datetime | None = None
) -> HitConfirmation:
    policy.require(
        actor, Permission.OPERATIONS_RECORD, object_type="hit_confirmation", object_id=hit.pk
    )
    with transaction.atomic():
        locked = HitConfirmation.objects.select_for_update().get(pk=hit.pk)
        if locked.confirmed_at is not None:
            raise IllegalTransition("This hit is already confirmed.")
        locked.confirmed_at = at or timezone.now()
        locked.confirmed_by = actor.name
        locked.save(update_fields=["confirmed_at", "confirmed_by"])
        audit.record(
            actor,
            "operations.hit_confirmed",
            object_type="hit_confirmation",
            object_id=locked.pk,
            detail={"overdue": locked.is_overdue()},
        )
    return locked


def overdue_hits(actor: Actor, code: str, *, now: datetime | None = None) -> list[HitConfirmation]:
    """Hit confirmations of an operation still unconfirmed past their deadline."""
    operation = get_operation(actor, code)
    return list(
        HitConfirmation.objects.select_related("target__record", "requesting_agency").filter(
            target__operation=operation, confirmed_at__isnull=True, due_at__lt=now or timezone.now()
        )
    )


def respond_to_referral(actor: Actor, referral: Referral, answer: str) -> Referral:
    """The agency a victim was referred to accepts or declines the referral."""
    policy.require(
        actor, Permission.REFERRALS_RESPOND, object_type="referral", object_id=referral.ref
    )
    if answer not in (codes.ReferralStatus.ACCEPTED, codes.ReferralStatus.DECLINED):
        raise ValidationFailed.on("answer", "accepted or declined")
    with transaction.atomic():
        locked = (
            Referral.objects.visible_to(actor)
            .select_for_update(of=("self",))
            .filter(pk=referral.pk)
            .first()
        )
        if locked is None or (not actor.is_system and locked.to_agency_id != actor.agency_id):
            raise NotVisible()
        if locked.status != codes.ReferralStatus.OFFERED:
            raise IllegalTransition(f"This referral was already {locked.status}.")
        locked.status = answer
        locked.save(update_fields=["status"])
        audit.record(
            actor,
            "operations.referral_response",
            object_type="referral",
            object_id=locked.ref,
            detail={"answer": answer, "operation": locked.operation_id},
        )
    return locked


NOTES_MAX = 5000


def record_referred_service(
    actor: Actor, victim_ref: str, *, kind: str, on: object, notes: str = ""
) -> Service:
    """A service the actor's agency delivered to a victim referred to it (an accepted
    referral; visibility.get_servable_victim). Written with the victim's operation and place,
    the caseworker's agency as provider; the notes are sealed with that agency's key
    (beacon.vault); audited in the same transaction. Nothing else is reachable this way."""
    from datetime import date, time

    victim = visibility.get_servable_victim(actor, victim_ref)
    errors: dict[str, list[str]] = {}
    if kind not in codes.ServiceKind.values:
        errors["kind"] = [_("Choose a service.")]
    day: date | None = on if isinstance(on, date) else None
    if day is None:
        try:
            day = date.fromisoformat(str(on or "").strip())
        except ValueError:
            errors["on"] = [_("Give the date as YYYY-MM-DD.")]
    if day is not None:
        if day > timezone.localdate():
            errors["on"] = [_("The date cannot be in the future.")]
        elif day < timezone.localdate(victim.at):
            errors["on"] = [_("The date cannot be before the victim was identified.")]
    notes = notes.strip()
    if len(notes) > NOTES_MAX:
        errors["notes"] = [_("At most %(n)s characters.") % {"n": NOTES_MAX}]
    if errors or day is None:
        raise ValidationFailed(_("The service was not recorded."), fields=errors)
    with transaction.atomic():
        accepted = (
            Referral.objects.select_for_update()
            .filter(
                victim=victim,
                to_agency_id=actor.agency_id,
                status=codes.ReferralStatus.ACCEPTED,
            )
            .exists()
        )
        if not accepted:  # held: the referral stays accepted until this commits
            raise NotVisible()
        service = Service.objects.create(  # create(), not bulk: the vault seals the notes
            operation=victim.operation,
            agency=actor.agency,
            jurisdiction=victim.jurisdiction,
            at=timezone.make_aware(datetime.combine(day, time(12, 0))),
            person=victim.person,
            kind=kind,
            status=codes.ServiceStatus.PROVIDED,
            notes=notes,
        )
        service.people.add(victim.person)
        audit.record(
            actor,
            "operations.service",
            object_type="victim",
            object_id=victim.ref,
            detail={
                "service": service.ref,
                "operation": victim.operation.code,
                "kind": kind,
                "on": day.isoformat(),
                "notes": bool(notes),
            },
        )
    return service
