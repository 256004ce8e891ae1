"""Which outcome taps an actor can complete for a target, and why not the others.

An outcome is a registry transaction: "recovered" clears the record, which only the
agency that entered it may do; "located" is what every other agency reports, and the
originating agency clears its own record instead. A button that the registry would
refuse is not offered: the row says in words who can record it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from beacon.core.actor import Actor
from beacon.operations import codes
from beacon.operations.models import Target
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
    for kind, transaction in TRANSACTION.items():
        status = Status(record.status)
        why = refusal(transaction, status) or agency_refusal(transaction, actor, originating)
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
