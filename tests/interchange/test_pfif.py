"""PFIF 1.4: persons as records and notes as leads, in and out; schema; round trips."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import defusedxml.ElementTree as SafeET
import pytest
from django.utils import timezone

from beacon.agencies.models import Agency
from beacon.audit.models import AuditEvent
from beacon.core.actor import Actor
from beacon.core.errors import Forbidden, ValidationFailed
from beacon.interchange import pfif
from beacon.interchange.errors import ImportRejected
from beacon.interchange.models import ExternalId, PfifNote, PfifPerson
from beacon.interchange.pfif_read import NS
from beacon.operations.models import Lead, Operation, Target
from beacon.records.models import MissingPersonRecord
from tests.personas import acting

from .conftest import SAMPLES, in_rolled_back_transaction

SAMPLE = SAMPLES / "pfif-partner-feed.xml"
PERSON_FIELDS = [
    "person_record_id",
    "full_name",
    "given_name",
    "family_name",
    "alternate_names",
    "description",
    "sex",
    "date_of_birth",
    "home_city",
    "home_state",
    "home_country",
]
NOTE_FIELDS = ["note_record_id", "author_made_contact", "status", "last_known_location", "text"]


def q(name: str) -> str:
    return f"{{{NS}}}{name}"


def read(document: bytes) -> dict[str, Any]:
    """Persons and notes of a document, as plain values, notes keyed by their person."""
    root = SafeET.fromstring(document)
    persons, notes = {}, {}
    for person in root.findall(q("person")):
        values = {f: (person.findtext(q(f)) or "").strip() for f in PERSON_FIELDS}
        persons[values["person_record_id"]] = values
        for note in person.findall(q("note")):
            notes[note.findtext(q("note_record_id"))] = (
                values["person_record_id"],
                *[(note.findtext(q(f)) or "").strip() for f in NOTE_FIELDS],
            )
    for note in root.findall(q("note")):
        notes[note.findtext(q("note_record_id"))] = (
            note.findtext(q("person_record_id")),
            *[(note.findtext(q(f)) or "").strip() for f in NOTE_FIELDS],
        )
    return {"persons": persons, "notes": notes}


@pytest.fixture
def pfif_import(system: Actor, operation: Operation) -> Callable[..., Any]:
    def run(data: bytes | None = None, **kwargs: Any) -> Any:
        return pfif.import_pfif(
            system, operation.code, data or SAMPLE.read_bytes(), ori="NM0070100", **kwargs
        )

    return run


def test_sample_persons_become_records_and_notes_become_typed_leads(
    pfif_import: Callable[..., Any], operation: Operation
) -> None:
    result = pfif_import()
    assert result.counts == {
        "entered": 3,
        "targets_added": 3,
        "leads_inquiry": 1,
        "leads_sighting": 1,
        "leads_self_report": 1,
    }
    lupe = MissingPersonRecord.objects.get(
        external_ids__value="personfinder.example.org/person.4101"
    )
    assert (lupe.category, lupe.last_name, lupe.first_name, lupe.middle_name) == (
        "EMJ",
        "Martinez",
        "Guadalupe",
        "Isabel",
    )
    assert (str(lupe.dob), str(lupe.dlc), lupe.sex) == ("2008-04-03", "2021-04-28", "F")
    assert lupe.jurisdiction_last_seen.abbreviation == "NM"
    assert lupe.originating_agency.ori == "NM0070100"
    rosa = MissingPersonRecord.objects.get(external_ids__value="refugees.example.net/p/77-312")
    assert (rosa.category, rosa.dob, rosa.jurisdiction_last_seen.code) == ("EMO", None, "MX")
    # A partial date of birth is not pushed into the description: the person's copy keeps it.
    assert "1997" not in rosa.notes
    assert PfifPerson.objects.get(record=rosa).fields["date_of_birth"] == "1997"
    sighting = Lead.objects.get(pfif_note__status="believed_alive")
    assert sighting.target.record == lupe
    assert sighting.place == "Walmart, Avenida de Mesilla, Las Cruces"
    assert sighting.pfif_note.author_made_contact is False
    self_report = PfifNote.objects.get(status="is_note_author")
    assert self_report.lead.target.record.last_name == "Torres"
    assert Target.objects.filter(operation=operation).count() == 3


def test_importing_the_same_feed_again_writes_nothing_new(
    pfif_import: Callable[..., Any],
) -> None:
    pfif_import()
    again = pfif_import()
    assert again.counts == {
        "linked": 3,
        "persons_not_newer": 3,
        "targets_unchanged": 3,
        "notes_unchanged": 3,
    }
    assert (MissingPersonRecord.objects.count(), Lead.objects.count()) == (3, 3)
    assert ExternalId.objects.count() == 3


def test_export_after_import_gives_the_partner_feed_back(
    pfif_import: Callable[..., Any], hub_a: Actor, operation: Operation
) -> None:
    pfif_import()
    document, counts = pfif.export_pfif(hub_a, operation=operation.code)
    assert counts == {"persons": 3, "notes": 3, "withheld_tlp": 0}
    exported, sample = read(document), read(SAMPLE.read_bytes())
    assert exported["notes"] == sample["notes"]
    assert exported["persons"].keys() == sample["persons"].keys()
    for pid, values in sample["persons"].items():
        mine = exported["persons"][pid]
        for name in ("full_name", "sex", "home_city", "home_country", "alternate_names"):
            assert mine[name] == values[name], (pid, name)
    lupe = exported["persons"]["personfinder.example.org/person.4101"]
    assert lupe["description"] == sample["persons"][lupe["person_record_id"]]["description"]
    assert lupe["date_of_birth"] == "2008-04-03"


def test_export_then_import_gives_the_same_records_and_leads(
    enter: Callable[..., MissingPersonRecord],
    investigator_a: Actor,
    hub_a: Actor,
    system: Actor,
    operation: Operation,
) -> None:
    def carried(record: MissingPersonRecord) -> dict[str, Any]:
        names = sorted((n.last_name, n.first_name) for n in record.names.exclude(kind="primary"))
        leads = sorted(
            (lead.received_at, lead.source, lead.description, lead.place)
            for target in record.targets.all()
            for lead in target.leads.all()
        )
        return {
            "fields": [
                getattr(record, f)
                for f in ("nic", "category", "last_name", "first_name", "middle_name", "sex")
            ]
            # PFIF has no date of last contact: an imported person's is its source_date.
            + [record.dob, record.notes, record.place_last_seen],
            "place": record.jurisdiction_last_seen_id,
            "aliases": names,
            "leads": leads,
        }

    def export() -> tuple[bytes, dict[str, Any]]:
        record = enter()
        target = Target.objects.create(
            operation=operation, record=record, assigned_agency=record.originating_agency
        )
        Lead.objects.create(
            target=target,
            received_at=timezone.now().replace(microsecond=0) - timedelta(days=1),
            source="Crime Stoppers tip line",
            description="Seen at the bus station",
            place="Las Cruces Transit Center",
        )
        document, _counts = pfif.export_pfif(hub_a, operation=operation.code)
        return document, carried(record)

    document, before = in_rolled_back_transaction(export)
    assert not MissingPersonRecord.objects.exists()
    result = pfif.import_pfif(system, operation.code, document, ori=investigator_a.agency.ori)
    assert result.counts["entered"] == 1
    assert carried(MissingPersonRecord.objects.get()) == before


def test_incremental_export_gives_only_what_changed_since(
    pfif_import: Callable[..., Any], hub_a: Actor, operation: Operation
) -> None:
    pfif_import()
    since = timezone.now()
    empty, counts = pfif.export_pfif(hub_a, operation=operation.code, since=since)
    assert read(empty)["persons"] == {}
    assert counts == {"persons": 0, "notes": 0, "withheld_tlp": 0}
    stamp = (since + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    later = f"""<?xml version="1.0" encoding="UTF-8"?>
<pfif xmlns="http://zesty.ca/pfif/1.4"><note>
  <note_record_id>personfinder.example.org/note.9033</note_record_id>
  <person_record_id>personfinder.example.org/person.4102</person_record_id>
  <entry_date>{stamp}</entry_date><author_name>Angel Torres</author_name>
  <source_date>{stamp}</source_date><status>believed_alive</status>
  <text>Back home tonight.</text></note></pfif>"""
    pfif_import(later.encode())
    document, counts = pfif.export_pfif(hub_a, operation=operation.code, since=since)
    assert counts == {"persons": 1, "notes": 1, "withheld_tlp": 0}
    assert list(read(document)["persons"]) == ["personfinder.example.org/person.4102"]
    assert list(read(document)["notes"]) == ["personfinder.example.org/note.9033"]


BROKEN = b"""<?xml version="1.0" encoding="UTF-8"?>
<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">
  <pfif:person>
    <pfif:person_record_id>personfinder.example.org/person.1</pfif:person_record_id>
    <pfif:source_date>2021-04-28T18:30:00Z</pfif:source_date>
    <pfif:full_name>Ana Ruiz</pfif:full_name>
    <pfif:sex>f</pfif:sex>
  </pfif:person>
  <pfif:person>
    <pfif:person_record_id>personfinder.example.org/person.2</pfif:person_record_id>
    <pfif:full_name>Luis Ruiz</pfif:full_name>
  </pfif:person>
  <pfif:note>
    <pfif:note_record_id>personfinder.example.org/note.3</pfif:note_record_id>
    <pfif:author_name>A neighbour</pfif:author_name>
    <pfif:source_date>2021-05-01T10:00:00Z</pfif:source_date>
    <pfif:status>sighted</pfif:status>
    <pfif:text>Seen downtown.</pfif:text>
  </pfif:note>
</pfif:pfif>
"""


def test_spec_problems_are_reported_by_line_and_nothing_is_written(
    pfif_import: Callable[..., Any],
) -> None:
    with pytest.raises(ImportRejected) as caught:
        pfif_import(BROKEN)
    found = {(e.line, e.field) for e in caught.value.errors}
    assert found == {(7, "sex"), (9, "source_date"), (13, "person_record_id"), (17, "status")}
    assert not MissingPersonRecord.objects.exists()


def test_a_dtd_or_entity_is_refused(pfif_import: Callable[..., Any]) -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">&lol2;</pfif:pfif>"""
    with pytest.raises(ImportRejected) as caught:
        pfif_import(bomb)
    assert "refused" in caught.value.errors[0].message


def test_registry_rules_are_reported_with_the_pfif_element(
    pfif_import: Callable[..., Any],
) -> None:
    data = SAMPLE.read_bytes().replace(b"2008-04-03", b"2031-04-03")
    with pytest.raises(ImportRejected) as caught:
        pfif_import(data)
    assert {(e.line, e.field) for e in caught.value.errors} == {(3, "date_of_birth")}


def test_the_system_actor_must_name_the_agency(system: Actor, operation: Operation) -> None:
    with pytest.raises(ValidationFailed) as caught:
        pfif.import_pfif(system, operation.code, SAMPLE.read_bytes())
    assert "ori" in caught.value.fields


def test_export_shows_only_what_the_actor_may_see_and_is_audited(
    pfif_import: Callable[..., Any], agency_c: Agency, investigator_a: Actor
) -> None:
    pfif_import()
    outsider = acting(agency_c, "hub_coordinator", "olga")
    document, counts = pfif.export_pfif(outsider)
    assert counts == {"persons": 0, "notes": 0, "withheld_tlp": 0}
    assert read(document)["persons"] == {}
    with pytest.raises(Forbidden):
        pfif.export_pfif(investigator_a)
    event = AuditEvent.objects.filter(action="interchange.export").get()
    assert (event.actor, event.detail["nics"]) == ("olga", [])


def test_export_queries_do_not_grow_with_the_records(
    pfif_import: Callable[..., Any], hub_a: Actor, operation: Operation
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pfif_import()
    with CaptureQueriesContext(connection) as few:
        pfif.export_pfif(hub_a, operation=operation.code)
    more = SAMPLE.read_bytes().replace(b"person.41", b"person.51").replace(b"note.90", b"note.80")
    pfif_import(more.replace(b"77-312", b"77-999"))
    with CaptureQueriesContext(connection) as many:
        _document, counts = pfif.export_pfif(hub_a, operation=operation.code)
    assert counts == {"persons": 6, "notes": 6, "withheld_tlp": 0}

    # Key look-ups of the vault (sealed notes, cached per agency) are not the export's own.
    def own(queries: list[dict[str, str]]) -> int:
        return sum(1 for q in queries if "vault_" not in q["sql"])

    assert own(many.captured_queries) == own(few.captured_queries)


def test_an_expired_person_and_its_notes_are_not_imported(
    pfif_import: Callable[..., Any],
) -> None:
    expired = SAMPLE.read_bytes().replace(
        b"<pfif:entry_date>2021-05-02T16:05:00Z</pfif:entry_date>",
        b"<pfif:entry_date>2021-05-02T16:05:00Z</pfif:entry_date>\n"
        b"    <pfif:expiry_date>2021-06-02T16:05:00Z</pfif:expiry_date>",
    )
    result = pfif_import(expired)
    assert result.counts["entered"] == 2
    assert result.counts["persons_expired_skipped"] == 1
    assert not MissingPersonRecord.objects.filter(last_name="Torres").exists()
    assert not PfifNote.objects.filter(status="is_note_author").exists()


def test_records_marked_red_or_amber_strict_never_leave_in_a_partner_export(
    enter: Callable[..., MissingPersonRecord], hub_a: Actor
) -> None:
    shared = enter(oca="LC-1", tlp="AMBER")
    enter(oca="LC-2", tlp="RED")
    enter(oca="LC-3", tlp="AMBER+STRICT")
    document, counts = pfif.export_pfif(hub_a)
    assert counts == {"persons": 1, "notes": 0, "withheld_tlp": 2}
    assert list(read(document)["persons"]) == [f"{pfif.DEFAULT_DOMAIN}/{shared.nic}"]
    event = AuditEvent.objects.get(action="interchange.export")
    assert len(event.detail["withheld_tlp"]) == 2
