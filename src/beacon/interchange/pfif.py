"""PFIF (People Finder Interchange Format) 1.1-1.4 in, 1.4 out: persons as missing-person
records and notes as leads on an operation's targets.

Import: every person becomes a registry record (entered through the registry's service)
on the operation's target list, and the person as its source gave it is kept beside the
record (``PfifPerson``: every 1.4 field, the full name as written). A person already
imported is updated only by a copy with a later ``source_date`` (PFIF 1.4 section 3.2);
an expired one (section 3.3) is not entered, and a stored copy of it loses its personal
data. Every note becomes a lead whose type comes from the note's status, its other
fields kept on ``PfifNote``. Export: pfif_export. Mapping and limits: docs/formats/pfif.md.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.db import transaction
from django.utils import timezone

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import DomainError, ValidationFailed
from beacon.interchange import codes
from beacon.interchange.errors import Collector, LineError, Progress
from beacon.interchange.models import ExternalId, PfifNote, PfifPerson
from beacon.interchange.pfif_export import (
    DEFAULT_DOMAIN,
    SEALED_IN_RECORD,
    derived,
    export_pfif,
)
from beacon.interchange.pfif_read import Document, Record, read
from beacon.interchange.targets import ImportResult, add_target, digest
from beacon.operations.models import Lead, Operation
from beacon.operations.services import get_operation
from beacon.records import services as registry
from beacon.records.codes import JUVENILE_AGE_LIMIT
from beacon.records.inputs import NameInput, RecordInput
from beacon.records.models import MissingPersonRecord
from beacon.records.validation import NAME_MAX, NIC_PATTERN, RecordValidator, age_on

__all__ = ["DEFAULT_DOMAIN", "export_pfif", "import_pfif", "oca_for", "person_input"]

FORMAT = "pfif"
SCHEME = "pfif"
TEXT_MAX = 200
SEX_IN = {"female": "F", "male": "M", "other": "U"}
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
# Note fields a lead does not hold, kept on PfifNote.fields and exported again.
NOTE_KEPT = (
    "linked_person_record_id",
    "entry_date",
    "author_name",
    "author_email",
    "author_phone",
    "source_date",
    "email_of_found_person",
    "phone_of_found_person",
    "photo_url",
)


class BadValue(ValueError):
    """A value the format lets through but that is not a real date."""

    def __init__(self, element: str, value: str) -> None:
        super().__init__(f"{value!r} is not a real date")
        self.element = element


def _moment(value: str, element: str = "source_date") -> datetime:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        raise BadValue(element, value) from None


def _day(value: str, element: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadValue(element, value) from None


def oca_for(person_record_id: str) -> str:
    """A stable OCA for a partner's person (the full id is kept as an external id)."""
    return "PFIF-" + hashlib.sha1(person_record_id.encode()).hexdigest()[:12].upper()  # noqa: S324


# ------------------------------------------------------------------ person -> record


def _split(name: str) -> tuple[str, str, str]:
    """ "Given Middle Family" -> (family, given, middle); one word is the family name."""
    words = name.split()
    if not words:
        return "", "", ""
    if len(words) == 1:
        return words[0], "", ""
    return words[-1], words[0], " ".join(words[1:-1])


_NAME_WORD = re.compile(r"[^\W\d_]+(?:['\-.][^\W\d_]+)*")


def registry_name(value: str) -> str:
    """A PFIF name as the registry (NCIC NAM) takes it: its words of letters, joined by
    spaces ("_test_family_name" -> "test family name"); the PFIF copy keeps it as given."""
    return " ".join(_NAME_WORD.findall(value))[:NAME_MAX].strip()


def _jurisdiction(state: str, country: str) -> str:
    country = country.strip().upper()
    state = state.strip().upper()
    if country in ("", "US", "USA") and len(state) == 2 and state.isalpha():
        return f"state:{state}"
    if len(country) == 2 and country.isalpha():
        return f"country:{country}"
    return ""


def _last_contact(person: Record) -> date:
    """The registry's DLC: the person's source_date (1.1 and 1.2 may give only entry_date)."""
    if person.get("source_date"):
        return _moment(person.get("source_date")).date()
    if person.get("entry_date"):
        return _moment(person.get("entry_date"), "entry_date").date()
    raise BadValue("source_date", "")


def person_input(person: Record, *, ori: str, domain: str) -> RecordInput:
    """The registry input a PFIF person stands for (validated later by the registry).

    Only a full date of birth goes to the registry; a partial one, the age and every
    field the registry does not hold stay on the person's stored copy (PfifPerson)."""
    record_id = person.get("person_record_id")
    family = person.get("family_name")
    given = person.get("given_name")
    if not family:
        family, first, middle = _split(person.get("full_name").splitlines()[0])
    else:
        first, _sp, middle = given.partition(" ")
    born = person.get("date_of_birth")
    dob = _day(born, "date_of_birth") if len(born) == 10 else None
    dlc = _last_contact(person)
    juvenile = dob is not None and dob <= dlc and age_on(dob, dlc) < JUVENILE_AGE_LIMIT
    family, first, middle = registry_name(family), registry_name(first), registry_name(middle)
    aliases = []
    for line in person.get("alternate_names").splitlines():
        last, alias_first, alias_middle = _split(registry_name(line))
        if last:
            aliases.append(NameInput(last, alias_first, alias_middle, "alias"))
    domain_part, _slash, local_id = record_id.partition("/")
    own = domain_part == domain and NIC_PATTERN.match(local_id.upper()) is not None
    return RecordInput(
        category="EMJ" if juvenile else "EMO",
        last_name=family,
        first_name=first,
        middle_name=middle,
        sex=SEX_IN.get(person.get("sex"), "U"),
        dob=dob,
        dlc=dlc,
        oca=oca_for(record_id),
        aliases=tuple(aliases),
        place_last_seen=person.get("home_city"),
        jurisdiction_last_seen=_jurisdiction(person.get("home_state"), person.get("home_country")),
        notes=person.get("description"),
        originating_ori=ori,
        nic=local_id.upper() if own else "",
    )


@dataclass
class _Person:
    line: int
    record_id: str
    source: Record
    data: RecordInput
    record: MissingPersonRecord | None  # known already
    stored: PfifPerson | None  # our copy of it
    update: bool = False  # a later version (section 3.2)


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
    kept: dict[str, str]


@dataclass
class _Plan:
    persons: list[_Person] = field(default_factory=list)
    notes: list[_Note] = field(default_factory=list)
    expired: set[str] = field(default_factory=set)
    to_expire: list[PfifPerson] = field(default_factory=list)
    older: int = 0


def _note(note: Record, person_id: str, errors: Collector) -> _Note | None:
    place = note.get("last_known_location")
    author = note.get("author_name")
    if len(place) > TEXT_MAX:
        errors.add(note.line_of("last_known_location"), "last_known_location", "too long")
    person_id = note.get("person_record_id") or person_id
    try:
        stamp = note.get("entry_date") or note.get("source_date")
        received = _moment(stamp, "entry_date") if stamp else None
        if note.get("source_date"):
            _moment(note.get("source_date"))
    except BadValue as exc:
        errors.add(note.line_of(exc.element), exc.element, str(exc))
        return None
    if received is None:
        return None  # reported by the reader (source_date is mandatory)
    contact = note.get("author_made_contact")
    return _Note(
        line=note.line,
        note_id=note.get("note_record_id"),
        person_id=person_id,
        received_at=received,
        author=author[:TEXT_MAX],
        status=note.get("status"),
        made_contact=None if not contact else contact == "true",
        place=place[:TEXT_MAX],
        text=note.get("text"),
        kept={k: note.get(k) for k in NOTE_KEPT if note.get(k)},
    )


def _known_record(actor: Actor, record_id: str, domain: str) -> MissingPersonRecord | None:
    """The record a person id already stands for (an external id, or our own export's)."""
    visible = MissingPersonRecord.objects.visible_to(actor).select_related("originating_agency")
    known = visible.filter(external_ids__scheme=SCHEME, external_ids__value=record_id).first()
    domain_part, _slash, local_id = record_id.partition("/")
    if known is None and domain_part == domain:
        known = visible.filter(nic=local_id.upper()).first()
    return known


def _expiry(person: Record, errors: Collector) -> datetime | bool | None:
    """The person's expiry (None if none), or False when it is not a real date."""
    if not person.get("expiry_date"):
        return None
    try:
        return _moment(person.get("expiry_date"), "expiry_date")
    except BadValue as exc:
        errors.add(person.line_of("expiry_date"), exc.element, str(exc))
        return False


def _plan_person(
    actor: Actor, person: Record, plan: _Plan, ori: str, domain: str, errors: Collector
) -> None:
    record_id = person.get("person_record_id")
    stored = PfifPerson.objects.filter(person_record_id=record_id).first()
    expiry = _expiry(person, errors)
    if expiry is False:
        return
    if isinstance(expiry, datetime) and expiry <= timezone.now():
        plan.expired.add(record_id)  # section 3.3: an expired record is to be deleted
        if stored is not None:
            plan.to_expire.append(stored)
        return
    for child in person.notes:
        found = _note(child, record_id, errors)
        if found:
            plan.notes.append(found)
    record = _known_record(actor, record_id, domain)
    if record is None and (
        stored is not None or ExternalId.objects.filter(scheme=SCHEME, value=record_id).exists()
    ):
        errors.add(person.line, "person_record_id", "already imported by an agency you may not see")
        return
    try:
        data = person_input(person, ori=ori, domain=domain)
        source_date = _moment(person.get("source_date")) if person.get("source_date") else None
    except BadValue as exc:
        message = (
            str(exc)
            if exc.element != "source_date" or person.get("source_date")
            else ("Beacon needs source_date or entry_date (the date of last contact)")
        )
        errors.add(person.line_of(exc.element), exc.element, message)
        return
    newer = stored is not None and source_date is not None and source_date > stored.source_date
    if stored is not None and not newer:
        plan.older += 1  # section 3.2: the copy we hold is as recent or more
    if record is None or newer:
        try:
            RecordValidator().clean(data, default_agency=actor.agency)
        except ValidationFailed as exc:
            for name, messages in exc.fields.items():
                element = ELEMENT_OF.get(name.split(".")[0], name)
                for message in messages:
                    errors.add(person.line, element, message)
            return
    plan.persons.append(_Person(person.line, record_id, person, data, record, stored, newer))


def _plan(
    actor: Actor,
    doc_persons: list[Record],
    doc_notes: list[Record],
    ori: str,
    domain: str,
    errors: Collector,
    skipped: list[str] | None,
) -> _Plan:
    """What to write; a record's problems are errors, or with ``skipped`` (skip_invalid)
    the record is left out and listed."""
    plan = _Plan()
    seen_persons: dict[str, int] = {}
    seen_notes: dict[str, int] = {}
    left_out: set[str] = set()

    def settle(mine: Collector, kind: str, line: int, what: str) -> bool:
        if mine.errors and skipped is not None:
            reasons = "; ".join(str(e) for e in mine.errors)
            skipped.append(f"line {line}: {kind} {what} left out ({reasons})")
            return False
        errors.errors.extend(mine.errors)
        return not mine.errors

    for person in doc_persons:
        record_id = person.get("person_record_id")
        if not record_id:
            continue  # reported by the reader
        mine = Collector("PFIF")
        if record_id in seen_persons:
            first = seen_persons[record_id]
            mine.add(person.line, "person_record_id", f"the same person as line {first}")
            settle(mine, "person", person.line, record_id)
            continue
        seen_persons[record_id] = person.line
        _plan_person(actor, person, plan, ori, domain, mine)
        if not settle(mine, "person", person.line, record_id):
            left_out.add(record_id)
    for top in doc_notes:
        found = _note(top, "", errors)
        if found:
            plan.notes.append(found)
    gone = plan.expired | left_out
    notes, plan.notes = [n for n in plan.notes if n.person_id not in gone], []
    for note in notes:
        mine = Collector("PFIF")
        if note.note_id in seen_notes:
            first = seen_notes[note.note_id]
            mine.add(note.line, "note_record_id", f"the same note as line {first}")
        seen_notes.setdefault(note.note_id, note.line)
        unknown = note.person_id and note.person_id not in seen_persons
        if unknown and _known_record(actor, note.person_id, domain) is None:
            mine.add(note.line, "person_record_id", "no such person in the file or in Beacon")
        if settle(mine, "note", note.line, note.note_id):
            plan.notes.append(note)
    return plan


def import_pfif(
    actor: Actor,
    operation: str,
    data: bytes,
    *,
    source: str = "pfif.xml",
    ori: str = "",
    domain: str = DEFAULT_DOMAIN,
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Persons and notes of a PFIF 1.1-1.4 document into an operation, all or nothing.

    ``ori`` names the agency the new records are entered for (the actor's own agency
    unless the actor is the system actor, which must name one). With ``skip_invalid``
    a person or note that breaks the spec is left out and listed (``result.skipped``,
    by line), as Person Finder's own importer does; the rest is imported. A problem of
    the document itself (not well-formed, not PFIF) still refuses the whole file.
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
    doc, problems = read(data)
    skipped: list[str] = []
    if doc is not None and skip_invalid:
        problems = _skip_invalid(doc, problems, skipped)
    errors.errors.extend(problems)
    errors.raise_if_any()
    assert doc is not None
    plan = _plan(
        actor, doc.persons, doc.notes, ori, domain, errors, skipped if skip_invalid else None
    )
    total = len(plan.persons) + len(plan.notes)
    if progress:
        progress("validate", total, total)
    errors.raise_if_any()
    result = ImportResult(FORMAT, source, digest(data))
    result.skipped = skipped
    if skipped:
        result.count("skipped_invalid", len(skipped))
    if plan.expired:
        result.count("persons_expired_skipped", len(plan.expired))
    if plan.older:
        result.count("persons_not_newer", plan.older)
    with transaction.atomic():
        for stored in plan.to_expire:
            stored.fields, stored.beacon = {}, {}
            stored.expiry_date = min(stored.expiry_date or timezone.now(), timezone.now())
            stored.save(update_fields=["fields", "beacon", "expiry_date"])
            result.count("persons_expired")
        targets = _write_persons(actor, op, plan, source, domain, result, errors, progress)
        _write_notes(actor, op, plan, targets, source, domain, result, errors)
        errors.raise_if_any()
        audit.record(
            actor,
            "interchange.import",
            object_type="operation",
            object_id=op.code,
            detail={
                **{k: v for k, v in result.as_dict().items() if k != "nics"},
                "pfif_version": doc.version,
            },
        )
    return result


def _skip_invalid(doc: Document, problems: list[LineError], skipped: list[str]) -> list[LineError]:
    """Leave out each person or note with a problem of its own; the document's remain."""
    own: set[int] = set()

    def keep(record: Record) -> bool:
        own.update(id(p) for p in record.problems)
        for note in record.notes:
            own.update(id(p) for p in note.problems)
        if not record.problems:
            return True
        what = record.get(f"{record.kind}_record_id") or "(no id)"
        reasons = "; ".join(str(p) for p in record.problems)
        skipped.append(f"line {record.line}: {record.kind} {what} left out ({reasons})")
        return False

    doc.persons = [p for p in doc.persons if keep(p)]
    for person in doc.persons:
        person.notes = [n for n in person.notes if keep(n)]
    doc.notes = [n for n in doc.notes if keep(n)]
    return [p for p in problems if id(p) not in own]


def _store(person: _Person, record: MissingPersonRecord, source: str) -> None:
    """Keep the person as its source gave it, beside the record (never our own ids)."""
    # The description is the record's notes, sealed under the agency's key: the copy keeps
    # no clear version of it (it would outlive a destroyed key); it goes out from the record.
    fields = {k: v for k, v in person.source.fields.items() if k not in SEALED_IN_RECORD}
    beacon = derived(MissingPersonRecord.objects.get(pk=record.pk))
    values = {
        "record": record,
        "fields": fields,
        "beacon": {k: v for k, v in beacon.items() if k not in SEALED_IN_RECORD},
        "source_date": _moment(person.source.get("source_date"))
        if person.source.get("source_date")
        else timezone.now(),
        "expiry_date": _moment(fields["expiry_date"]) if fields.get("expiry_date") else None,
        "stored_at": timezone.now(),
        "source": source,
    }
    PfifPerson.objects.update_or_create(person_record_id=person.record_id, defaults=values)


def _changes(before: RecordInput, after: RecordInput) -> dict[str, object]:
    names = [
        "last_name",
        "first_name",
        "middle_name",
        "sex",
        "dob",
        "aliases",
        "place_last_seen",
        "jurisdiction_last_seen",
        "notes",
    ]
    return {n: getattr(after, n) for n in names if getattr(before, n) != getattr(after, n)}


def _write_person(
    actor: Actor, person: _Person, source: str, domain: str, result: ImportResult
) -> MissingPersonRecord:
    record = person.record
    if record is None:
        record = registry.enter_record(
            actor, person.data, reason=f"imported from {source} (PFIF {person.record_id})"
        )
        result.count("entered")
    elif person.update:
        changes = _changes(registry.record_input_of(record), person.data)
        if changes:
            record = registry.modify_record(
                actor,
                record.nic,
                changes,
                reason=f"a later version of PFIF {person.record_id} from {source}",
            )
        result.count("updated")
    else:
        result.count("linked")
    ExternalId.objects.get_or_create(
        scheme=SCHEME, value=person.record_id, defaults={"record": record, "source": source}
    )
    own = person.record_id.partition("/")[0] == domain
    if not own and (person.stored is None or person.update):
        _store(person, record, source)
    return record


def _write_persons(
    actor: Actor,
    op: Operation,
    plan: _Plan,
    source: str,
    domain: str,
    result: ImportResult,
    errors: Collector,
    progress: Progress | None,
) -> dict[str, MissingPersonRecord]:
    records: dict[str, MissingPersonRecord] = {}
    for done, person in enumerate(plan.persons, start=1):
        try:
            record = _write_person(actor, person, source, domain, result)
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
            fields=note.kept,
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
