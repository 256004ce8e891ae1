"""Drill-down: the records behind any figure of a report (need-to-know applies)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import ValidationFailed
from beacon.operations import codes
from beacon.operations.bundles.reader import Reader
from beacon.operations.models import (
    Arrest,
    Investigation,
    Operation,
    Raid,
    Referral,
    SearchWarrant,
    Seizure,
    Service,
    Target,
    Victim,
)
from beacon.operations.reports.aggregate import Places, declared_jurisdictions
from beacon.operations.services import get_operation
from beacon.records.models import MissingPersonRecord

TARGET_METRICS = {
    "targets",
    "recovered",
    "located",
    "outstanding",
    "located_abroad",
    "located_abroad_by_country",
    "target_age_min",
    "target_age_max",
}
VICTIM_METRICS = {
    "victims_rescued",
    "victims_minor",
    "victims_adult",
    "victim_age_min",
    "victim_age_max",
    "victim_age_mean",
}
EVENT_METRICS: dict[str, type[Model]] = {
    "arrests": Arrest,
    "warrants_served": Arrest,
    "arrests_by_role": Arrest,
    "medical_services": Service,
    "screenings": Service,
    "services": Service,
    "services_by_kind": Service,
    "search_warrants": SearchWarrant,
    "raids": Raid,
    "raids_by_kind": Raid,
    "investigations_opened": Investigation,
    "investigations_by_type": Investigation,
    "investigations_by_agency": Investigation,
    "cash_seized": Seizure,
    "cash_seized_by_currency": Seizure,
    "devices_seized": Seizure,
    "files_seized": Seizure,
}
REFERRAL_METRICS = {"referrals", "referrals_by_agency"}
KNOWN = TARGET_METRICS | VICTIM_METRICS | set(EVENT_METRICS) | REFERRAL_METRICS


def _name(person: Any) -> str:
    return f"{person.last_name}, {person.first_name}".strip(", ") if person else ""


def drilldown(actor: Actor, code: str, metric: str, *, jurisdiction: str = "") -> dict[str, Any]:
    """The rows a figure counts: ``metric`` as in the report (``arrests_by_role.buyer``
    reaches one key of a breakdown), optionally for one jurisdiction row."""
    policy.require(actor, Permission.OPERATIONS_VIEW, object_type="operation", object_id=code)
    name, _dot, key = metric.partition(".")
    if name not in KNOWN:
        raise ValidationFailed.on("metric", f"unknown metric {metric}")
    root = get_operation(actor, code)
    visible_ops = Operation.objects.visible_to(actor)
    ops = {
        o.pk: o
        for o in (
            visible_ops.filter(pk=root.pk) | visible_ops.filter(parent_id=root.pk)
        ).select_related("parent")
    }
    place_id: int | None = None
    if jurisdiction:
        reader = Reader()
        ref = reader.jurisdiction_ref(jurisdiction, "jurisdiction")
        if reader.problems:
            raise ValidationFailed.on("jurisdiction", reader.problems[0].reason)
        found = reader.resolve_jurisdiction(ref)
        place_id = found.pk if found else None
    declared = declared_jurisdictions(list(ops))
    if name in TARGET_METRICS:
        rows = _targets(actor, ops, name, key, declared)
    elif name in VICTIM_METRICS:
        rows = _victims(actor, ops, name)
    elif name in REFERRAL_METRICS:
        rows = _referrals(actor, ops, key)
    else:
        rows = _events(ops, EVENT_METRICS[name], name, key)
    places = Places([r["_jurisdiction_id"] for r in rows], declared)
    if place_id is not None:
        rows = [
            r for r in rows if places.fold(r["_operation_id"], r["_jurisdiction_id"]) == place_id
        ]
    for row in rows:
        row.pop("_operation_id")
        row.pop("_jurisdiction_id")
    with transaction.atomic():
        audit.record(
            actor,
            "operations.drilldown",
            object_type="operation",
            object_id=root.code,
            # Who was shown: every row's reference (and the record of a target), no names.
            detail={
                "metric": metric,
                "jurisdiction": jurisdiction,
                "rows": len(rows),
                "shown": [row.get("ref") or row.get("target") for row in rows],
                "records": [row["nic"] for row in rows if row.get("nic")],
            },
        )
    return {
        "operation": root.name,
        "code": root.code,
        "metric": metric,
        "jurisdiction": jurisdiction or None,
        "count": len(rows),
        "rows": rows,
    }


def _targets(
    actor: Actor, ops: dict[int, Operation], name: str, key: str, declared: dict[int, list[int]]
) -> list[dict[str, Any]]:
    query = (
        Target.objects.filter(operation_id__in=list(ops))
        .filter(record__in=MissingPersonRecord.objects.visible_to(actor))
        .select_related("operation", "record", "outcome__jurisdiction", "assigned_agency")
        .order_by("pk")
    )
    if name == "recovered":
        query = query.filter(outcome__kind=codes.OutcomeKind.RECOVERED)
    elif name == "located":
        query = query.filter(outcome__kind=codes.OutcomeKind.LOCATED)
    elif name == "outstanding":
        query = query.filter(outcome__isnull=True)
    places = Places([], declared)
    rows = []
    for target in query:
        outcome = getattr(target, "outcome", None)
        place = outcome.jurisdiction if outcome else None
        if name.startswith("located_abroad"):
            if place is None:
                continue
            country = place.code if place.kind == "country" else "US"
            if country in places.countries(target.operation_id) or (key and country != key):
                continue
        record = target.record
        rows.append(
            {
                "_operation_id": target.operation_id,
                "_jurisdiction_id": record.jurisdiction_last_seen_id,
                "operation": target.operation.code,
                "target": target.ref,
                "nic": record.nic,
                "name": f"{record.last_name}, {record.first_name}",
                "dob": record.dob.isoformat() if record.dob else None,
                "record_status": record.status,
                "assigned_agency": target.assigned_agency.name,
                "outcome": outcome.kind if outcome else "outstanding",
                "how": outcome.how if outcome else None,
                "at": outcome.at.isoformat() if outcome else None,
                "place": outcome.place if outcome else None,
            }
        )
    return rows


def _victims(actor: Actor, ops: dict[int, Operation], name: str) -> list[dict[str, Any]]:
    query = (
        Victim.objects.visible_to(actor)
        .filter(operation_id__in=list(ops))
        .select_related("operation", "person", "agency", "jurisdiction")
        .order_by("pk")
    )
    if name == "victims_minor":
        query = query.filter(age_group=codes.AgeGroup.MINOR)
    elif name == "victims_adult":
        query = query.filter(age_group=codes.AgeGroup.ADULT)
    elif name.startswith("victim_age"):
        query = query.filter(age_min__isnull=False)
    return [
        {
            "_operation_id": v.operation_id,
            "_jurisdiction_id": v.jurisdiction_id,
            "operation": v.operation.code,
            "ref": v.ref,
            "person": _name(v.person),
            "age_min": v.age_min,
            "age_max": v.age_max,
            "age_group": v.age_group,
            "self_identification": v.self_identification,
            "agency": v.agency.name,
            "jurisdiction": v.jurisdiction.name_en,
            "at": v.at.isoformat(),
        }
        for v in query
    ]


def _referrals(actor: Actor, ops: dict[int, Operation], key: str) -> list[dict[str, Any]]:
    query = (
        Referral.objects.visible_to(actor)
        .filter(operation_id__in=list(ops))
        .select_related("operation", "victim__person", "agency", "to_agency", "jurisdiction")
        .order_by("pk")
    )
    if key:
        query = query.filter(to_agency__name=key)
    return [
        {
            "_operation_id": r.operation_id,
            "_jurisdiction_id": r.jurisdiction_id,
            "operation": r.operation.code,
            "ref": r.ref,
            "victim": r.victim.ref,
            "to_agency": r.to_agency.name,
            "status": r.status,
            "agency": r.agency.name,
            "at": r.at.isoformat(),
        }
        for r in query
    ]


def _events(
    ops: dict[int, Operation], model: type[Model], name: str, key: str
) -> list[dict[str, Any]]:
    query: QuerySet[Any] = model._default_manager.filter(operation_id__in=list(ops))
    filters: dict[str, dict[str, Any]] = {
        "warrants_served": {"warrants_served__gt": 0},
        "medical_services": {"kind": codes.ServiceKind.MEDICAL},
        "screenings": {"kind": codes.ServiceKind.SCREENING},
        "cash_seized": {"cash_amount__gt": 0},
        "devices_seized": {"devices__gt": 0},
        "files_seized": {"file_count__gt": 0},
    }
    query = query.filter(**filters.get(name, {}))
    if key:
        field = {
            "arrests_by_role": "role",
            "services_by_kind": "kind",
            "raids_by_kind": "kind",
            "investigations_by_type": "type",
            "investigations_by_agency": "agency__name",
            "cash_seized_by_currency": "currency",
        }[name]
        query = query.filter(**{field: key})
    related = ["operation", "agency", "jurisdiction"]
    if model in (Arrest, Service):
        related.append("person")
    rows = []
    for event in query.select_related(*related).order_by("pk"):
        row: dict[str, Any] = {
            "_operation_id": event.operation_id,
            "_jurisdiction_id": event.jurisdiction_id,
            "operation": event.operation.code,
            "ref": event.ref,
            "agency": event.agency.name,
            "jurisdiction": event.jurisdiction.name_en,
            "at": event.at.isoformat(),
        }
        for field_name in (
            "role",
            "charges",
            "nibrs",
            "warrants_served",
            "kind",
            "status",
            "type",
            "summary",
            "place",
            "currency",
            "devices",
            "file_count",
        ):
            if hasattr(event, field_name):
                row[field_name] = getattr(event, field_name)
        if hasattr(event, "cash_amount"):
            row["cash_amount"] = float(event.cash_amount) if event.cash_amount is not None else None
        if model in (Arrest, Service):
            row["person"] = _name(event.person)
        rows.append(row)
    return rows
