"""Importing a bundle: validate everything, then write everything in one transaction.

Pass 1 reads the whole bundle and reports every problem with its path. Pass 2 writes
inside one transaction; registry refusals (enter, locate, clear) are collected too, and
any problem rolls the whole import back. A row whose key already exists is left as it
is when identical (re-import is idempotent) and refused when it differs.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import ValidationFailed
from beacon.geo import places
from beacon.operations import visibility
from beacon.operations.bundles import FORMAT, VERSION, schema
from beacon.operations.bundles.plan import BundleRejected, ImportReport, Plan
from beacon.operations.bundles.reader import Problem
from beacon.operations.bundles.validate import Validator
from beacon.operations.bundles.write import Writer
from beacon.operations.services import get_operation

__all__ = [
    "BundleRejected",
    "ImportReport",
    "add_entries",
    "amendments",
    "import_bundle",
    "parse_json",
    "validate_bundle",
]


def parse_json(text: str) -> Any:
    """JSON text, or BundleRejected naming the line and column of the syntax error."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BundleRejected(
            [Problem(f"line {exc.lineno} column {exc.colno}", f"not valid JSON: {exc.msg}")]
        ) from None
    except ValueError as exc:
        # An integer beyond Python's digit limit: json raises a bare ValueError.
        raise BundleRejected([Problem("document", f"not valid JSON: {exc}")]) from None
    except RecursionError:
        raise BundleRejected([Problem("document", "not valid JSON: nested too deeply")]) from None


def validate_bundle(data: Any) -> Plan:
    """Pass 1 only: BundleRejected with every problem, or the plan."""
    return Validator(data).run()


def import_bundle(
    actor: Actor, data: Any, *, amend: bool = False, reason: str = ""
) -> ImportReport:
    """Import a whole bundle, or nothing: BundleRejected lists every problem (path, reason).

    With ``amend``, a row whose key exists with different content replaces the stored one,
    which is kept as an Amendment (with ``reason``) and audited."""
    policy.require(actor, Permission.OPERATIONS_MANAGE, object_type="bundle")
    policy.require(actor, Permission.RECORDS_IMPORT, object_type="bundle")
    if len(reason) > 500:
        raise ValidationFailed.on("reason", "at most 500 characters")
    plan = validate_bundle(data)
    with transaction.atomic():
        writer = Writer(actor, plan, amend=amend, reason=reason)
        report = writer.run()
        if writer.problems:
            raise BundleRejected(writer.problems)
        audit.record(
            actor,
            "operations.import",
            object_type="bundle",
            object_id=report.operations[0] if report.operations else "",
            detail=report.as_dict() | {"amend": amend, "reason": reason},
        )
    return report


def amendments(actor: Actor, code: str) -> list[dict[str, Any]]:
    """Every amendment of an operation's rows (and its series' figures), oldest first."""
    from beacon.operations.models import Amendment, ReportedFigure

    policy.require(actor, Permission.OPERATIONS_VIEW, object_type="operation", object_id=code)
    operation = get_operation(actor, code)
    figure_refs = list(
        ReportedFigure.objects.filter(operation=operation).values_list("ref", flat=True)
    )
    rows = Amendment.objects.filter(operation_code=operation.code) | Amendment.objects.filter(
        section="reported_figures", key__in=figure_refs
    )
    return [
        {
            "section": a.section,
            "key": a.key,
            "before": a.before,
            "after": a.after,
            "reason": a.reason,
            "by": a.actor,
            "at": a.at.isoformat(),
        }
        for a in rows.distinct().order_by("at", "id")
    ]


# Rows an actor may add to one operation, and the permission each section needs.
ENTRY_SECTIONS: dict[str, Permission] = {
    "targets": Permission.OPERATIONS_MANAGE,
    "reported_figures": Permission.OPERATIONS_MANAGE,
    "counts": Permission.OPERATIONS_RECORD,
    "outcomes": Permission.OPERATIONS_RECORD,
    "leads": Permission.OPERATIONS_RECORD,
    **{section.name: Permission.OPERATIONS_RECORD for section in schema.EVENTS},
}


def add_entries(
    actor: Actor, code: str, section: str, rows: Any, *, people: Any = None
) -> ImportReport:
    """Add rows of one section (arrests, victims, targets...) to one visible operation.

    The rows are bundle rows (docs/bundle.md) without the envelope; they are checked and
    written by the same importer, all or nothing, with the people they introduce.
    """
    if section not in ENTRY_SECTIONS:
        raise ValidationFailed.on("section", f"one of {', '.join(sorted(ENTRY_SECTIONS))}")
    policy.require(actor, ENTRY_SECTIONS[section], object_type="operation", object_id=code)
    operation = get_operation(actor, code)
    if ENTRY_SECTIONS[section] == Permission.OPERATIONS_RECORD:
        visibility.require_may_record(actor, operation, Permission.OPERATIONS_RECORD)
    if not isinstance(rows, list) or not rows:
        raise ValidationFailed.on("rows", "give a non-empty list of rows")
    problems = []
    stamped = []
    for index, row in enumerate(rows):
        if isinstance(row, dict):
            if row.get("operation", operation.code) != operation.code:
                problems.append(
                    Problem(f"{section}[{index}].operation", f"must be {operation.code}")
                )
            row = {**row, "operation": operation.code}
        stamped.append(row)
    if problems:
        raise BundleRejected(problems)
    data = {"format": FORMAT, "version": VERSION, "people": people or [], section: stamped}
    with places.remembered():  # the rows' places: read once for checking and writing
        plan = validate_bundle(data)
        with transaction.atomic():
            writer = Writer(actor, plan)
            writer.operations[operation.code] = operation  # read above: not again
            report = writer.run()
            if writer.problems:
                raise BundleRejected(writer.problems)
            audit.record(
                actor,
                "operations.entries",
                object_type="operation",
                object_id=operation.code,
                detail={"section": section, **report.as_dict()},
            )
    return report
