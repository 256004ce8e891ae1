"""Need-to-know: the one place that says who may see and do what.

Every queryset of personal data comes from a function here; views, API handlers,
CLI commands, exports and reports never use a bare ``Model.objects``.
Not allowed and not found look the same: ``get_*`` functions raise NotVisible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from beacon.access.permissions import Permission, role_has
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import Forbidden, NotVisible

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from beacon.intake.models import Intake
    from beacon.operations.models import Operation, Referral, Service, Victim
    from beacon.records.models import MissingPersonRecord


HUB_COORDINATOR = "hub_coordinator"
# TLP 2.0 markings that let a record travel to the agencies of operations targeting it.
SHARED_TLP = ("CLEAR", "GREEN", "AMBER")
STRICT_TLP = "AMBER+STRICT"  # only the agencies assigned to work it
# What a caseworker (child welfare or NGO) may read of a victim referred to them: enough
# to serve the person; no notes (arrest and investigation detail), no other people.
CASEWORKER_VICTIM_FIELDS = frozenset(
    {
        "id",
        "ref",
        "at",
        "person",
        "age_min",
        "age_max",
        "age_group",
        "sex",
        "nationality",
        "self_identification",
        "consent",
        "jurisdiction",
    }
)


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


def refuse(
    actor: Actor, message: str, *, object_type: str = "", object_id: object = "", reason: str
) -> NoReturn:
    """Refuse (403) an action the role allows but this case does not, and audit it."""
    audit.record(
        actor,
        "access.denied",
        object_type=object_type,
        object_id=object_id,
        outcome="denied",
        detail={"reason": reason},
    )
    raise Forbidden(message)


def records_visible_to(actor: Actor) -> QuerySet[MissingPersonRecord]:
    """Missing-person records the actor may see.

    Visible to the originating agency and to the agencies of every operation that
    targets the record (a hub coordinator also through its sub-operations), as far
    as the record's TLP 2.0 marking allows:

    - CLEAR, GREEN, AMBER: the agencies of every operation targeting it;
    - AMBER+STRICT: only the agencies its targets are assigned to;
    - RED: the originating agency only.

    Roles without records:view (PIO, caseworkers, administrators) see none.
    """
    from django.db.models import Q

    from beacon.operations.models import Target
    from beacon.records.models import MissingPersonRecord

    records = MissingPersonRecord.objects.all()
    if actor.is_system:
        return records
    if not has(actor, Permission.RECORDS_VIEW):
        return records.none()
    shared = Target.objects.filter(operation__in=operations_visible_to(actor)).values("record_id")
    assigned = Target.objects.filter(assigned_agency_id=actor.agency_id).values("record_id")
    return records.filter(
        Q(originating_agency_id=actor.agency_id)
        | Q(tlp__in=SHARED_TLP, pk__in=shared)
        | Q(tlp__in=(*SHARED_TLP, STRICT_TLP), pk__in=assigned)
    )


def get_visible_record(actor: Actor, nic: str) -> MissingPersonRecord:
    """One record by NIC, or NotVisible (404) whether it is missing or hidden."""
    from beacon.records.models import MissingPersonRecord

    try:
        return records_visible_to(actor).get(nic=nic.upper())
    except MissingPersonRecord.DoesNotExist:
        raise NotVisible() from None


def operations_visible_to(actor: Actor) -> QuerySet[Operation]:
    """Operations the actor may see: those its agency takes part in; a hub coordinator
    also sees the sub-operations (two levels down) of the hubs its agency takes part in.
    A PIO sees the same operations, but only their aggregate reports (operations:report),
    and also those it was given the right to publish (a live Publisher grant to the user
    or its agency, with their sub-operations); the grant opens nothing to roles that read
    case files. The system actor sees all."""
    from django.db.models import Q

    from beacon.operations.models import Operation, Participation, Publisher

    operations = Operation.objects.all()
    if actor.is_system:
        return operations
    if not (has(actor, Permission.OPERATIONS_VIEW) or has(actor, Permission.OPERATIONS_REPORT)):
        return operations.none()
    mine = Participation.objects.filter(agency_id=actor.agency_id).values("operation_id")
    visible = Q(pk__in=mine)
    if actor.role == HUB_COORDINATOR:
        visible |= Q(parent_id__in=mine) | Q(parent__parent_id__in=mine)
    if not has(actor, Permission.OPERATIONS_VIEW):  # report only: publishing grants count
        grantee = Q(agency_id=actor.agency_id) | Q(user_id=actor.user_id or 0)
        granted = Publisher.objects.filter(grantee, revoked_at__isnull=True).values("operation_id")
        visible |= Q(pk__in=granted) | Q(parent_id__in=granted)
    return operations.filter(visible)


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


def may_share_outside(actor: Actor, record: MissingPersonRecord) -> bool:
    """May ``actor`` send this record outside their own organisation (a partner export)?

    TLP 2.0 limits what a *recipient* may pass on: CLEAR to anyone; GREEN to peers and
    partner organisations of the community (never a public channel); AMBER only inside
    the recipient's organisation and its clients, so only the originating agency, the
    source, may send its own AMBER records out; AMBER+STRICT (the organisation only) and
    RED (named recipients only) never leave in a bulk export, even from the originator,
    who must first lower the marking (an audited modify). The system actor acts for no
    organisation: it may send only CLEAR and GREEN.
    """
    from beacon.records.codes import Tlp

    if record.tlp in (Tlp.CLEAR, Tlp.GREEN):
        return True
    if record.tlp == Tlp.AMBER:
        return not actor.is_system and record.originating_agency_id == actor.agency_id
    return False


def victim_fields_visible_to(actor: Actor) -> frozenset[str] | None:
    """The victim fields the actor may read: None means every field (operation agencies),
    otherwise the caseworker allow-list. Views and exports render only these."""
    if actor.is_system or has(actor, Permission.VICTIMS_VIEW):
        return None
    if has(actor, Permission.REFERRALS_VIEW):
        return CASEWORKER_VICTIM_FIELDS
    return frozenset()


def services_visible_to(actor: Actor) -> QuerySet[Service]:
    """Service records: to the agencies of the operation, to the agency that provided
    the service, and to the agency a victim receiving it was referred to."""
    from django.db.models import Q

    from beacon.operations.models import Referral, Service

    services = Service.objects.all()
    if actor.is_system:
        return services
    visible = Q(pk__in=[])
    if has(actor, Permission.VICTIMS_VIEW):
        visible |= Q(operation__in=operations_visible_to(actor))
    if has(actor, Permission.REFERRALS_VIEW):
        referred = Referral.objects.filter(to_agency_id=actor.agency_id).values("victim__person_id")
        visible |= Q(agency_id=actor.agency_id) | Q(person_id__in=referred)
    return services.filter(visible)


def victims_served_by(actor: Actor) -> QuerySet[Victim]:
    """Victims the actor's agency may record services for: those referred to it whose
    referral it accepted (a caseworker with services:record). Not a pending or declined
    referral, not a victim referred elsewhere."""
    from beacon.operations import codes
    from beacon.operations.models import Referral, Victim

    if not (actor.is_system or has(actor, Permission.SERVICES_RECORD)):
        return Victim.objects.none()
    accepted = Referral.objects.filter(
        to_agency_id=actor.agency_id, status=codes.ReferralStatus.ACCEPTED
    ).values("victim_id")
    return victims_visible_to(actor).filter(pk__in=accepted)


def get_servable_victim(actor: Actor, ref: str) -> Victim:
    """The victim ``ref`` if the actor may record a service for them: NotVisible (404) when
    the actor cannot see the victim at all; Forbidden (403, audited) when they can but
    their agency has no accepted referral for them."""
    require(actor, Permission.SERVICES_RECORD, object_type="victim", object_id=ref)
    found = victims_visible_to(actor).filter(ref=ref).first()
    if found is None:
        raise NotVisible()
    served = (
        victims_served_by(actor)
        .select_related("operation", "person", "jurisdiction")
        .filter(pk=found.pk)
        .first()
    )
    if served is None:
        _deny(
            actor,
            Permission.SERVICES_RECORD,
            "victim",
            ref,
            "no accepted referral of this victim to your agency",
        )
        raise NotVisible()  # not reached: _deny raises Forbidden
    return served


def require_operation_agency(actor: Actor, operation: Operation, permission: Permission) -> None:
    """Only an operation's own agencies record its outcomes and field events (not the
    hub above it, not other agencies that can see a targeted record)."""
    from beacon.operations.models import Participation

    require(actor, permission, object_type="operation", object_id=operation.code)
    if actor.is_system:
        return
    takes_part = Participation.objects.filter(
        operation_id=operation.pk, agency_id=actor.agency_id
    ).exists()
    if not takes_part:
        _deny(actor, permission, "operation", operation.code, "not an agency of the operation")


def _deny(actor: Actor, permission: Permission, object_type: str, object_id: str, why: str) -> None:
    audit.record(
        actor,
        "access.denied",
        object_type=object_type,
        object_id=object_id,
        outcome="denied",
        detail={"permission": str(permission), "reason": why},
    )
    raise Forbidden(f"Your agency may not {permission} here: {why}.")
