"""Operations' need-to-know rules that go beyond one queryset: which registry records an
operation shares with its agencies (registered with the registry, a floor below), who may
record a service for a victim, and who records an operation's outcomes and field events.

Row visibility itself is on the managers, next to the models
(``Operation.objects.visible_to(actor)``, ``Victim.objects.visible_to(actor)``...).
"""

from __future__ import annotations

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.core.actor import Actor
from beacon.core.errors import NotVisible
from beacon.operations.models import Operation, Participation, Target, Victim
from beacon.records.models import Reach


def records_reached(actor: Actor) -> Reach:
    """The records an actor reaches through operations (records apply the TLP marking):
    those targeted by the operations it sees, and those it is assigned to work."""
    return Reach(
        shared=Target.objects.filter(operation__in=Operation.objects.visible_to(actor)).values(
            "record_id"
        ),
        assigned=Target.objects.filter(assigned_agency_id=actor.agency_id).values("record_id"),
    )


def get_servable_victim(actor: Actor, ref: str) -> Victim:
    """The victim ``ref`` if the actor may record a service for them: NotVisible (404) when
    the actor cannot see the victim at all; Forbidden (403, audited) when they can but
    their agency has no accepted referral for them.

    The whole row comes back, the operation included, which a caseworker may not read:
    the service is written under the victim's operation; nothing of it is shown."""
    policy.require(actor, Permission.SERVICES_RECORD, object_type="victim", object_id=ref)
    found = Victim.objects.visible_to(actor).filter(ref=ref).values_list("pk", flat=True)
    if not found:
        raise NotVisible()
    if not Victim.objects.served_by(actor).filter(pk=found[0]).exists():
        policy.deny(
            actor,
            Permission.SERVICES_RECORD,
            "victim",
            ref,
            "no accepted referral of this victim to your agency",
        )
    return Victim.objects.select_related("operation", "person", "jurisdiction").get(pk=found[0])


def require_operation_agency(actor: Actor, operation: Operation, permission: Permission) -> None:
    """Only an operation's own agencies record its outcomes and field events (not the
    hub above it, not other agencies that can see a targeted record)."""
    policy.require(actor, permission, object_type="operation", object_id=operation.code)
    if actor.is_system:
        return
    takes_part = Participation.objects.filter(
        operation_id=operation.pk, agency_id=actor.agency_id
    ).exists()
    if not takes_part:
        policy.deny(
            actor, permission, "operation", operation.code, "not an agency of the operation"
        )


def require_may_record(actor: Actor, operation: Operation, permission: Permission) -> None:
    """Who records an operation's outcomes and field events: its own agencies, and a hub
    coordinator of a hub above it (up to two levels, as the hub sees it), who types in the
    tallies its states phone in (Operation United Front). Nobody else, whatever else may
    one day let them see the operation (a publishing grant, a targeted record): seeing is
    not recording. Changing the operation itself stays with its own agencies
    (``require_operation_agency``).

    The one place this rule lives: field entries (``bundles.importer.add_entries``, and so
    the pages' forms and the API) and outcomes (``services.record_outcome``) call it."""
    policy.require(actor, permission, object_type="operation", object_id=operation.code)
    if actor.is_system:
        return
    scope = [operation.pk]
    if actor.role == policy.HUB_COORDINATOR:
        scope += [pk for pk in (operation.parent_id, _parent_of(operation.parent_id)) if pk]
    if not Participation.objects.filter(operation_id__in=scope, agency_id=actor.agency_id).exists():
        policy.deny(
            actor, permission, "operation", operation.code, "not an agency of the operation"
        )


def _parent_of(operation_id: int | None) -> int | None:
    if operation_id is None:
        return None
    return Operation.objects.filter(pk=operation_id).values_list("parent_id", flat=True).first()
