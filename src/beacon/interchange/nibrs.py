"""NIBRS offence codes and clearance in an operation, and the counts a report gives:
offences cleared next to people arrested (different counts: one arrest may clear
several offences, several arrests one offence).

An offence (``interchange.Offense``) has a NIBRS code (64A, 64B, 40A, 40B, 40C...),
may belong to an investigation, and is cleared by arrest (linked to the arrests that
cleared it) or exceptionally (A-E). The offence list travels as a JSON document of
offence segments (export, import all-or-nothing). Rules: docs/formats/nibrs.md.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import IllegalTransition, NotVisible, ValidationFailed
from beacon.interchange import codes
from beacon.interchange.errors import Collector, Progress
from beacon.interchange.models import Offense
from beacon.interchange.targets import ImportResult, digest
from beacon.operations.models import Arrest, Investigation, Operation
from beacon.operations.services import get_operation

FORMAT = "nibrs"
DOCUMENT = "beacon-nibrs-offenses"
VERSION = 1
CLEARANCES = tuple(codes.Clearance.values)


def _scope(operation: Operation) -> list[int]:
    """The operation and its sub-operations (a hub reports its states' results)."""
    return [operation.pk, *operation.sub_operations.values_list("pk", flat=True)]


def _arrests(operation: Operation) -> QuerySet[Arrest]:
    return Arrest.objects.filter(operation_id__in=_scope(operation))


def _check_clearance(
    clearance: str, arrests: list[Arrest], cleared_on: date | None, where: str, errors: Collector
) -> None:
    if clearance not in CLEARANCES:
        errors.add(0, f"{where}clearance", f"one of {', '.join(CLEARANCES)}")
    elif clearance == codes.Clearance.ARREST and not arrests:
        errors.add(0, f"{where}arrests", "a clearance by arrest names at least one arrest")
    elif clearance != codes.Clearance.ARREST and arrests:
        errors.add(0, f"{where}arrests", "only a clearance by arrest lists arrests")
    if clearance != codes.Clearance.NOT_CLEARED and cleared_on is None:
        errors.add(0, f"{where}clearedOn", "give the date the offence was cleared")
    if cleared_on is not None and cleared_on > timezone.localdate():
        errors.add(0, f"{where}clearedOn", "cannot be in the future")


def record_offense(
    actor: Actor,
    operation: str,
    *,
    code: str,
    investigation: str = "",
    clearance: str = codes.Clearance.NOT_CLEARED,
    arrests: list[str] | None = None,
    cleared_on: date | None = None,
) -> Offense:
    """Record an offence of the operation, with its clearance if already known."""
    policy.require(
        actor, Permission.OPERATIONS_RECORD, object_type="operation", object_id=operation
    )
    op = get_operation(actor, operation)
    errors = Collector("NIBRS")
    if code not in codes.NibrsOffense.values:
        errors.add(0, "code", f"one of {', '.join(codes.NibrsOffense.values)}")
    found = _arrests(op).filter(ref__in=arrests or [])
    if len(set(arrests or [])) != found.count():
        errors.add(0, "arrests", "every arrest must be one of this operation's")
    inquiry = None
    if investigation:
        inquiry = Investigation.objects.filter(
            operation_id__in=_scope(op), ref=investigation
        ).first()
        if inquiry is None:
            errors.add(0, "investigation", "not an investigation of this operation")
    _check_clearance(clearance, list(found), cleared_on, "", errors)
    if errors.errors:
        raise ValidationFailed(
            "The offence is not valid.", fields={e.field: [e.message] for e in errors.errors}
        )
    with transaction.atomic():
        offense = Offense.objects.create(
            operation=op,
            investigation=inquiry,
            code=code,
            clearance=clearance,
            cleared_on=cleared_on,
        )
        offense.arrests.set(found)
        _audit(actor, "nibrs.offense_recorded", offense)
    return offense


def clear_offense(
    actor: Actor,
    operation: str,
    ref: str,
    *,
    clearance: str,
    cleared_on: date,
    arrests: list[str] | None = None,
) -> Offense:
    """Clear an open offence by arrest (naming the arrests) or exceptionally (A-E)."""
    policy.require(actor, Permission.OPERATIONS_RECORD, object_type="offense", object_id=ref)
    op = get_operation(actor, operation)
    with transaction.atomic():
        offense = Offense.objects.select_for_update().filter(operation=op, ref=ref).first()
        if offense is None:
            raise NotVisible()
        if offense.clearance != codes.Clearance.NOT_CLEARED:
            raise IllegalTransition(f"The offence is already cleared ({offense.clearance}).")
        found = list(_arrests(op).filter(ref__in=arrests or []))
        errors = Collector("NIBRS")
        if len(set(arrests or [])) != len(found):
            errors.add(0, "arrests", "every arrest must be one of this operation's")
        if clearance == codes.Clearance.NOT_CLEARED:
            errors.add(0, "clearance", "give how the offence was cleared")
        _check_clearance(clearance, found, cleared_on, "", errors)
        if errors.errors:
            raise ValidationFailed(
                "The clearance is not valid.", fields={e.field: [e.message] for e in errors.errors}
            )
        offense.clearance, offense.cleared_on = clearance, cleared_on
        offense.save(update_fields=["clearance", "cleared_on"])
        offense.arrests.set(found)
        _audit(actor, "nibrs.offense_cleared", offense)
    return offense


def _audit(actor: Actor, action: str, offense: Offense) -> None:
    audit.record(
        actor,
        action,
        object_type="offense",
        object_id=offense.ref,
        detail={
            "operation": offense.operation.code,
            "code": offense.code,
            "clearance": offense.clearance,
            "cleared_on": offense.cleared_on,
            "arrests": sorted(a.ref for a in offense.arrests.all()),
        },
    )


# ------------------------------------------------------------------ the report's counts


@dataclass
class CodeCounts:
    code: str
    label: str
    offenses: int = 0
    cleared_by_arrest: int = 0
    cleared_exceptionally: int = 0
    arrests: int = 0  # arrest events charged with this code

    @property
    def cleared(self) -> int:
        return self.cleared_by_arrest + self.cleared_exceptionally


@dataclass
class NibrsSummary:
    """Offences cleared next to people arrested, for one operation and its sub-operations."""

    operation: str
    offenses: int = 0
    offenses_cleared: int = 0
    cleared_by_arrest: int = 0
    cleared_exceptionally: dict[str, int] = field(default_factory=dict)
    arrests: int = 0
    people_arrested: int = 0
    by_code: list[CodeCounts] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for row, counts in zip(out["by_code"], self.by_code, strict=True):
            row["cleared"] = counts.cleared
        return out


def offense_summary(actor: Actor, operation: str) -> NibrsSummary:
    """The counts, computed from offences and arrests (aggregates only: no names)."""
    policy.require(
        actor, Permission.OPERATIONS_REPORT, object_type="operation", object_id=operation
    )
    op = get_operation(actor, operation)
    return summarise_offenses(op.code, _scope(op))


def summarise_offenses(operation_code: str, scope: list[int]) -> NibrsSummary:
    """Counts over operations already resolved (and allowed) by the caller, e.g. a report."""
    summary = NibrsSummary(operation_code)
    by_code: dict[str, CodeCounts] = {}

    def row(code: str) -> CodeCounts:
        if code not in by_code:
            by_code[code] = CodeCounts(code, str(codes.NibrsOffense(code).label))
        return by_code[code]

    for code, clearance in Offense.objects.filter(operation_id__in=scope).values_list(
        "code", "clearance"
    ):
        counts = row(code)
        counts.offenses += 1
        summary.offenses += 1
        if clearance == codes.Clearance.ARREST:
            counts.cleared_by_arrest += 1
            summary.cleared_by_arrest += 1
        elif clearance in codes.EXCEPTIONAL:
            counts.cleared_exceptionally += 1
            summary.cleared_exceptionally[clearance] = (
                summary.cleared_exceptionally.get(clearance, 0) + 1
            )
    summary.offenses_cleared = summary.cleared_by_arrest + sum(
        summary.cleared_exceptionally.values()
    )
    arrests = Arrest.objects.filter(operation_id__in=scope)
    summary.arrests = arrests.count()
    summary.people_arrested = arrests.values("person_id").distinct().count()
    for code in arrests.exclude(nibrs="").values_list("nibrs", flat=True):
        row(code).arrests += 1
    summary.by_code = [by_code[c] for c in sorted(by_code)]
    return summary


# ------------------------------------------------------------------ offence segments out and in


def export_nibrs(actor: Actor, operation: str) -> dict[str, Any]:
    """The operation's offences with their clearance and the arrests that cleared them."""
    policy.require(
        actor, Permission.OPERATIONS_EXPORT, object_type="operation", object_id=operation
    )
    op = get_operation(actor, operation)
    offenses = (
        Offense.objects.filter(operation=op)
        .select_related("investigation")
        .prefetch_related("arrests")
        .order_by("id")
    )
    rows = [
        {
            "ref": o.ref,
            "code": o.code,
            "investigation": o.investigation.ref if o.investigation else "",
            "clearance": o.clearance,
            "clearedOn": o.cleared_on.isoformat() if o.cleared_on else None,
            "arrests": sorted(a.ref for a in o.arrests.all()),
        }
        for o in offenses
    ]
    with transaction.atomic():
        audit.record(
            actor,
            "interchange.export",
            object_type="operation",
            object_id=op.code,
            detail={"format": FORMAT, "offenses": [r["ref"] for r in rows]},
        )
    return {"format": DOCUMENT, "version": VERSION, "operation": op.code, "offenses": rows}


def _day(value: Any, path: str, errors: Collector) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.add(0, path, f"{value!r} is not a date (YYYY-MM-DD)")
        return None


def import_nibrs(
    actor: Actor,
    operation: str,
    data: bytes,
    *,
    source: str = "nibrs.json",
    progress: Progress | None = None,
) -> ImportResult:
    """Offences of a document into the operation, all or nothing. An offence whose ref
    exists is left as it is when identical, and refused when it differs."""
    policy.require(
        actor, Permission.OPERATIONS_RECORD, object_type="operation", object_id=operation
    )
    op = get_operation(actor, operation)
    errors = Collector("NIBRS")
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", 1)
        errors.add(line, f"column {getattr(exc, 'colno', 1)}", f"not valid JSON: {exc}")
        errors.raise_if_any()
    if not isinstance(document, dict) or document.get("format") != DOCUMENT:
        raise ValidationFailed.on("format", f'the document\'s format must be "{DOCUMENT}"')
    rows = document.get("offenses")
    if not isinstance(rows, list):
        raise ValidationFailed.on("offenses", "must be a list")
    arrests = {a.ref: a for a in _arrests(op)}
    inquiries = {i.ref: i for i in Investigation.objects.filter(operation_id__in=_scope(op))}
    existing = {o.ref: o for o in Offense.objects.filter(operation=op).prefetch_related("arrests")}
    plan: list[dict[str, Any]] = []
    seen: set[str] = set()
    result = ImportResult(FORMAT, source, digest(data))
    for i, row in enumerate(rows):
        path = f"offenses[{i}]."
        if not isinstance(row, dict):
            errors.add(0, f"offenses[{i}]", "must be an object")
            continue
        ref = str(row.get("ref") or "")
        code = str(row.get("code") or "")
        clearance = str(row.get("clearance") or codes.Clearance.NOT_CLEARED)
        refs = row.get("arrests") or []
        if not ref or len(ref) > 40 or ref in seen:
            errors.add(0, f"{path}ref", "give a unique reference (at most 40 characters)")
        seen.add(ref)
        if code not in codes.NibrsOffense.values:
            errors.add(0, f"{path}code", f"one of {', '.join(codes.NibrsOffense.values)}")
        if not isinstance(refs, list) or any(r not in arrests for r in refs):
            errors.add(0, f"{path}arrests", "every arrest must be one of this operation's")
            refs = []
        inquiry_ref = str(row.get("investigation") or "")
        if inquiry_ref and inquiry_ref not in inquiries:
            errors.add(0, f"{path}investigation", "not an investigation of this operation")
        cleared_on = _day(row.get("clearedOn"), f"{path}clearedOn", errors)
        _check_clearance(clearance, [arrests[r] for r in refs], cleared_on, path, errors)
        values: dict[str, Any] = {
            "ref": ref,
            "code": code,
            "investigation": inquiries.get(inquiry_ref),
            "clearance": clearance,
            "cleared_on": cleared_on,
            "arrests": sorted(refs),
        }
        old = existing.get(ref)
        if old is not None:
            same = (
                old.code,
                old.investigation_id,
                old.clearance,
                old.cleared_on,
                sorted(a.ref for a in old.arrests.all()),
            ) == (
                code,
                getattr(values["investigation"], "pk", None),
                clearance,
                cleared_on,
                sorted(refs),
            )
            if not same:
                errors.add(0, f"{path}ref", "an offence with this ref exists and differs")
            result.count("offenses_unchanged")
            continue
        plan.append(values)
    errors.raise_if_any()
    with transaction.atomic():
        for done, values in enumerate(plan, start=1):
            if progress:
                progress("write", done, len(plan))
            offense = Offense.objects.create(
                operation=op,
                ref=values["ref"],
                code=values["code"],
                investigation=values["investigation"],
                clearance=values["clearance"],
                cleared_on=values["cleared_on"],
            )
            offense.arrests.set([arrests[r] for r in values["arrests"]])
            result.count("offenses_recorded")
        audit.record(
            actor,
            "interchange.import",
            object_type="operation",
            object_id=op.code,
            detail={k: v for k, v in result.as_dict().items() if k != "nics"},
        )
    return result
