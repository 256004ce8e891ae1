"""Local metrics added without code (docs/metrics.md): checked like a bundle's, stored,
audited; the CLI (``beacon metrics add``) and the API call the same function."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import ValidationFailed
from beacon.operations.catalogue import builtin, entry_problems
from beacon.operations.models import Amendment, LocalMetric


def add_local_metrics(
    actor: Actor, entries: dict[str, Any], *, amend: bool = False, reason: str = ""
) -> dict[str, list[str]]:
    """Store local metrics ({id: entry}), all or none; an existing one with a different
    entry is refused unless ``amend`` (then its previous entry is kept)."""
    policy.require(actor, Permission.OPERATIONS_MANAGE, object_type="metric")
    if not isinstance(entries, dict) or not entries:
        raise ValidationFailed.on("metrics", "give one or more local metrics")
    fields: dict[str, list[str]] = {}
    for code, entry in entries.items():
        for name, why in entry_problems(code, entry, builtin()):
            fields.setdefault(f"{code}.{name}" if name else code, []).append(why)
    existing = {m.code: m for m in LocalMetric.objects.filter(code__in=list(entries))}
    for code, entry in entries.items():
        found = existing.get(code)
        if found is not None and found.entry != entry and not amend:
            fields.setdefault(code, []).append(
                "already defined differently: add it with --amend to replace it"
            )
    if fields:
        raise ValidationFailed("The metrics were refused; nothing was stored.", fields=fields)
    out: dict[str, list[str]] = {"created": [], "amended": [], "unchanged": []}
    with transaction.atomic():
        for code, entry in entries.items():
            found = existing.get(code)
            if found is None:
                LocalMetric.objects.create(code=code, entry=entry)
                out["created"].append(code)
            elif found.entry == entry:
                out["unchanged"].append(code)
            else:
                Amendment.objects.create(
                    section="metrics",
                    key=code,
                    before=found.entry,
                    after=entry,
                    reason=reason,
                    actor=str(getattr(actor, "username", "") or actor),
                )
                found.entry = entry
                found.save(update_fields=["entry"])
                out["amended"].append(code)
        audit.record(actor, "operations.metrics", object_type="metric", detail=out)
    return out
