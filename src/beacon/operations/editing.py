"""Changing a planned or running operation: its name, description, status, period, focus
and partner agencies. Creating operations goes through the bundle importer."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.agencies.models import Agency
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import ValidationFailed
from beacon.operations import codes
from beacon.operations.models import Operation, Participation
from beacon.operations.services import get_operation

EDITABLE = ("name", "description", "status", "start", "end", "focus")


def _date(value: object, field: str, errors: dict[str, list[str]]) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.setdefault(field, []).append("a date as YYYY-MM-DD")
        return None


def _clean(operation: Operation, changes: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(changes) - set(EDITABLE))
    for field in unknown:
        errors[field] = ["this field cannot be changed here"]
    values: dict[str, Any] = {}
    if "name" in changes:
        name = str(changes["name"]).strip()
        if not name or len(name) > 200:
            errors["name"] = ["required, at most 200 characters"]
        values["name"] = name
    if "description" in changes:
        values["description"] = str(changes["description"]).strip()
    if "status" in changes:
        if changes["status"] not in codes.Status.values:
            errors["status"] = [f"one of {', '.join(codes.Status.values)}"]
        values["status"] = changes["status"]
    if "focus" in changes:
        focus = [str(f) for f in changes["focus"]]
        if any(f not in codes.Focus.values for f in focus):
            errors["focus"] = [f"each one of {', '.join(codes.Focus.values)}"]
        values["focus"] = focus
    if "start" in changes:
        start = _date(changes["start"], "start", errors)
        if start is None and "start" not in errors:
            errors["start"] = ["this field is required"]
        values["start"] = start
    if "end" in changes:
        values["end"] = _date(changes["end"], "end", errors)
    start, end = values.get("start", operation.start), values.get("end", operation.end)
    if start and end and end < start and "end" not in errors:
        errors["end"] = ["the end comes before the start"]
    if errors:
        raise ValidationFailed("The operation was not changed.", fields=errors)
    return values


def update_operation(
    actor: Actor, code: str, changes: dict[str, Any], *, add_partners: list[str] | None = None
) -> Operation:
    """Apply ``changes`` (fields of EDITABLE) and add partner agencies by ORI; all or nothing,
    audited with before and after. Only the operation's own agencies may change it."""
    operation = get_operation(actor, code)
    policy.require_operation_agency(actor, operation, Permission.OPERATIONS_MANAGE)
    values = _clean(operation, changes)
    partners = [ori.strip().upper() for ori in add_partners or [] if ori.strip()]
    agencies = {a.ori: a for a in Agency.objects.filter(ori__in=partners)}
    missing = [ori for ori in partners if ori not in agencies]
    if missing:
        raise ValidationFailed(
            "The operation was not changed.",
            fields={"partners": [f"no agency with ORI {ori}" for ori in missing]},
        )
    with transaction.atomic():
        diff = {
            field: {"before": str(getattr(operation, field)), "after": str(value)}
            for field, value in values.items()
            if getattr(operation, field) != value
        }
        for field, value in values.items():
            setattr(operation, field, value)
        if values:
            operation.save(update_fields=list(values))
        added = []
        for ori in partners:
            _participation, made = Participation.objects.get_or_create(
                operation=operation,
                agency=agencies[ori],
                defaults={"role": codes.ParticipantRole.PARTNER},
            )
            if made:
                added.append(ori)
        audit.record(
            actor,
            "operations.modify",
            object_type="operation",
            object_id=operation.code,
            detail={"changes": diff, "partners_added": added},
        )
    return operation
