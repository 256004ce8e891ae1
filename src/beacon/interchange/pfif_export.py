"""PFIF 1.4 export: the visible records (optionally one operation's targets, optionally only
what changed since a date, optionally only one domain's records) with their leads as notes.

A partner's person goes back out as its source gave it (``PfifPerson``), except the
fields Beacon's registry has changed since; a Beacon record is written from the registry
with ``source_date`` the time of its latest change. Expired persons (section 3.3) are
not exported. Mapping and limits: docs/formats/pfif.md.
"""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree.ElementTree import Element, SubElement, indent, register_namespace, tostring

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import Conflict, ValidationFailed
from beacon.interchange.models import PfifNote, PfifPerson
from beacon.interchange.pfif_read import NOTE_ORDER, NS, PERSON_ORDER
from beacon.operations.models import Lead, Operation
from beacon.operations.services import get_operation
from beacon.records.models import MissingPersonRecord, may_share_outside

FORMAT = "pfif"
SCHEME = "pfif"
DEFAULT_DOMAIN = "beacon.taskforce"
SEX_OUT = {"F": "female", "M": "male"}


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def domain_of(record_id: str) -> str:
    return record_id.partition("/")[0]


def derived(record: MissingPersonRecord) -> dict[str, str]:
    """The PFIF 1.4 person fields Beacon writes from a registry record."""
    given = " ".join(n for n in (record.first_name, record.middle_name) if n)
    place = record.jurisdiction_last_seen
    state, country = "", ""
    if place is not None and place.kind == "state":
        state, country = place.abbreviation, "US"
    elif place is not None and place.kind == "county" and place.parent is not None:
        state, country = place.parent.abbreviation, "US"
    elif place is not None:
        country = place.code
    aliases = [
        " ".join(p for p in (n.first_name, n.middle_name, n.last_name) if p)
        for n in record.names.all()
        if n.kind != "primary"
    ]
    values = {
        "full_name": " ".join(p for p in (given, record.last_name) if p),
        "given_name": given,
        "family_name": record.last_name,
        "alternate_names": "\n".join(aliases),
        "description": record.notes,
        "sex": SEX_OUT.get(record.sex, ""),
        "date_of_birth": record.dob.isoformat() if record.dob else "",
        "home_city": record.place_last_seen,
        "home_state": state,
        "home_country": country,
    }
    return {k: v for k, v in values.items() if v}


# PFIF person fields Beacon holds sealed on the record (its notes): a partner's copy never
# keeps them in clear (they would outlive a destroyed key); they go out from the record.
SEALED_IN_RECORD = frozenset({"description"})


def person_values(
    record: MissingPersonRecord, copy: PfifPerson | None, person_id: str, last_change: datetime
) -> dict[str, str]:
    """The 1.4 fields of a record's person: a partner's as given, Beacon's from the registry."""
    now = derived(record)
    if copy is None:
        agency = record.originating_agency.name
        return {
            **now,
            "person_record_id": person_id,
            "entry_date": _stamp(record.entered_at),
            "author_name": agency,
            "source_name": agency,
            "source_date": _stamp(last_change),
        }
    values = dict(copy.fields)
    sealed = {k: now.pop(k) for k in SEALED_IN_RECORD if k in now}
    changed = {k for k in now.keys() | copy.beacon.keys() if now.get(k) != copy.beacon.get(k)}
    values.update(sealed)  # the record's notes, read through the vault (never kept in the copy)
    for name in changed:
        values.pop(name, None)
        if now.get(name):
            values[name] = now[name]
    if changed & {"given_name", "family_name"}:
        values["full_name"] = now["full_name"]
    source_date = max(copy.source_date, last_change) if changed else copy.source_date
    values.update(
        person_record_id=copy.person_record_id,
        entry_date=_stamp(copy.stored_at),
        source_date=_stamp(source_date),
    )
    return values


def _add_all(el: Element, order: list[str], values: dict[str, str]) -> None:
    for name in order:
        if values.get(name):
            SubElement(el, f"{{{NS}}}{name}").text = values[name]


def note_values(lead: Lead, person_id: str, domain: str) -> dict[str, str]:
    stored: PfifNote | None = getattr(lead, "pfif_note", None)
    kept = dict(stored.fields) if stored else {}
    values = {
        **kept,
        "note_record_id": stored.note_record_id if stored else f"{domain}/lead.{lead.ref}",
        "person_record_id": person_id,
        "entry_date": kept.get("entry_date") or _stamp(lead.received_at),
        "author_name": kept.get("author_name") or lead.source or "Beacon",
        "source_date": kept.get("source_date") or _stamp(lead.received_at),
        "status": stored.status if stored else "",
        "last_known_location": lead.place,
        "text": lead.description or f"(lead {lead.ref}, no description)",
    }
    if stored and stored.author_made_contact is not None:
        values["author_made_contact"] = "true" if stored.author_made_contact else "false"
    return values


def _refuse_all_withheld(withheld: list[str]) -> None:
    raise Conflict(
        f"Nothing may leave: all {len(withheld)} record(s) of this export are withheld by "
        "their TLP marking (another agency's AMBER, AMBER+STRICT or RED). A partner feed "
        "with nothing in it would read as 'no missing persons'; lower the marking of what "
        "may be shared (an audited modify) or export for use inside your organisation.",
        fields={"tlp": [f"{len(withheld)} withheld, none shareable"]},
    )


def export_pfif(
    actor: Actor,
    *,
    operation: str | None = None,
    since: datetime | None = None,
    domain: str = DEFAULT_DOMAIN,
    record_domain: str = "",
) -> tuple[bytes, dict[str, int]]:
    """A PFIF 1.4 document of the visible records and their leads (only what changed
    since ``since`` when given; only persons and notes whose record ids are in
    ``record_domain`` when given, as Person Finder's importer takes one domain per call).
    Records TLP 2.0 does not let the actor send outside their organisation
    (``may_share_outside``) are withheld, only counted; if every record is
    withheld the export is refused (Conflict) rather than an empty document. Expired
    persons are not exported. Returns (document, counts)."""
    policy.require(actor, Permission.OPERATIONS_EXPORT, object_type="record")
    if since is not None and timezone.is_naive(since):
        raise ValidationFailed.on("since", "give a time zone (e.g. 2021-06-01T00:00:00Z)")
    records = MissingPersonRecord.objects.visible_to(actor)
    leads = Lead.objects.filter(target__operation__in=Operation.objects.visible_to(actor))
    if operation:
        op = get_operation(actor, operation)
        records = records.filter(targets__operation=op)
        leads = leads.filter(target__operation=op)
    if since is not None:
        leads = leads.filter(received_at__gte=since)
        changed = (
            Q(transactions__at__gte=since)
            | Q(targets__leads__in=leads)
            | Q(pfif_persons__stored_at__gte=since)
        )
        records = records.filter(changed)
    ids = list(records.values_list("pk", flat=True).distinct())
    rows = list(
        MissingPersonRecord.objects.filter(pk__in=ids)
        .annotate(last_change=Max("transactions__at"))
        .select_related("originating_agency", "jurisdiction_last_seen__parent")
        .prefetch_related("names", "external_ids", "pfif_persons")
        .order_by("nic")
    )
    withheld = [r.nic for r in rows if not may_share_outside(actor, r)]
    rows = [r for r in rows if may_share_outside(actor, r)]
    if withheld and not rows:
        _refuse_all_withheld(withheld)
    by_record: dict[int, list[Lead]] = {}
    for lead in leads.filter(target__record__in=rows).select_related("target", "pfif_note"):
        by_record.setdefault(lead.target.record_id, []).append(lead)
    register_namespace("pfif", NS)
    root = Element(f"{{{NS}}}pfif")
    top_notes: list[Element] = []
    exported: list[str] = []
    counts = {"persons": 0, "notes": 0, "withheld_tlp": len(withheld)}
    now = timezone.now()
    for record in rows:
        copies = sorted(record.pfif_persons.all(), key=lambda c: c.pk)
        copy = copies[0] if copies else None
        if copy is not None and copy.expiry_date is not None and copy.expiry_date <= now:
            counts["expired"] = counts.get("expired", 0) + 1
            continue
        person_id = copy.person_record_id if copy else _own_id(record, domain)
        in_domain = not record_domain or domain_of(person_id) == record_domain
        notes: list[Element] = []
        for lead in sorted(by_record.get(record.pk, []), key=lambda x: (x.received_at, x.pk)):
            values = note_values(lead, person_id, domain)
            if record_domain and domain_of(values["note_record_id"]) != record_domain:
                continue
            note = Element(f"{{{NS}}}note")
            if in_domain:
                values.pop("person_record_id")
            _add_all(note, NOTE_ORDER, values)
            (notes if in_domain else top_notes).append(note)
        counts["notes"] += len(notes)
        if not in_domain:
            counts["other_domains"] = counts.get("other_domains", 0) + 1
            continue
        el = SubElement(root, f"{{{NS}}}person")
        last_change = record.last_change or record.entered_at  # type: ignore[attr-defined]
        _add_all(el, PERSON_ORDER, person_values(record, copy, person_id, last_change))
        el.extend(notes)
        exported.append(record.nic)
        counts["persons"] += 1
    root.extend(top_notes)
    counts["notes"] += len(top_notes)
    indent(root)
    document = tostring(root, encoding="utf-8", xml_declaration=True)
    with transaction.atomic():
        audit.record(
            actor,
            "interchange.export",
            object_type="record",
            object_id=FORMAT,
            detail={
                "format": FORMAT,
                "operation": operation or "",
                "since": since.isoformat() if since else "",
                "record_domain": record_domain,
                "nics": exported,
                "notes": counts["notes"],
                "withheld_tlp": withheld,
            },
        )
    return document, counts


def _own_id(record: MissingPersonRecord, domain: str) -> str:
    ids = sorted(e.value for e in record.external_ids.all() if e.scheme == SCHEME)
    own = [i for i in ids if domain_of(i) == domain]
    return own[0] if own else ids[0] if ids else f"{domain}/{record.nic}"
