"""Need-to-know: the one place that says who may see and do what.

Every queryset of personal data comes from a function here; views, API handlers,
CLI commands, exports and reports never use a bare ``Model.objects``.
Not allowed and not found look the same: ``get_*`` functions raise NotVisible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from beacon.access.permissions import Permission, role_has
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import Forbidden, NotVisible

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from beacon.intake.models import Intake
    from beacon.operations.models import Operation, Referral, Victim
    from beacon.records.models import MissingPersonRecord


def has(actor: Actor, permission: Permission) -> bool:
    return role_has(actor.role, permission)


def require(
    actor: Actor, permission: Permission, *, object_type: str = "", object_id: object = ""
) -> None:
    """Refuse (403) and audit the denial when the actor's role lacks ``permission``."""
    if not has(actor, permission):
        audit.record(
            actor,
            "access.denied",
            object_type=object_type,
            object_id=object_id,
            outcome="denied",
            detail={"permission": str(permission)},
        )
        raise Forbidden(f"Your role may not {permission}.")


def records_visible_to(actor: Actor) -> QuerySet[MissingPersonRecord]:
    """Missing-person records the actor may see.

    Visible to the originating agency (and, once operations exist, to the agencies
    of every operation that targets the record). The system actor sees all.
    """
    from beacon.records.models import MissingPersonRecord

    records = MissingPersonRecord.objects.all()
    if actor.is_system:
        return records
    if not has(actor, Permission.RECORDS_VIEW):
        return records.none()
    from django.db.models import Q

    from beacon.operations.models import Target

    targeted = Target.objects.filter(operation__in=operations_visible_to(actor)).values("record_id")
    return records.filter(Q(originating_agency_id=actor.agency_id) | Q(pk__in=targeted))


def get_visible_record(actor: Actor, nic: str) -> MissingPersonRecord:
    """One record by NIC, or NotVisible (404) whether it is missing or hidden."""
    from beacon.records.models import MissingPersonRecord

    try:
        return records_visible_to(actor).get(nic=nic.upper())
    except MissingPersonRecord.DoesNotExist:
        raise NotVisible() from None


def operations_visible_to(actor: Actor) -> QuerySet[Operation]:
    """Operations the actor may see: those its agency takes part in, and the
    sub-operations of a hub its agency takes part in. The system actor sees all."""
    from beacon.operations.models import Operation, Participation

    operations = Operation.objects.all()
    if actor.is_system:
        return operations
    if not (has(actor, Permission.OPERATIONS_VIEW) or has(actor, Permission.OPERATIONS_REPORT)):
        return operations.none()
    mine = Participation.objects.filter(agency_id=actor.agency_id).values("operation_id")
    return operations.filter(pk__in=mine) | operations.filter(parent_id__in=mine)


def victims_visible_to(actor: Actor) -> QuerySet[Victim]:
    """Victims visible to the agencies of their operation and to the agencies they
    were referred to."""
    from django.db.models import Q

    from beacon.operations.models import Referral, Victim

    victims = Victim.objects.all()
    if actor.is_system:
        return victims
    visible = Q(pk__in=[])
    if has(actor, Permission.VICTIMS_VIEW):
        visible |= Q(operation__in=operations_visible_to(actor))
    if has(actor, Permission.REFERRALS_VIEW):
        referred = Referral.objects.filter(to_agency_id=actor.agency_id).values("victim_id")
        visible |= Q(pk__in=referred)
    return victims.filter(visible)


def referrals_visible_to(actor: Actor) -> QuerySet[Referral]:
    """Referrals visible to the agency they were sent to and to the agencies of the
    victim's operation."""
    from django.db.models import Q

    from beacon.operations.models import Referral

    referrals = Referral.objects.all()
    if actor.is_system:
        return referrals
    visible = Q(pk__in=[])
    if has(actor, Permission.REFERRALS_VIEW):
        visible |= Q(to_agency_id=actor.agency_id)
    if has(actor, Permission.VICTIMS_VIEW):
        visible |= Q(victim__operation__in=operations_visible_to(actor))
    return referrals.filter(visible)


def intakes_visible_to(actor: Actor) -> QuerySet[Intake]:
    """Intakes (source lists, clusters, decisions) of the actor's agency, for roles with
    intake:manage. The system actor sees all."""
    from beacon.intake.models import Intake

    intakes = Intake.objects.select_related("agency")
    if actor.is_system:
        return intakes
    if not has(actor, Permission.INTAKE_MANAGE):
        return intakes.none()
    return intakes.filter(agency_id=actor.agency_id)


def get_visible_intake(actor: Actor, intake_id: int) -> Intake:
    """One intake, or NotVisible (404) whether it is missing or hidden."""
    from beacon.intake.models import Intake

    try:
        return intakes_visible_to(actor).get(pk=intake_id)
    except Intake.DoesNotExist:
        raise NotVisible() from None
