"""Publishing rights: who may read and export an operation's aggregate report.

A public information officer sees the reports of the operations its agency takes part
in, and of those it was given the right to publish: a grant to the user or to its
agency, given by a coordinator who manages the operation or by an administrator,
audited; revoking keeps the grant with its end (nothing is lost).
``Operation.objects.visible_to`` reads the grants.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from beacon.access import policy
from beacon.access.permissions import Permission, role_has
from beacon.agencies.models import Agency
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import NotVisible, ValidationFailed
from beacon.operations.models import Operation, Publisher


def operation_to_publish(actor: Actor, code: str) -> Operation:
    """The operation whose publishers ``actor`` may change: one it manages and sees, or
    any (an administrator's accounts:manage: operation names are not case data)."""
    if policy.has(actor, Permission.ACCOUNTS_MANAGE) or actor.is_system:
        found = Operation.objects.filter(code__iexact=code.strip()).first()
    else:
        policy.require(actor, Permission.OPERATIONS_MANAGE, object_type="operation", object_id=code)
        found = Operation.objects.visible_to(actor).filter(code__iexact=code.strip()).first()
    if found is None:
        raise NotVisible()
    return found


def publishers_of(operation: Operation) -> QuerySet[Publisher]:
    """Every grant of ``operation``, live and revoked, newest first."""
    return Publisher.objects.filter(operation=operation).select_related(
        "user", "user__membership", "agency"
    )


def grant(
    actor: Actor,
    code: str,
    *,
    user: User | None = None,
    agency: Agency | None = None,
) -> Publisher:
    """Let ``user`` (a report-only account) or every report-only account of ``agency``
    publish operation ``code``. Granting what is already granted changes nothing."""
    operation = operation_to_publish(actor, code)
    if (user is None) == (agency is None):
        raise ValidationFailed.on("grantee", "a user or an agency, not both")
    if user is not None:
        role = getattr(getattr(user, "membership", None), "role", "")
        if not role_has(role, Permission.OPERATIONS_REPORT) or role_has(
            role, Permission.OPERATIONS_VIEW
        ):
            raise ValidationFailed.on(
                "user", "publishing rights are for public information officers"
            )
    with transaction.atomic():
        live = Publisher.objects.filter(
            operation=operation, user=user, agency=agency, revoked_at__isnull=True
        ).first()
        if live is not None:
            return live
        made = Publisher.objects.create(
            operation=operation, user=user, agency=agency, granted_by=actor.name
        )
        audit.record(
            actor,
            "operations.publisher_granted",
            object_type="operation",
            object_id=operation.code,
            detail=_who(made),
        )
    return made


def revoke(actor: Actor, code: str, grant_id: int) -> Publisher:
    """End a grant (kept, with who ended it and when)."""
    operation = operation_to_publish(actor, code)
    with transaction.atomic():
        found = (
            Publisher.objects.select_for_update()
            .filter(operation=operation, pk=grant_id, revoked_at__isnull=True)
            .first()
        )
        if found is None:
            raise NotVisible()
        found.revoked_at = timezone.now()
        found.revoked_by = actor.name
        found.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(
            actor,
            "operations.publisher_revoked",
            object_type="operation",
            object_id=operation.code,
            detail=_who(found),
        )
    return found


def _who(grant: Publisher) -> dict[str, object]:
    if grant.user_id:
        return {"grant": grant.pk, "user": grant.user.get_username() if grant.user else ""}
    return {"grant": grant.pk, "agency": grant.agency.ori if grant.agency else ""}


def grant_to_agency_once(actor: Actor, codes: list[str], agency: Agency) -> int:
    """Grant ``agency`` the right to publish each of ``codes`` (the demo's PIO); the
    number of new grants (a second run adds none)."""
    made = 0
    for code in codes:
        before = Publisher.objects.filter(
            operation__code=code, agency=agency, revoked_at__isnull=True
        ).exists()
        grant(actor, code, agency=agency)
        made += 0 if before else 1
    return made
