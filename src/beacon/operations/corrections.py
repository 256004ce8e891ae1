"""Correcting a field entry after the fact: its time or its place, with a reason.

The entry takes the corrected value; a Correction row keeps the value before, the value
after, who, when and why, and the audit trail records it in the same transaction, so
the history of every entry can be read back (beacon.operations.timeline). Only the
agency that recorded the entry corrects it. An outcome is corrected by withdrawing it
(beacon.operations.outcomes.withdraw), which reopens its registry transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.agencies.models import Jurisdiction
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import IllegalTransition, NotVisible, ValidationFailed
from beacon.operations.models import (
    Arrest,
    Correction,
    Investigation,
    Operation,
    Raid,
    Referral,
    SearchWarrant,
    Seizure,
    Service,
    Victim,
)

# The entry kinds (as the event forms name them) and their models.
ENTRY_MODELS: dict[str, type[Model]] = {
    "arrest": Arrest,
    "victim": Victim,
    "warrant": SearchWarrant,
    "raid": Raid,
    "seizure": Seizure,
    "service": Service,
    "referral": Referral,
    "investigation": Investigation,
}
CORRECTABLE = ("at", "jurisdiction")
MAX_REASON = 300


def entry_of(actor: Actor, operation: Operation, kind: str, ref: str) -> Any:
    """The entry ``kind``/``ref`` of ``operation`` the actor may see, or NotVisible."""
    model = ENTRY_MODELS.get(kind)
    if model is None:
        raise NotVisible()
    if model is Victim:
        query: Any = Victim.objects.visible_to(actor)
    elif model is Referral:
        query = Referral.objects.visible_to(actor)
    elif model is Service:
        query = Service.objects.visible_to(actor)
    elif policy.has(actor, Permission.OPERATIONS_VIEW) or actor.is_system:
        query = model._default_manager.all()
    else:
        raise NotVisible()
    found = (
        query.filter(operation=operation, ref=ref).select_related("agency", "jurisdiction").first()
    )
    if found is None:
        raise NotVisible()
    return found


def correct(
    actor: Actor,
    operation: Operation,
    kind: str,
    ref: str,
    *,
    changes: dict[str, Any],
    reason: str,
) -> list[Correction]:
    """Correct the time (``at``, an aware datetime) and/or the place (``jurisdiction``, a
    Jurisdiction) of one entry; the corrections made (none when nothing differs)."""
    policy.require(actor, Permission.OPERATIONS_RECORD, object_type=kind, object_id=ref)
    entry = entry_of(actor, operation, kind, ref)
    errors: dict[str, list[str]] = {}
    reason = reason.strip()
    if not reason:
        errors["reason"] = [_("Say why the entry is corrected.")]
    elif len(reason) > MAX_REASON:
        errors["reason"] = [_("At most 300 characters.")]
    for field in changes:
        if field not in CORRECTABLE:
            errors[field] = [_("This field cannot be corrected here.")]
    at = changes.get("at")
    if at is not None and (not isinstance(at, datetime) or timezone.is_naive(at)):
        errors["at"] = [_("A date and time.")]
    elif at is not None and at > timezone.now():
        errors["at"] = [_("Not in the future.")]
    place = changes.get("jurisdiction")
    if place is not None and not isinstance(place, Jurisdiction):
        errors["jurisdiction"] = [_("Choose a place.")]
    if errors:
        raise ValidationFailed(_("The entry was not corrected."), fields=errors)
    if not actor.is_system and entry.agency_id != actor.agency_id:
        raise IllegalTransition(
            _("Only %(agency)s, which recorded this entry, may correct it.")
            % {"agency": entry.agency.name}
        )
    made: list[Correction] = []
    with transaction.atomic():
        model = type(entry)
        locked = model._default_manager.select_for_update().get(pk=entry.pk)
        update: dict[str, Any] = {}
        if at is not None and at != locked.at:
            made.append(_kept(actor, operation, kind, ref, "at", locked.at, at, reason))
            update["at"] = at
        if place is not None and place.pk != locked.jurisdiction_id:
            before = Jurisdiction.objects.get(pk=locked.jurisdiction_id)
            made.append(_kept(actor, operation, kind, ref, "jurisdiction", before, place, reason))
            update["jurisdiction"] = place
        if update:  # an UPDATE of these columns only: sealed notes are not rewritten
            model._default_manager.filter(pk=locked.pk).update(**update)
            audit.record(
                actor,
                "operations.entry_corrected",
                object_type=kind,
                object_id=ref,
                detail={
                    "operation": operation.code,
                    "reason": reason,
                    "changes": {c.field: {"before": c.before, "after": c.after} for c in made},
                },
            )
    return made


def _shown(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Jurisdiction):
        return str(value.pk)  # the timeline shows its name in the reader's language
    return str(value)


def _kept(
    actor: Actor,
    operation: Operation,
    kind: str,
    ref: str,
    field: str,
    before: object,
    after: object,
    reason: str,
) -> Correction:
    return Correction.objects.create(
        operation=operation,
        entry_kind=kind,
        entry_ref=ref,
        field=field,
        before=_shown(before),
        after=_shown(after),
        reason=reason,
        actor=actor.name,
        user_id=actor.user_id,
        agency=actor.agency,
    )
