"""The need-to-know kernel: has, require, refuse, deny. It knows roles and permissions,
nothing of any domain.

Who may see which rows is said next to the data, by each domain's manager:
``Model.objects.visible_to(actor)`` (records, operations, intake; see
``beacon.access.scoping`` and docs/conventions.md). Those managers use this kernel, never
the reverse: nothing here imports a domain.
"""

from __future__ import annotations

from typing import NoReturn

from beacon.access.permissions import Permission, role_has
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import Forbidden

# The role that also sees the sub-operations of the hub operations its agency takes part in.
HUB_COORDINATOR = "hub_coordinator"


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


def deny(
    actor: Actor, permission: Permission, object_type: str, object_id: object, why: str
) -> NoReturn:
    """Refuse (403) ``permission`` on this object for the reason ``why``, audited."""
    audit.record(
        actor,
        "access.denied",
        object_type=object_type,
        object_id=object_id,
        outcome="denied",
        detail={"permission": str(permission), "reason": why},
    )
    raise Forbidden(f"Your agency may not {permission} here: {why}.")
