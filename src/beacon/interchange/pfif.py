"""PFIF 1.4 (People Finder Interchange Format): persons as missing-person records and
notes as leads on an operation's targets, in and out.

Import: every person becomes a registry record (entered through the registry's
service) on the operation's target list, its ``person_record_id`` kept as an external
identifier; every note becomes a lead whose type comes from the note's status. A person
or note already imported is recognised by its id and not written twice. Export: the
visible records (optionally one operation's targets, optionally only what changed since
a date) with their leads as notes. Mapping and limits: docs/formats/pfif.md.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from xml.etree.ElementTree import Element, SubElement, indent, register_namespace, tostring

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import DomainError, ValidationFailed
from beacon.interchange import codes
from beacon.interchange.errors import Collector, Progress
from beacon.interchange.models import ExternalId, PfifNote
from beacon.interchange.pfif_schema import NS, Document, local, validate
from beacon.interchange.targets import ImportResult, add_target, digest
from beacon.operations.models import Lead, Operation
from beacon.operations.services import get_operation
from beacon.records import services as registry
from beacon.records.codes import JUVENILE_AGE_LIMIT
from beacon.records.inputs import NameInput, RecordInput
from beacon.records.models import MissingPersonRecord
from beacon.records.validation import NIC_PATTERN, RecordValidator, age_on

FORMAT = "pfif"
SCHEME = "pfif"
DEFAULT_DOMAIN = "beacon.taskforce"
TEXT_MAX = 200
SEX_IN = {"female": "F", "male": "M", "other": "U"}
SEX_OUT = {"F": "female", "M": "male"}
# The PFIF element behind each registry field (for error reports).
ELEMENT_OF = {
    "last_name": "family_name",
    "first_name": "given_name",
    "middle_name": "given_name",
    "sex": "sex",
    "dob": "date_of_birth",
    "dlc": "source_date",
    "notes": "description",
    "place_last_seen": "home_city",
    "jurisdiction_last_seen": "home_state",
    "aliases": "alternate_names",
    "oca": "person_record_id",
    "nic": "person_record_id",
    "category": "date_of_birth",
    "originating_ori": "person_record_id",
}


def _text(el: Element, name: str) -> str:
    child = el.find(f"{{{NS}}}{name}")
    return " ".join((child.text or "").split()) if child is not None else ""


def _long_text(el: Element, name: str) -> str:
    child = el.find(f"{{{NS}}}{name}")
    return (child.text or "").strip() if child is not None else ""


class BadValue(ValueError):
    """A value the schema's pattern lets through but that is not a real date."""

    def __init__(self, element: str, value: str) -> None:
        super().__init__(f"{value!r} is not a real date")
        self.element = element


def _moment(value: str, element: str = "source_date") -> datetime:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadValue(element, value) from None


def _day(value: str, element: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadValue(element, value) from None


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def oca_for(person_record_id: str) -> str:
    """A stable OCA for a partner's person (the full id is kept as an external id)."""
    return "PFIF-" + hashlib.sha1(person_record_id.encode()).hexdigest()[:12].upper()  # noqa: S324


# ------------------------------------------------------------------ person -> record


def _split(name: str) -> tuple[str, str, str]:
    """ "Given Middle Family" -> (family, given, middle)."""
    words = name.split()
    if not words:
        return "", "", ""
    if len(words) == 1:
        return words[0], "", ""
    return words[-1], words[0], " ".join(words[1:-1])


def _jurisdiction(state: str, country: str) -> str:
    country = country.strip().upper()
    state = state.strip().upper()
    if country in ("", "US", "USA") and len(state) == 2 and state.isalpha():
        return f"state:{state}"
    if len(country) == 2 and country.isalpha():
        return f"country:{country}"
    return ""


def person_input(el: Element, *, ori: str, domain: str) -> RecordInput:
    """The registry input a PFIF person stands for (validated later by the registry)."""
    record_id = _text(el, "person_record_id")
    family = _text(el, "family_name")
    given = _text(el, "given_name")
    if not family:
        family, first, middle = _split(_text(el, "full_name"))
    else:
        first, _sp, middle = given.partition(" ")
    extra: list[str] = []
    born = _text(el, "date_of_birth")
    dob = _day(born, "date_of_birth") if len(born) == 10 else None
    if born and dob is None:
        extra.append(f"PFIF date_of_birth: {born}")
    age = _text(el, "age")
    if age and dob is None:
        extra.append(f"PFIF age: {age}")
    dlc = _moment(_text(el, "source_date")).date()
    juvenile = dob is not None and dob <= dlc and age_on(dob, dlc) < JUVENILE_AGE_LIMIT
    aliases = []
    for line in _long_text(el, "alternate_names").splitlines():
        last, alias_first, alias_middle = _split(line)
        if last:
            aliases.append(NameInput(last, alias_first, alias_middle, "alias"))
    domain_part, _slash, local_id = record_id.partition("/")
    own = domain_part == domain and NIC_PATTERN.match(local_id.upper()) is not None
    notes = "\n".join([_long_text(el, "description"), *extra]).strip()
    return RecordInput(
        category="EMJ" if juvenile else "EMO",
        last_name=family,
        first_name=first,
        middle_name=middle,
        sex=SEX_IN.get(_text(el, "sex"), "U"),
        dob=dob,
        dlc=dlc,
        oca=oca_for(record_id),
        aliases=tuple(aliases),
        place_last_seen=_text(el, "home_city"),
        jurisdiction_last_seen=_jurisdiction(_text(el, "home_state"), _text(el, "home_country")),
        notes=notes,
        originating_ori=ori,
        nic=local_id.upper() if own else "",
    )


@dataclass
class _Person:
    line: int
    record_id: str
    data: RecordInput
    record: MissingPersonRecord | None


@dataclass
class _Note:
    line: int
    note_id: str
    person_id: str
    received_at: datetime
    author: str
    status: str
    made_contact: bool | None
    place: str
    text: str


@dataclass
class _Plan:
    persons: list[_Person] = field(default_factory=list)
    notes: list[_Note] = field(default_factory=list)
    expired: set[str] = field(default_factory=set)


def _note(doc: Document, el: Element, person_id: str, errors: Collector) -> _Note | None:
    line = doc.line(el)
    contact = _text(el, "author_made_contact")
    place = _text(el, "last_known_location")
    author = _text(el, "author_name")
    if len(place) > TEXT_MAX:
        errors.add(line, "last_known_location", f"at most {TEXT_MAX} characters")
    if len(author) > TEXT_MAX:
        errors.add(line, "author_name", f"at most {TEXT_MAX} characters")
    person_id = _text(el, "person_record_id") or person_id
    try:
        received = _moment(_text(el, "entry_date") or _text(el, "source_date"), "entry_date")
    except BadValue as exc:
        errors.add(line, exc.element, str(exc))
        return None
    if not person_id:
        errors.add(line, "person_record_id", "a note outside a person must name its person")
    return _Note(
        line=line,
        note_id=_text(el, "note_record_id"),
        person_id=person_id,
        received_at=received,
        author=author[:TEXT_MAX],
        status=_text(el, "status"),
        made_contact=None if not contact else contact in ("true", "1"),
        place=place[:TEXT_MAX],
        text=_long_text(el, "text"),
    )


def _known_record(actor: Actor, record_id: str, domain: str) -> MissingPersonRecord | None:
    """The record a person id already stands for (an external id, or our own export's)."""
    visible = policy.records_visible_to(actor).select_related("originating_agency")
    known = visible.filter(external_ids__scheme=SCHEME, external_ids__value=record_id).first()
    domain_part, _slash, local_id = record_id.partition("/")
    if known is None and domain_part == domain:
        known = visible.filter(nic=local_id.upper()).first()
    return known


def _plan(actor: Actor, doc: Document, ori: str, domain: str, errors: Collector) -> _Plan:
    plan = _Plan()
    validator = RecordValidator()
    seen_persons: dict[str, int] = {}
    seen_notes: dict[str, int] = {}
    for el in doc.root:
        kind = local(el.tag)
        if kind == "note":
            found = _note(doc, el, "", errors)
            if found:
                plan.notes.append(found)
            continue
        line = doc.line(el)
        record_id = _text(el, "person_record_id")
        if record_id in seen_persons:
            errors.add(
                line, "person_record_id", f"the same person as line {seen_persons[record_id]}"
            )
            continue
        seen_persons[record_id] = line
        try:
            expiry = _text(el, "expiry_date")
            if expiry and _moment(expiry, "expiry_date") <= timezone.now():
                plan.expired.add(record_id)  # PFIF: an expired record is to be deleted
                continue
        except BadValue as exc:
            errors.add(line, exc.element, str(exc))
            continue
        for child in el.findall(f"{{{NS}}}note"):
            found = _note(doc, child, record_id, errors)
            if found:
                plan.notes.append(found)
        record = _known_record(actor, record_id, domain)
        if ExternalId.objects.filter(scheme=SCHEME, value=record_id).exists() and record is None:
            errors.add(line, "person_record_id", "already imported by an agency you may not see")
            continue
        try:
            data = person_input(el, ori=ori, domain=domain)
        except BadValue as exc:
            errors.add(line, exc.element, str(exc))
            continue
        if record is None:
            try:
                validator.clean(data, default_agency=actor.agency)
            except ValidationFailed as exc:
                for name, messages in exc.fields.items():
                    element = ELEMENT_OF.get(name.split(".")[0], name)
                    for message in messages:
                        errors.add(line, element, message)
                continue
        plan.persons.append(_Person(line, record_id, data, record))
    known = set(seen_persons)
    plan.notes = [n for n in plan.notes if n.person_id not in plan.expired]
    for note in plan.notes:
        if note.note_id in seen_notes:
            errors.add(
                note.line, "note_record_id", f"the same note as line {seen_notes[note.note_id]}"
            )
        seen_notes[note.note_id] = note.line
        unknown = note.person_id and note.person_id not in known
        if unknown and _known_record(actor, note.person_id, domain) is None:
            errors.add(note.line, "person_record_id", "no such person in the file or in Beacon")
    return plan


def import_pfif(
    actor: Actor,
    operation: str,
    data: bytes,
    *,
    source: str = "pfif.xml",
    ori: str = "",
    domain: str = DEFAULT_DOMAIN,
    use_lxml: bool | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Persons and notes of a PFIF 1.4 document into an operation, all or nothing.

    ``ori`` names the agency the new records are entered for (the actor's own agency
    unless the actor is the system actor, which must name one).
    """
    policy.require(actor, Permission.RECORDS_IMPORT, object_type="operation", object_id=operation)
    policy.require(
        actor, Permission.OPERATIONS_MANAGE, object_type="operation", object_id=operation
    )
    op = get_operation(actor, operation)
    ori = (ori or ("" if actor.is_system else actor.agency.ori)).strip().upper()
    if not ori:
        raise ValidationFailed.on("ori", "name the agency (ORI) the records are entered for")
    errors = Collector("PFIF")
    doc, problems = validate(data, use_lxml=use_lxml)
    errors.errors.extend(problems)
    errors.raise_if_any()
    assert doc is not None
    plan = _plan(actor, doc, ori, domain, errors)
    if progress:
        progress(
            "validate", len(plan.persons) + len(plan.notes), len(plan.persons) + len(plan.notes)
        )
    errors.raise_if_any()
    result = ImportResult(FORMAT, source, digest(data))
    if plan.expired:
        result.count("persons_expired_skipped", len(plan.expired))
    with transaction.atomic():
        targets = _write_persons(actor, op, plan, source, result, errors, progress)
        _write_notes(actor, op, plan, targets, source, domain, result, errors)
        errors.raise_if_any()
        audit.record(
            actor,
            "interchange.import",
            object_type="operation",
            object_id=op.code,
            detail={k: v for k, v in result.as_dict().items() if k != "nics"},
        )
    return result


def _write_persons(
    actor: Actor,
    op: Operation,
    plan: _Plan,
    source: str,
    result: ImportResult,
    errors: Collector,
    progress: Progress | None,
) -> dict[str, MissingPersonRecord]:
    records: dict[str, MissingPersonRecord] = {}
    for done, person in enumerate(plan.persons, start=1):
        record = person.record
        try:
            if record is None:
                record = registry.enter_record(
                    actor, person.data, reason=f"imported from {source} (PFIF {person.record_id})"
                )
                result.count("entered")
            else:
                result.count("linked")
            ExternalId.objects.get_or_create(
                scheme=SCHEME, value=person.record_id, defaults={"record": record, "source": source}
            )
            _target, new = add_target(actor, op, record, source=source)
            result.count("targets_added" if new else "targets_unchanged")
        except DomainError as exc:
            for name, messages in (exc.fields or {"record": [exc.message]}).items():
                for message in messages:
                    errors.add(person.line, ELEMENT_OF.get(name, name), message)
            continue
        records[person.record_id] = record
        result.nics.append(record.nic)
        if progress:
            progress("write", done, len(plan.persons))
    return records


def _write_notes(
    actor: Actor,
    op: Operation,
    plan: _Plan,
    records: dict[str, MissingPersonRecord],
    source: str,
    domain: str,
    result: ImportResult,
    errors: Collector,
) -> None:
    refs: list[str] = []
    for note in plan.notes:
        if PfifNote.objects.filter(note_record_id=note.note_id).exists():
            result.count("notes_unchanged")
            continue
        record = records.get(note.person_id) or _known_record(actor, note.person_id, domain)
        if record is None:
            errors.add(note.line, "person_record_id", "no such person in the file or in Beacon")
            continue
        target, _new = add_target(actor, op, record, source=source)
        lead = Lead.objects.create(
            target=target,
            received_at=note.received_at,
            source=note.author,
            description=note.text,
            place=note.place,
        )
        PfifNote.objects.create(
            lead=lead,
            note_record_id=note.note_id,
            status=note.status,
            author_made_contact=note.made_contact,
            source=source,
        )
        refs.append(lead.ref)
        result.count(f"leads_{codes.LEAD_TYPE_OF_STATUS.get(note.status, 'information')}")
    if refs:
        audit.record(
            actor,
            "interchange.leads_added",
            object_type="operation",
            object_id=op.code,
            detail={"format": FORMAT, "source": source, "leads": refs},
        )


# ------------------------------------------------------------------ export


def _add(parent: Element, name: str, value: str) -> None:
    if value:
        SubElement(parent, f"{{{NS}}}{name}").text = value


def _person_element(
    parent: Element, record: MissingPersonRecord, person_id: str, notes: list[Element]
) -> None:
    el = SubElement(parent, f"{{{NS}}}person")
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
    _add(el, "person_record_id", person_id)
    _add(el, "entry_date", _stamp(record.entered_at))
    _add(el, "author_name", record.originating_agency.name)
    _add(el, "source_name", record.originating_agency.name)
    _add(el, "source_date", f"{record.dlc.isoformat()}T00:00:00Z")
    _add(el, "full_name", " ".join(p for p in (given, record.last_name) if p))
    _add(el, "given_name", given)
    _add(el, "family_name", record.last_name)
    _add(el, "alternate_names", "\n".join(aliases))
    _add(el, "description", record.notes)
    _add(el, "sex", SEX_OUT.get(record.sex, ""))
    _add(el, "date_of_birth", record.dob.isoformat() if record.dob else "")
    _add(el, "home_city", record.place_last_seen)
    _add(el, "home_state", state)
    _add(el, "home_country", country)
    el.extend(notes)


def _note_element(lead: Lead, person_id: str, domain: str, *, nested: bool) -> Element:
    el = Element(f"{{{NS}}}note")
    stored: PfifNote | None = getattr(lead, "pfif_note", None)
    _add(el, "note_record_id", stored.note_record_id if stored else f"{domain}/lead.{lead.ref}")
    if not nested:
        _add(el, "person_record_id", person_id)
    _add(el, "entry_date", _stamp(lead.received_at))
    SubElement(el, f"{{{NS}}}author_name").text = lead.source or "Beacon"
    _add(el, "source_date", _stamp(lead.received_at))
    if stored and stored.author_made_contact is not None:
        _add(el, "author_made_contact", "true" if stored.author_made_contact else "false")
    _add(el, "status", stored.status if stored else "")
    _add(el, "last_known_location", lead.place)
    SubElement(el, f"{{{NS}}}text").text = lead.description
    return el


def export_pfif(
    actor: Actor,
    *,
    operation: str | None = None,
    since: datetime | None = None,
    domain: str = DEFAULT_DOMAIN,
) -> tuple[bytes, dict[str, int]]:
    """A PFIF 1.4 document of the visible records and their leads (only what changed
    since ``since`` when given). Records TLP 2.0 does not let the actor send outside
    their organisation (``policy.may_share_outside``: another agency's AMBER, any
    AMBER+STRICT or RED) are withheld, only counted. Returns (document, counts)."""
    policy.require(actor, Permission.OPERATIONS_EXPORT, object_type="record")
    if since is not None and timezone.is_naive(since):
        raise ValidationFailed.on("since", "give a time zone (e.g. 2021-06-01T00:00:00Z)")
    records = policy.records_visible_to(actor)
    leads = Lead.objects.filter(target__operation__in=policy.operations_visible_to(actor))
    if operation:
        op = get_operation(actor, operation)
        records = records.filter(targets__operation=op)
        leads = leads.filter(target__operation=op)
    if since is not None:
        leads = leads.filter(received_at__gte=since)
        changed = Q(transactions__at__gte=since) | Q(targets__leads__in=leads)
        records = records.filter(changed)
    rows = list(
        records.distinct()
        .select_related("originating_agency", "jurisdiction_last_seen__parent")
        .prefetch_related("names", "external_ids")
        .order_by("nic")
    )
    # A partner export leaves the exporter's organisation: TLP 2.0 decides (policy).
    withheld = [r.nic for r in rows if not policy.may_share_outside(actor, r)]
    rows = [r for r in rows if policy.may_share_outside(actor, r)]
    by_record: dict[int, list[Lead]] = {}
    for lead in leads.filter(target__record__in=rows).select_related("target", "pfif_note"):
        by_record.setdefault(lead.target.record_id, []).append(lead)
    register_namespace("pfif", NS)
    root = Element(f"{{{NS}}}pfif")
    exported: list[str] = []
    note_count = 0
    for record in rows:
        ids = [e.value for e in record.external_ids.all() if e.scheme == SCHEME]
        person_id = ids[0] if ids else f"{domain}/{record.nic}"
        notes = [
            _note_element(lead, person_id, domain, nested=True)
            for lead in sorted(by_record.get(record.pk, []), key=lambda x: (x.received_at, x.pk))
        ]
        note_count += len(notes)
        _person_element(root, record, person_id, notes)
        exported.append(record.nic)
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
                "nics": exported,
                "notes": note_count,
                "withheld_tlp": withheld,
            },
        )
    return document, {"persons": len(exported), "notes": note_count, "withheld_tlp": len(withheld)}
