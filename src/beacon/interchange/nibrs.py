"""NIBRS incidents, their offences and clearance in an operation, and the counts a
report gives: offences cleared next to people arrested (different counts: one arrest
may clear an incident of several offences, several arrests one offence).

NIBRS clears an **incident**, not each offence: an incident (``interchange.Incident``)
is cleared by arrest when it lists arrests, or exceptionally (Data Element 4: A-E, with
its date), and is otherwise open (N, not applicable); its offences (``Offense``: 64A,
64B, 40A...) are cleared with it. The incidents travel as a JSON document (export,
import all-or-nothing). Rules: docs/formats/nibrs.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
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
from beacon.interchange.targets import ImportResult, digest
from beacon.operations.bundles.sharing import people_withheld
from beacon.operations.models import Arrest, Incident, Investigation, Offense, Operation
from beacon.operations.nibrs import NibrsSummary, status, summarise_offenses
from beacon.operations.services import get_operation

FORMAT = "nibrs"
DOCUMENT = "beacon-nibrs-offenses"
VERSION = 2
EXCEPTIONAL = tuple(codes.ExceptionalClearance.values)  # N, A-E
NOT_APPLICABLE = codes.ExceptionalClearance.NOT_APPLICABLE.value


def _scope(operation: Operation) -> list[int]:
    """The operation and its sub-operations (a hub reports its states' results)."""
    return [operation.pk, *operation.sub_operations.values_list("pk", flat=True)]


def _arrests(operation: Operation) -> QuerySet[Arrest]:
    return Arrest.objects.filter(operation_id__in=_scope(operation))


def clearance_of(incident: Incident) -> str:
    return status(incident.arrests.exists(), incident.exceptional)


def _check_clearance(
    exceptional: str, arrests: list[Arrest], cleared_on: date | None, where: str, errors: Collector
) -> None:
    """NIBRS: exceptional clearance A-E has a date and no arrest; an incident with an
    arrest is cleared by arrest (N)."""
    if exceptional not in EXCEPTIONAL:
        errors.add(0, f"{where}exceptionalClearance", f"one of {', '.join(EXCEPTIONAL)}")
    elif exceptional != NOT_APPLICABLE and arrests:
        errors.add(0, f"{where}arrests", "an incident cleared exceptionally (A-E) lists no arrest")
    if exceptional in EXCEPTIONAL and exceptional != NOT_APPLICABLE and cleared_on is None:
        errors.add(0, f"{where}exceptionalClearanceDate", "give the date it was cleared")
    if exceptional == NOT_APPLICABLE and cleared_on is not None:
        errors.add(
            0, f"{where}exceptionalClearanceDate", "only an exceptional clearance has a date"
        )
    if cleared_on is not None and cleared_on > timezone.localdate():
        errors.add(0, f"{where}exceptionalClearanceDate", "cannot be in the future")


def _raise(errors: Collector, message: str) -> None:
    if errors.errors:
        raise ValidationFailed(message, fields={e.field: [e.message] for e in errors.errors})


def record_incident(
    actor: Actor,
    operation: str,
    *,
    offenses: list[str],
    investigation: str = "",
    arrests: list[str] | None = None,
    exceptional: str = NOT_APPLICABLE,
    cleared_on: date | None = None,
) -> Incident:
    """Record an incident with its offences (NIBRS codes), cleared already or not."""
    policy.require(
        actor, Permission.OPERATIONS_RECORD, object_type="operation", object_id=operation
    )
    op = get_operation(actor, operation)
    errors = Collector("NIBRS")
    if not offenses:
        errors.add(0, "offenses", "an incident has at least one offence")
    for i, code in enumerate(offenses):
        if code not in codes.NibrsOffense.values:
            errors.add(0, f"offenses[{i}]", f"one of {', '.join(codes.NibrsOffense.values)}")
    found = list(_arrests(op).filter(ref__in=arrests or []))
    if len(set(arrests or [])) != len(found):
        errors.add(0, "arrests", "every arrest must be one of this operation's")
    inquiry = None
    if investigation:
        inquiry = Investigation.objects.filter(
            operation_id__in=_scope(op), ref=investigation
        ).first()
        if inquiry is None:
            errors.add(0, "investigation", "not an investigation of this operation")
    _check_clearance(exceptional, found, cleared_on, "", errors)
    _raise(errors, "The incident is not valid.")
    with transaction.atomic():
        incident = Incident.objects.create(
            operation=op, investigation=inquiry, exceptional=exceptional, cleared_on=cleared_on
        )
        incident.arrests.set(found)
        for code in offenses:
            Offense.objects.create(operation=op, incident=incident, code=code)
        _audit(actor, "nibrs.incident_recorded", incident)
    return incident


def record_offense(actor: Actor, operation: str, *, code: str, incident: str = "") -> Offense:
    """Add an offence to an incident of the operation (by ref), or record it as the only
    offence of a new, open incident."""
    if not incident:
        return record_incident(actor, operation, offenses=[code]).offenses.get()
    policy.require(
        actor, Permission.OPERATIONS_RECORD, object_type="operation", object_id=operation
    )
    op = get_operation(actor, operation)
    if code not in codes.NibrsOffense.values:
        raise ValidationFailed.on("code", f"one of {', '.join(codes.NibrsOffense.values)}")
    with transaction.atomic():
        found = Incident.objects.select_for_update().filter(operation=op, ref=incident).first()
        if found is None:
            raise NotVisible()
        # A cleared incident's offences were all cleared with it: a new one would be
        # counted cleared by an arrest or a decision that never concerned it.
        if clearance_of(found) != codes.Clearance.NOT_CLEARED:
            raise IllegalTransition(f"The incident is already cleared ({clearance_of(found)}).")
        offense = Offense.objects.create(operation=op, incident=found, code=code)
        _audit(actor, "nibrs.incident_recorded", found)
    return offense


def clear_incident(
    actor: Actor,
    operation: str,
    ref: str,
    *,
    arrests: list[str] | None = None,
    exceptional: str = NOT_APPLICABLE,
    cleared_on: date | None = None,
) -> Incident:
    """Clear an open incident, and so every offence of it: by arrest (naming the arrests)
    or exceptionally (A-E, with the date)."""
    policy.require(actor, Permission.OPERATIONS_RECORD, object_type="incident", object_id=ref)
    op = get_operation(actor, operation)
    with transaction.atomic():
        incident = Incident.objects.select_for_update().filter(operation=op, ref=ref).first()
        if incident is None:
            raise NotVisible()
        if clearance_of(incident) != codes.Clearance.NOT_CLEARED:
            raise IllegalTransition(f"The incident is already cleared ({clearance_of(incident)}).")
        found = list(_arrests(op).filter(ref__in=arrests or []))
        errors = Collector("NIBRS")
        if len(set(arrests or [])) != len(found):
            errors.add(0, "arrests", "every arrest must be one of this operation's")
        if not found and exceptional == NOT_APPLICABLE:
            errors.add(0, "arrests", "name the arrests, or clear it exceptionally (A-E)")
        _check_clearance(exceptional, found, cleared_on, "", errors)
        _raise(errors, "The clearance is not valid.")
        incident.exceptional, incident.cleared_on = exceptional, cleared_on
        incident.save(update_fields=["exceptional", "cleared_on"])
        incident.arrests.set(found)
        _audit(actor, "nibrs.incident_cleared", incident)
    return incident


def _audit(actor: Actor, action: str, incident: Incident) -> None:
    arrests = sorted(a.ref for a in incident.arrests.all())
    audit.record(
        actor,
        action,
        object_type="incident",
        object_id=incident.ref,
        detail={
            "operation": incident.operation.code,
            "offenses": sorted(o.code for o in incident.offenses.all()),
            "clearance": clearance_of(incident),
            "cleared_on": incident.cleared_on,
            "arrests": arrests,
        },
    )


# ------------------------------------------------------------------ the report's counts


def offense_summary(actor: Actor, operation: str) -> NibrsSummary:
    """The counts, computed from offences and arrests (aggregates only: no names)."""
    policy.require(
        actor, Permission.OPERATIONS_REPORT, object_type="operation", object_id=operation
    )
    op = get_operation(actor, operation)
    return summarise_offenses(op.code, _scope(op))


# ------------------------------------------------------------------ incidents out and in


def _incident_row(incident: Incident) -> dict[str, Any]:
    return {
        "ref": incident.ref,
        "investigation": incident.investigation.ref if incident.investigation else "",
        "arrests": sorted(a.ref for a in incident.arrests.all()),
        "exceptionalClearance": incident.exceptional,
        "exceptionalClearanceDate": incident.cleared_on.isoformat()
        if incident.cleared_on
        else None,
        "offenses": [{"ref": o.ref, "code": o.code} for o in incident.offenses.all()],
    }


def incident_document(incident: Incident) -> dict[str, Any]:
    """One incident as the export writes it, with its clearance (by arrest, exceptional
    or none): what the API answers when an incident is recorded, added to or cleared."""
    return {**_incident_row(incident), "clearance": clearance_of(incident)}


def export_nibrs(actor: Actor, operation: str) -> dict[str, Any]:
    """The operation's incidents: their offences, clearance and the arrests that cleared
    them. The document leaves the actor's organisation, so an incident with an arrest of
    a person who is the subject of a registry record that may not leave (TLP 2.0,
    ``may_share_outside``) is withheld, counted and audited."""
    policy.require(
        actor, Permission.OPERATIONS_EXPORT, object_type="operation", object_id=operation
    )
    op = get_operation(actor, operation)
    incidents = list(
        Incident.objects.filter(operation=op)
        .select_related("investigation")
        .prefetch_related("arrests", "offenses")
        .order_by("id")
    )
    # The same rule as bundles and HTCDS (operations.bundles.sharing): an arrestee who is
    # the subject of a record that may not leave, in any operation, is not named.
    held = people_withheld(actor, [a.person_id for i in incidents for a in i.arrests.all()])
    withheld = [i.ref for i in incidents if any(a.person_id in held for a in i.arrests.all())]
    rows = [_incident_row(i) for i in incidents if i.ref not in withheld]
    with transaction.atomic():
        audit.record(
            actor,
            "interchange.export",
            object_type="operation",
            object_id=op.code,
            detail={
                "format": FORMAT,
                "incidents": [r["ref"] for r in rows],
                "offenses": [o["ref"] for r in rows for o in r["offenses"]],
                "withheld_tlp": withheld,
            },
        )
    return {
        "format": DOCUMENT,
        "version": VERSION,
        "operation": op.code,
        "incidents": rows,
        "withheld": {"tlp": len(withheld)},
    }


def _day(value: Any, path: str, errors: Collector) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.add(0, path, f"{value!r} is not a date (YYYY-MM-DD)")
        return None


def _from_version_1(rows: list[Any]) -> list[tuple[str, Any]]:
    """Version 1 listed offences, each with its own clearance: each becomes the only
    offence of an incident (paths stay the version 1 document's)."""
    out: list[tuple[str, Any]] = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            out.append((f"offenses[{i}]", row))
            continue
        clearance = str(row.get("clearance") or codes.Clearance.NOT_CLEARED)
        exceptional = clearance if clearance in codes.EXCEPTIONAL else NOT_APPLICABLE
        if clearance not in (*codes.EXCEPTIONAL, "arrest", "none"):
            exceptional = clearance  # refused by the incident's check, by name
        arrests = row.get("arrests") or []
        incident = {
            "ref": f"inc-{row.get('ref') or ''}"[:40],
            "investigation": row.get("investigation") or "",
            "arrests": arrests,
            "exceptionalClearance": exceptional,
            "exceptionalClearanceDate": row.get("clearedOn") if exceptional != "N" else None,
            "offenses": [{"ref": row.get("ref"), "code": row.get("code")}],
        }
        if clearance == codes.Clearance.ARREST and not arrests:
            incident["arrests"] = None  # "by arrest" without an arrest
        out.append((f"offenses[{i}]", incident))
    return out


@dataclass
class _Plan:
    ref: str
    investigation: Investigation | None
    arrests: list[str]
    exceptional: str
    cleared_on: date | None
    offenses: list[tuple[str, str]]  # (ref, code)


def _read_incident(
    path: str,
    row: Any,
    arrests: dict[str, Arrest],
    inquiries: dict[str, Investigation],
    seen: set[str],
    errors: Collector,
) -> _Plan | None:
    if not isinstance(row, dict):
        errors.add(0, path, "must be an object")
        return None
    at = f"{path}."
    ref = str(row.get("ref") or "")
    if not ref or len(ref) > 40 or f"incident:{ref}" in seen:
        errors.add(0, f"{at}ref", "give a unique reference (at most 40 characters)")
    seen.add(f"incident:{ref}")
    refs = row.get("arrests")
    if refs is None and "arrests" in row:
        errors.add(0, f"{at}arrests", "a clearance by arrest names at least one arrest")
        refs = []
    refs = refs or []
    if not isinstance(refs, list) or any(r not in arrests for r in refs):
        errors.add(0, f"{at}arrests", "every arrest must be one of this operation's")
        refs = []
    inquiry_ref = str(row.get("investigation") or "")
    if inquiry_ref and inquiry_ref not in inquiries:
        errors.add(0, f"{at}investigation", "not an investigation of this operation")
    exceptional = str(row.get("exceptionalClearance") or NOT_APPLICABLE)
    cleared_on = _day(row.get("exceptionalClearanceDate"), f"{at}exceptionalClearanceDate", errors)
    _check_clearance(exceptional, [arrests[r] for r in refs], cleared_on, at, errors)
    offenses = row.get("offenses")
    plan: list[tuple[str, str]] = []
    if not isinstance(offenses, list) or not offenses:
        errors.add(0, f"{at}offenses", "an incident has at least one offence")
        offenses = []
    for j, offense in enumerate(offenses):
        where = f"{at}offenses[{j}]." if not path.startswith("offenses[") else at
        if not isinstance(offense, dict):
            errors.add(0, f"{at}offenses[{j}]", "must be an object")
            continue
        o_ref, code = str(offense.get("ref") or ""), str(offense.get("code") or "")
        if not o_ref or len(o_ref) > 40 or f"offense:{o_ref}" in seen:
            errors.add(0, f"{where}ref", "give a unique reference (at most 40 characters)")
        seen.add(f"offense:{o_ref}")
        if code not in codes.NibrsOffense.values:
            errors.add(0, f"{where}code", f"one of {', '.join(codes.NibrsOffense.values)}")
        plan.append((o_ref, code))
    return _Plan(ref, inquiries.get(inquiry_ref), sorted(refs), exceptional, cleared_on, plan)


def _same(old: Incident, plan: _Plan) -> bool:
    return (
        old.investigation_id,
        sorted(a.ref for a in old.arrests.all()),
        old.exceptional,
        old.cleared_on,
        [(o.ref, o.code) for o in old.offenses.all()],
    ) == (
        getattr(plan.investigation, "pk", None),
        plan.arrests,
        plan.exceptional,
        plan.cleared_on,
        plan.offenses,
    )


def import_nibrs(
    actor: Actor,
    operation: str,
    data: bytes,
    *,
    source: str = "nibrs.json",
    progress: Progress | None = None,
) -> ImportResult:
    """Incidents of a document into the operation, all or nothing. An incident whose ref
    exists is left as it is when identical, and refused when it differs. Version 1
    documents (offences each with a clearance) are read too, one incident per offence."""
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
    if document.get("version") == 1:
        rows = document.get("offenses")
        if not isinstance(rows, list):
            raise ValidationFailed.on("offenses", "must be a list")
        given = _from_version_1(rows)
    else:
        rows = document.get("incidents")
        if not isinstance(rows, list):
            raise ValidationFailed.on("incidents", "must be a list")
        given = [(f"incidents[{i}]", row) for i, row in enumerate(rows)]
    arrests = {a.ref: a for a in _arrests(op)}
    inquiries = {i.ref: i for i in Investigation.objects.filter(operation_id__in=_scope(op))}
    existing = {
        i.ref: i
        for i in Incident.objects.filter(operation=op).prefetch_related("arrests", "offenses")
    }
    held_offenses = dict(Offense.objects.filter(operation=op).values_list("ref", "incident__ref"))
    plans: list[_Plan] = []
    seen: set[str] = set()
    result = ImportResult(FORMAT, source, digest(data))
    for path, row in given:
        plan = _read_incident(path, row, arrests, inquiries, seen, errors)
        if plan is None:
            continue
        old = existing.get(plan.ref)
        if old is not None:
            if not _same(old, plan):
                errors.add(0, f"{path}.ref", "an incident with this ref exists and differs")
            result.count("incidents_unchanged")
            continue
        for o_ref, _code in plan.offenses:
            if o_ref in held_offenses:
                errors.add(
                    0,
                    f"{path}.offenses",
                    f"offence {o_ref} is already in incident {held_offenses[o_ref]}",
                )
        plans.append(plan)
    errors.raise_if_any()
    with transaction.atomic():
        for done, plan in enumerate(plans, start=1):
            if progress:
                progress("write", done, len(plans))
            incident = Incident.objects.create(
                operation=op,
                ref=plan.ref,
                investigation=plan.investigation,
                exceptional=plan.exceptional,
                cleared_on=plan.cleared_on,
            )
            incident.arrests.set([arrests[r] for r in plan.arrests])
            for o_ref, code in plan.offenses:
                Offense.objects.create(operation=op, incident=incident, ref=o_ref, code=code)
            result.count("incidents_recorded")
            result.count("offenses_recorded", len(plan.offenses))
        audit.record(
            actor,
            "interchange.import",
            object_type="operation",
            object_id=op.code,
            detail={k: v for k, v in result.as_dict().items() if k != "nics"},
        )
    return result
