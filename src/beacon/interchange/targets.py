"""Shared steps of the imports: match a registry record, put it on an operation's target list."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.operations.models import Operation, Target
from beacon.records.models import MissingPersonRecord


@dataclass
class ImportResult:
    """What an import wrote (counts by kind) and the records it concerns."""

    format: str
    source: str
    sha256: str
    counts: dict[str, int] = field(default_factory=dict)
    nics: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # what was left out, and why

    def count(self, kind: str, n: int = 1) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + n

    def as_dict(self) -> dict[str, object]:
        return {
            "format": self.format,
            "source": self.source,
            "sha256": self.sha256,
            "counts": self.counts,
            "nics": self.nics,
            "skipped": self.skipped,
        }


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def existing_record(
    actor: Actor, *, nic: str = "", ori: str = "", oca: str = ""
) -> tuple[MissingPersonRecord | None, str]:
    """The registry's record with this NIC (or ORI and OCA), and a problem if any.

    A record the actor may not see cannot be put on a target list from a file.
    """
    rows = MissingPersonRecord.objects.select_related("originating_agency")
    found = rows.filter(nic=nic.strip().upper()).first() if nic.strip() else None
    same = (ori.strip().upper(), oca.strip().upper())
    if found is not None and ori and oca and (found.originating_agency.ori, found.oca) != same:
        return None, f"NIC {found.nic} is another record's (its ORI and OCA differ)"
    if found is None and ori.strip() and oca.strip():
        found = rows.filter(
            originating_agency__ori=ori.strip().upper(), oca=oca.strip().upper()
        ).first()
    if found is None:
        return None, ""
    if not MissingPersonRecord.objects.visible_to(actor).filter(pk=found.pk).exists():
        return None, "already in the registry under an agency whose records you may not see"
    return found, ""


def add_target(
    actor: Actor, operation: Operation, record: MissingPersonRecord, *, source: str
) -> tuple[Target, bool]:
    """The record's target row in the operation (created, audited, when new)."""
    existing = Target.objects.filter(operation=operation, record=record).first()
    if existing is not None:
        return existing, False
    target = Target.objects.create(
        operation=operation, record=record, assigned_agency=record.originating_agency
    )
    audit.record(
        actor,
        "interchange.target_added",
        object_type="target",
        object_id=target.ref,
        detail={"operation": operation.code, "nic": record.nic, "source": source},
    )
    return target, True
