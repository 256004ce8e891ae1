"""Which outcome taps an actor can complete for a target, and why not the others.

An outcome is a registry transaction: "recovered" clears the record, which only the
agency that entered it may do; "located" is what every other agency reports, and the
originating agency clears its own record instead. A button that the registry would
refuse is not offered: the row says in words who can record it.

An outcome tapped in error is undone by one tap in the next UNDO_SECONDS, or corrected
later from the timeline with a reason: either way it is withdrawn (kept, marked, audited)
and the registry's locate or clear is reopened, never deleted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import IllegalTransition, ValidationFailed
from beacon.operations import codes
from beacon.operations.models import Outcome, Target
from beacon.records import services as registry
from beacon.records.codes import Status, TransactionKind
from beacon.records.status import agency_refusal, refusal

# The registry transaction each outcome kind makes.
TRANSACTION = {
    codes.OutcomeKind.LOCATED: TransactionKind.LOCATE,
    codes.OutcomeKind.RECOVERED: TransactionKind.CLEAR,
}


@dataclass(frozen=True)
class Offer:
    """The outcome kinds an actor may record for one target, and a sentence for the rest."""

    kinds: frozenset[str]
    explanation: str


def has_outcome(target: Target) -> bool:
    """Whether the target already has its outcome (the reverse one-to-one may be absent)."""
    try:
        return target.outcome is not None
    except ObjectDoesNotExist:
        return False


def offer(actor: Actor, target: Target) -> Offer:
    """What ``actor`` can complete for ``target`` (its record and originating agency loaded)."""
    record = target.record
    originating = record.originating_agency
    kinds: set[str] = set()
    refused: dict[str, str] = {}
    for kind, step in TRANSACTION.items():
        status = Status(record.status)
        why = refusal(step, status) or agency_refusal(step, actor, originating)
        if why is None:
            kinds.add(kind)
        else:
            refused[kind] = why
    return Offer(frozenset(kinds), _explain(refused, target) if refused else "")


def _explain(refused: dict[str, str], target: Target) -> str:
    record = target.record
    agency = record.originating_agency
    if codes.OutcomeKind.RECOVERED in refused and codes.OutcomeKind.LOCATED not in refused:
        return _(
            "Only %(agency)s, which entered record %(nic)s, can record a recovery: tell them "
            "where the child is and ask them to clear it. You can record that the child was "
            "located."
        ) % {"agency": agency.name, "nic": record.nic}
    if codes.OutcomeKind.LOCATED in refused and codes.OutcomeKind.RECOVERED not in refused:
        return _(
            "Your agency entered record %(nic)s: record the recovery (it clears the record) "
            "rather than \u201clocated\u201d."
        ) % {"nic": record.nic}
    return _("No outcome can be recorded here: record %(nic)s is %(status)s in the registry.") % {
        "nic": record.nic,
        "status": record.get_status_display().lower(),
    }


# An outcome can be undone by one tap this long after it was recorded (the page shows
# the button for UNDO_SECONDS; the server allows a little more for a slow link).
UNDO_SECONDS = 10
UNDO_GRACE_SECONDS = 20
UNDO_REASON = "Undone right after it was recorded (tapped in error)."


def undo_seconds_left(outcome: Outcome, now: datetime) -> int:
    """Whole seconds left to undo ``outcome`` by one tap (0 when the window is closed)."""
    step = outcome.registry_transaction
    if step is None:
        return 0
    left = UNDO_SECONDS - (now - step.at).total_seconds()
    return max(0, math.ceil(left))


def withdraw(actor: Actor, target: Target, *, reason: str = "", undo: bool = False) -> Outcome:
    """Withdraw ``target``'s outcome, entered in error: its registry locate or clear is
    undone (reopen) and the outcome is kept, marked withdrawn with who, when and why; the
    target is outstanding again. ``undo`` is the one tap right after recording (no reason
    asked, refused once the window has closed); otherwise a reason is required (a
    correction from the timeline). Only the agency that recorded the outcome may do it."""
    policy.require(actor, Permission.OPERATIONS_RECORD, object_type="target", object_id=target.ref)
    reason = (UNDO_REASON if undo and not reason.strip() else reason).strip()
    if not reason:
        raise ValidationFailed.on("reason", _("Say why this entry is withdrawn."))
    if len(reason) > 300:
        raise ValidationFailed.on("reason", _("At most 300 characters."))
    now = timezone.now()
    with transaction.atomic():
        locked = Target.objects.select_for_update().select_related("record").get(pk=target.pk)
        outcome = (
            Outcome.objects.select_related("registry_transaction", "agency")
            .filter(target=locked)
            .first()
        )
        if outcome is None:
            raise IllegalTransition(_("This target has no outcome to withdraw."))
        if not actor.is_system and outcome.agency_id != actor.agency_id:
            raise IllegalTransition(
                _("Only %(agency)s, which recorded this outcome, may withdraw it.")
                % {"agency": outcome.agency.name}
            )
        step = outcome.registry_transaction
        late = step is None or (now - step.at).total_seconds() > UNDO_SECONDS + UNDO_GRACE_SECONDS
        if undo and late:
            raise IllegalTransition(
                _("The time to undo has passed: correct the entry from the timeline instead.")
            )
        reopened = None
        if step is not None:
            reopened = registry.reopen_record(
                actor, locked.record.nic, reverts_version=step.version, reason=reason, now=now
            )
        outcome.target = None
        outcome.withdrawn_from = locked
        outcome.withdrawn_at = now
        outcome.withdrawn_by = actor.name
        outcome.withdrawn_reason = reason
        outcome.withdrawal_transaction = reopened
        outcome.save()
        audit.record(
            actor,
            "operations.outcome_withdrawn",
            object_type="target",
            object_id=locked.ref,
            detail={
                "operation": locked.operation_id,
                "outcome": outcome.pk,
                "kind": outcome.kind,
                "how": outcome.how,
                "nic": locked.record.nic,
                "reason": reason,
                "undo": undo,
            },
        )
    return outcome
