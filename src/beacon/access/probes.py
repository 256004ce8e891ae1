"""Auditing requests for objects the actor may not see (or that do not exist).

Not allowed and not found answer the same 404, so a probe learns nothing; the audit
trail still says who asked for what. Both cases are recorded the same way, with the
same work, so neither the answer nor its timing tells them apart."""

from __future__ import annotations

from django.http import HttpRequest

from beacon.audit import services as audit
from beacon.core.actor import Actor

AUDITED = "beacon_not_visible_audited"


def audit_not_visible(request: HttpRequest) -> None:
    """Record an ``access.not_visible`` event for the signed-in actor (once per request).

    Anonymous requests never reach an object (they are refused with 401 first)."""
    actor = getattr(request, "beacon_actor", None)
    if not isinstance(actor, Actor) or getattr(request, AUDITED, False):
        return
    setattr(request, AUDITED, True)
    audit.record(
        actor,
        "access.not_visible",
        object_type="url",
        object_id=request.path[:64],
        outcome="denied",
        detail={"method": request.method, "path": request.get_full_path()[:500]},
    )
