"""Exporting operations as a bundle (the inverse of the importer)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.agencies.models import Agency, Jurisdiction
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.operations.bundles import FORMAT, VERSION, schema
from beacon.operations.bundles.reader import Row, jurisdiction_ref_of, partial_text
from beacon.operations.bundles.sharing import people_withheld
from beacon.operations.models import (
    Count,
    HitConfirmation,
    Lead,
    LocalMetric,
    Operation,
    Outcome,
    ReportedFigure,
    Series,
    Target,
)
from beacon.operations.services import get_operation
from beacon.records.models import MissingPersonRecord, may_share_outside
from beacon.records.services import record_input_of


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    return value


def agency_row(agency: Agency) -> Row:
    row: Row = {"ori": agency.ori} if agency.ori else {}
    row |= {
        "name": agency.name,
        "short_name": agency.short_name,
        "kind": agency.kind,
        "parent": agency.parent.key if agency.parent else None,
        "jurisdiction": jurisdiction_ref_of(agency.jurisdiction) or None,
    }
    if agency.country:
        row["country"] = agency.country
    if agency.international_id:
        row["international_id"] = agency.international_id
    return row


NAMED_KINDS = ("city", "district", "field_office", "group", "area")


def place_rows(places: Iterable[Jurisdiction]) -> list[Row]:
    """The named places a bundle refers to, members and containers before the areas."""
    out: list[Row] = []
    done: set[int] = set()

    def visit(place: Jurisdiction) -> None:
        if place.pk in done or place.kind not in NAMED_KINDS:
            return
        done.add(place.pk)
        members = list(place.members.order_by("pk"))
        for inner in [*members, *([place.parent] if place.parent else [])]:
            visit(inner)
        out.append(
            {
                "ref": jurisdiction_ref_of(place),
                "name": {"en": place.name_en, "fr": place.name_fr},
                "within": jurisdiction_ref_of(place.parent) or None,
                "members": [jurisdiction_ref_of(m) for m in members],
            }
        )

    for place in places:
        visit(place)
    return out


def operation_row(operation: Operation) -> Row:
    return {
        "code": operation.code,
        "name": operation.name,
        "description": operation.description,
        "status": operation.status,
        "start": partial_text(operation.start, operation.start_precision),
        "end": partial_text(operation.end, operation.end_precision),
        "announced": partial_text(operation.announced, operation.announced_precision),
        "focus": list(operation.focus),
        "parent": operation.parent.code if operation.parent else None,
        "series": operation.series.code if operation.series else None,
        "edition": operation.edition,
        "jurisdictions": [
            jurisdiction_ref_of(link.jurisdiction)
            for link in Operation.jurisdictions.through.objects.filter(operation=operation)
            .select_related("jurisdiction")
            .order_by("id")
        ],
        "participants": [
            {"agency": p.agency.key, "role": p.role}
            for p in operation.participations.select_related("agency").order_by("id")
        ],
    }


def record_row(record: MissingPersonRecord) -> Row:
    data = {k: _plain(v) for k, v in dataclasses.asdict(record_input_of(record)).items()}
    data["originating_ori"] = record.originating_agency.ori
    data["nic"] = record.nic
    return {k: v for k, v in data.items() if v not in ("", None, [], ())}


def section_row(section: schema.Section, obj: Model) -> Row:
    return {f.name: schema.export_value(obj, f) for f in section.fields}


def _closure(operation: Operation) -> list[Operation]:
    """The operation, its hub and sub-operations, and the other editions of its series."""
    wanted = {operation.pk}
    if operation.parent_id:
        wanted.add(operation.parent_id)
    hubs = set(wanted)
    if operation.series_id:
        wanted |= set(
            Operation.objects.filter(series_id=operation.series_id).values_list("pk", flat=True)
        )
    wanted |= set(
        Operation.objects.filter(parent_id__in=wanted | hubs).values_list("pk", flat=True)
    )
    return list(
        Operation.objects.filter(pk__in=wanted)
        .select_related("parent", "series")
        .prefetch_related("jurisdictions")
        .order_by("parent_id", "start", "pk")
    )


def _ordered(operations: Iterable[Operation]) -> list[Operation]:
    """Hubs before their sub-operations."""
    ops = list(operations)
    return [o for o in ops if o.parent_id is None] + [o for o in ops if o.parent_id is not None]


def _event_people(objects: dict[str, list[Model]]) -> set[int]:
    """Every person a field event names (its person and its people)."""
    found: set[int] = set()
    for section in schema.EVENTS:
        for obj in objects[section.name]:
            person_id = getattr(obj, "person_id", None)
            if person_id is not None:
                found.add(person_id)
            found |= {p.pk for p in obj.people.all()}  # type: ignore[attr-defined]
    return found


def _withhold_events(objects: dict[str, list[Model]], people: set[int]) -> dict[str, list[str]]:
    """Drop from ``objects`` the field events naming one of ``people``, and the referrals
    of a victim row dropped; return the withheld ``OPERATION:ref`` per section."""
    withheld: dict[str, list[str]] = {}
    dropped_victims: set[int] = set()
    for section in schema.EVENTS:  # victims come before referrals
        kept: list[Model] = []
        for obj in objects[section.name]:
            names = {p.pk for p in obj.people.all()}  # type: ignore[attr-defined]
            person_id = getattr(obj, "person_id", None)
            if person_id is not None:
                names.add(person_id)
            if names & people or getattr(obj, "victim_id", None) in dropped_victims:
                if section.name == "victims":
                    dropped_victims.add(obj.pk)
                op = obj.operation.code  # type: ignore[attr-defined]
                withheld.setdefault(section.name, []).append(f"{op}:{obj.ref}")  # type: ignore[attr-defined]
            else:
                kept.append(obj)
        objects[section.name] = kept
    return withheld


def export_bundle(actor: Actor, code: str) -> dict[str, Any]:
    """The whole operation (with its hub, sub-operations and series) as a bundle."""
    policy.require(actor, Permission.OPERATIONS_EXPORT, object_type="operation", object_id=code)
    root = get_operation(actor, code)
    visible = set(Operation.objects.visible_to(actor).values_list("pk", flat=True))
    operations = _ordered(o for o in _closure(root) if o.pk in visible)
    ids = [o.pk for o in operations]
    series_ids = {o.series_id for o in operations if o.series_id}
    bundle: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    bundle["exported_at"] = timezone.now().isoformat()

    # Only targets whose record the exporter may see (TLP: RED and AMBER+STRICT narrow it)
    # and may send outside its organisation (TLP 2.0, may_share_outside, as for
    # PFIF and NCIC): the others are withheld with their outcomes, leads and hit
    # confirmations, and the audit event lists their NICs.
    visible_targets = list(
        Target.objects.filter(
            operation_id__in=ids, record__in=MissingPersonRecord.objects.visible_to(actor)
        )
        .select_related("operation", "record__originating_agency", "person", "assigned_agency")
        .order_by("pk")
    )
    targets = [t for t in visible_targets if may_share_outside(actor, t.record)]
    withheld_tlp = sorted(
        {t.record.nic for t in visible_targets if not may_share_outside(actor, t.record)}
    )
    records = list(
        MissingPersonRecord.objects.filter(pk__in=[t.record_id for t in targets])
        .select_related("originating_agency", "jurisdiction_last_seen")
        .order_by("pk")
    )
    target_ids = [t.pk for t in targets]
    bundle_sections: dict[str, list[Row]] = {}
    objects: dict[str, list[Model]] = {}
    objects["targets"] = list(targets)
    objects["outcomes"] = list(
        Outcome.objects.filter(target_id__in=target_ids)
        .select_related("target__operation", "agency", "jurisdiction")
        .order_by("pk")
    )
    objects["leads"] = list(
        Lead.objects.filter(target_id__in=target_ids)
        .select_related("target__operation", "jurisdiction")
        .order_by("pk")
    )
    objects["hit_confirmations"] = list(
        HitConfirmation.objects.filter(target_id__in=target_ids)
        .select_related("target__operation", "requesting_agency")
        .order_by("pk")
    )
    for section in schema.EVENTS:
        related = [f.name for f in section.fields if f.kind in ("ori", "jurisdiction", "person")]
        query: QuerySet[Any] = section.model._default_manager.filter(operation_id__in=ids)
        if section.name == "referrals":
            related.append("victim")
        objects[section.name] = list(
            query.select_related("operation", *related).prefetch_related("people").order_by("pk")
        )
    # A withheld target's person is withheld with it: every field event that names them
    # (as its person, among its people, or a referral of their victim row) stays home,
    # or the partner's copy would say who the withheld missing person is and what
    # happened to them. The audit event lists the events withheld.
    withheld_people = people_withheld(
        actor, _event_people(objects), shared={t.person_id for t in targets}
    )
    withheld_events = _withhold_events(objects, withheld_people)
    figures = list(
        ReportedFigure.objects.filter(operation_id__in=ids)
        .select_related("operation", "series", "jurisdiction", "agency", "parent")
        .order_by("pk")
    ) + list(
        ReportedFigure.objects.filter(series_id__in=series_ids, operation__isnull=True)
        .select_related("series", "jurisdiction", "agency", "parent")
        .order_by("pk")
    )
    figures.sort(key=lambda f: f.pk)
    objects["counts"] = list(
        Count.objects.filter(operation_id__in=ids)
        .select_related("operation", "jurisdiction", "agency", "parent")
        .order_by("pk")
    )
    objects["reported_figures"] = list(figures)

    people: dict[int, Any] = {}
    agencies: dict[int, Agency] = {}
    for obj_list in objects.values():
        for obj in obj_list:
            for name in ("person",):
                person = getattr(obj, name, None)
                if person is not None:
                    people[person.pk] = person
            if hasattr(obj, "people"):
                for person in obj.people.all():
                    people[person.pk] = person
    for section_name, obj_list in objects.items():
        section = next(s for s in schema.SECTIONS if s.name == section_name)
        bundle_sections[section_name] = [section_row(section, obj) for obj in obj_list]
        for obj in obj_list:
            for field in section.fields:
                if field.kind == "ori":
                    agency = getattr(obj, field.name)
                    if agency is not None:
                        agencies[agency.pk] = agency
    for operation in operations:
        for participation in operation.participations.select_related("agency"):
            agencies[participation.agency_id] = participation.agency
    for record in records:
        agencies[record.originating_agency_id] = record.originating_agency
    # Parents of agencies travel with them.
    pending = [a.parent_id for a in agencies.values() if a.parent_id]
    while pending:
        for parent in Agency.objects.filter(pk__in=pending):
            agencies[parent.pk] = parent
        pending = [
            a.parent_id for a in agencies.values() if a.parent_id and a.parent_id not in agencies
        ]
    ordered_agencies = sorted(agencies.values(), key=lambda a: (a.parent_id is not None, a.pk))

    used = {
        str(getattr(o, "metric", ""))
        for name in ("counts", "reported_figures")
        for o in objects[name]
    }
    bundle["metrics"] = [
        {"id": m.code, **m.entry}
        for m in LocalMetric.objects.filter(code__in=used).order_by("code")
    ]
    named: dict[int, Jurisdiction] = {}
    for obj_list in objects.values():
        for obj in obj_list:
            place = getattr(obj, "jurisdiction", None)
            if isinstance(place, Jurisdiction):
                named[place.pk] = place
    for operation in operations:
        for place in operation.jurisdictions.all():
            named[place.pk] = place
    for agency in agencies.values():
        if agency.jurisdiction is not None:
            named[agency.jurisdiction.pk] = agency.jurisdiction
    bundle["places"] = place_rows(sorted(named.values(), key=lambda p: p.pk))
    bundle["agencies"] = [agency_row(a) for a in ordered_agencies]
    bundle["series"] = [
        section_row(schema.SERIES, s)
        for s in Series.objects.filter(pk__in=series_ids).select_related("origin").order_by("pk")
    ]
    bundle["operations"] = [operation_row(o) for o in operations]
    bundle["people"] = [
        section_row(schema.PEOPLE, p) for p in sorted(people.values(), key=lambda p: p.pk)
    ]
    bundle["records"] = [record_row(r) for r in records]
    bundle.update(bundle_sections)
    with transaction.atomic():
        audit.record(
            actor,
            "operations.export",
            object_type="operation",
            object_id=root.code,
            detail={
                "operations": [o.code for o in operations],
                "records": len(records),
                "withheld_tlp": withheld_tlp,
                "withheld_events": withheld_events,
            },
        )
    return bundle
