"""Changing a planned or running operation: its name, description, status, period, focus,
jurisdictions, hub (parent), series and edition, and partner agencies. Creating operations
goes through the bundle importer."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from typing import Any

from django.db import IntegrityError, OperationalError, transaction
from django.utils.translation import gettext as _

from beacon.access.permissions import Permission
from beacon.agencies.models import Agency, Jurisdiction
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import Conflict, StaleVersion, ValidationFailed
from beacon.operations import codes, visibility
from beacon.operations.bundles.reader import Reader, jurisdiction_ref_of
from beacon.operations.models import Operation, Participation, Series
from beacon.operations.services import get_operation

EDITABLE = (
    "name",
    "description",
    "status",
    "start",
    "end",
    "focus",
    "jurisdictions",
    "parent",
    "series",
    "edition",
)
REFUSED = "The operation was not changed."
# Hub chains are short (hub, sub-operation, sub-sub-operation); a longer walk is a loop.
MAX_DEPTH = 32


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
    if "jurisdictions" in changes:
        values["jurisdictions"] = _jurisdictions(changes["jurisdictions"], errors)
    if "edition" in changes:
        values["edition"] = _edition(changes["edition"], errors)
    if "series" in changes:
        values["series"] = _series(changes["series"], errors)
    series = values.get("series", operation.series)
    edition = values.get("edition", operation.edition)
    if edition is not None and series is None and not {"edition", "series"} & set(errors):
        errors["edition"] = [_("an edition belongs to a series")]
    if errors:
        raise ValidationFailed(REFUSED, fields=errors)
    return values


def _jurisdictions(value: object, errors: dict[str, list[str]]) -> list[Jurisdiction]:
    """Places as the bundle spells them (country:MX, state:NM, county:35013), in order."""
    refs = value if isinstance(value, list) else re.split(r"[,\n]", str(value or ""))
    reader, places = Reader(), []
    for raw in (str(r).strip() for r in refs):
        if not raw:
            continue
        ref = reader.jurisdiction_ref(raw, "jurisdictions")
        place = reader.resolve_jurisdiction(ref) if ref else None
        if place is not None and place not in places:
            places.append(place)
    if reader.problems:
        errors["jurisdictions"] = [p.reason for p in reader.problems]
    return places


def _edition(value: object, errors: dict[str, list[str]]) -> int | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= 32767:
        errors["edition"] = [_("a whole number from 1")]
        return None
    return int(text)


def _series(value: object, errors: dict[str, list[str]]) -> Series | None:
    code = str(value or "").strip()
    if not code:
        return None
    found = Series.objects.filter(code=code).first()
    if found is None:
        errors["series"] = [_("unknown series %(code)s") % {"code": code}]
    return found


def _hub(actor: Actor, operation: Operation, value: object) -> Operation | None:
    """The new hub: visible to the editor (policy), never the operation itself nor one of
    its sub-operations (a hub of its hub). Locks the chain of hubs above it, so two edits
    cannot close a loop between them."""
    code = str(value or "").strip()
    if not code:
        return None
    if code.upper() == operation.code.upper():
        raise ValidationFailed(
            REFUSED, fields={"parent": [_("an operation cannot be its own hub")]}
        )
    hub = Operation.objects.visible_to(actor).filter(code__iexact=code).first()
    if hub is None:
        raise ValidationFailed(
            REFUSED, fields={"parent": [_("no visible operation %(code)s") % {"code": code}]}
        )
    step = Operation.objects.select_for_update().get(pk=hub.pk)
    for _depth in range(MAX_DEPTH):
        if step.pk == operation.pk:
            raise ValidationFailed(
                REFUSED,
                fields={
                    "parent": [_("%(hub)s is under this operation: a loop") % {"hub": hub.code}]
                },
            )
        if step.parent_id is None:
            return hub
        step = Operation.objects.select_for_update().get(pk=step.parent_id)
    raise ValidationFailed(REFUSED, fields={"parent": [_("the chain of hubs is too long")]})


def _shown(field: str, value: object) -> object:
    """A value as the audit trail shows it (codes and references, not objects)."""
    if field == "jurisdictions":
        return [jurisdiction_ref_of(j) for j in value]  # type: ignore[attr-defined]
    if isinstance(value, Operation | Series):
        return value.code
    return str(value) if value is not None else None


def fingerprint(operation: Operation) -> str:
    """A digest of the operation's editable state. A form sends back the one it was drawn
    from, so an edit made on a page someone else has changed since is refused (412)."""
    places = Operation.jurisdictions.through.objects.filter(operation=operation).order_by("pk")
    state = [
        operation.name,
        operation.description,
        operation.status,
        operation.start,
        operation.end,
        list(operation.focus),
        operation.parent_id,
        operation.series_id,
        operation.edition,
        list(places.values_list("jurisdiction_id", flat=True)),
    ]
    return hashlib.sha256(json.dumps(state, default=str).encode()).hexdigest()[:20]


def update_operation(
    actor: Actor,
    code: str,
    changes: dict[str, Any],
    *,
    add_partners: list[str] | None = None,
    expected: str | None = None,
) -> Operation:
    """Apply ``changes`` (fields of EDITABLE) and add partner agencies by ORI; all or nothing,
    audited with before and after. Only the operation's own agencies may change it.

    ``jurisdictions`` replaces the list (references such as state:NM); ``parent`` is the
    hub's code ("" for none), which the editor must be able to see and which may not be
    the operation or one below it; ``series`` (code, "" for none) and ``edition`` must not
    name an edition another operation already is. With ``expected`` (the ``fingerprint``
    the form was drawn from), an operation changed since is refused (StaleVersion, 412)."""
    operation = get_operation(actor, code)
    visibility.require_operation_agency(actor, operation, Permission.OPERATIONS_MANAGE)
    values = _clean(operation, changes)
    partners = [ori.strip().upper() for ori in add_partners or [] if ori.strip()]
    agencies = {a.ori: a for a in Agency.objects.filter(ori__in=partners)}
    missing = [ori for ori in partners if ori not in agencies]
    if missing:
        raise ValidationFailed(
            REFUSED, fields={"partners": [f"no agency with ORI {ori}" for ori in missing]}
        )
    try:
        with transaction.atomic():
            return _write(actor, operation, changes, values, partners, agencies, expected)
    except OperationalError:
        # PostgreSQL ends one of two edits that lock each other's hubs (a deadlock).
        raise Conflict(
            _("Another change to these operations was being saved; try again.")
        ) from None


def _write(
    actor: Actor,
    operation: Operation,
    changes: dict[str, Any],
    values: dict[str, Any],
    partners: list[str],
    agencies: dict[str, Agency],
    expected: str | None,
) -> Operation:
    locked = (
        Operation.objects.select_for_update(of=("self",))  # not the nullable hub and series
        .select_related("parent", "series")
        .get(pk=operation.pk)
    )
    if expected and fingerprint(locked) != expected:
        raise StaleVersion(
            _("Someone changed this operation since you opened it; check and save again.")
        )
    if "parent" in changes:
        current = locked.parent.code if locked.parent else ""
        wanted = str(changes["parent"] or "").strip()
        if wanted.upper() != current.upper():  # keeping a hub the editor cannot see is fine
            values["parent"] = _hub(actor, locked, wanted)
    places = values.pop("jurisdictions", None)
    series, edition = values.get("series", locked.series), values.get("edition", locked.edition)
    if series is not None and edition is not None and ("series" in values or "edition" in values):
        taken = Operation.objects.filter(series=series, edition=edition).exclude(pk=locked.pk)
        if taken.exists():
            raise ValidationFailed(
                REFUSED,
                fields={
                    "edition": [
                        _("%(series)s already has an edition %(edition)s")
                        % {"series": series.code, "edition": edition}
                    ]
                },
            )
    diff = {
        field: {"before": _shown(field, getattr(locked, field)), "after": _shown(field, value)}
        for field, value in values.items()
        if getattr(locked, field) != value
    }
    if places is not None:
        links = Operation.jurisdictions.through.objects.filter(operation=locked).order_by("pk")
        before = [link.jurisdiction for link in links.select_related("jurisdiction")]
        if before != places:
            diff["jurisdictions"] = {
                "before": _shown("jurisdictions", before),
                "after": _shown("jurisdictions", places),
            }
            locked.jurisdictions.clear()
            for place in places:  # one by one: the given order is kept (as the importer does)
                locked.jurisdictions.add(place)
    for field, value in values.items():
        setattr(locked, field, value)
    if values:
        try:
            with transaction.atomic():  # a savepoint: a late unique (series, edition) is a 422
                locked.save(update_fields=list(values))
        except IntegrityError:
            raise ValidationFailed(
                REFUSED, fields={"edition": [_("this series already has that edition")]}
            ) from None
    added = []
    for ori in partners:
        _participation, made = Participation.objects.get_or_create(
            operation=locked, agency=agencies[ori], defaults={"role": codes.ParticipantRole.PARTNER}
        )
        if made:
            added.append(ori)
    audit.record(
        actor,
        "operations.modify",
        object_type="operation",
        object_id=locked.code,
        detail={"changes": diff, "partners_added": added},
    )
    return locked
