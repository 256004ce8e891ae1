"""PFIF against Person Finder's own files and code (test oracles in ../shared/peers/).

Person Finder's samples (PFIF 1.1-1.4) are imported; Beacon's exports are fed to Person
Finder's own parser and importer checks (py3-port/pf_check.py) and to the pfif-tools
validator (1.1-1.3 only: the namespace is relabelled 1.3 for its structural checks).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
import pytest
from django.db import transaction

from beacon.core.actor import Actor
from beacon.core.errors import Conflict
from beacon.interchange import pfif
from beacon.interchange.errors import ImportRejected
from beacon.interchange.models import PfifPerson
from beacon.interchange.pfif_read import NOTE_ORDER, NS, PERSON_ORDER
from beacon.operations.models import Lead, Operation
from beacon.records.models import MissingPersonRecord

PEERS = Path(__file__).resolve().parents[2].parent / "shared" / "peers"
if not PEERS.is_dir():
    if os.environ.get("CI"):
        raise RuntimeError(f"the peers' files are missing: expected {PEERS} beside the checkout")
    pytest.skip(f"no {PEERS} beside the checkout", allow_module_level=True)
PF = PEERS / "personfinder"
PORT = PF / "py3-port"
VARIANTS = PF / "samples-as-found" / "variants"
SAMPLES = sorted(p for p in PF.rglob("*.xml") if p.is_file())


@pytest.fixture
def load(system: Actor, operation: Operation) -> Callable[..., Any]:
    def run(data: bytes, **kwargs: Any) -> Any:
        return pfif.import_pfif(system, operation.code, data, ori="NM0070100", **kwargs)

    return run


def _pf(script: str, path: Path) -> str:
    done = subprocess.run(  # noqa: S603 - Person Finder's own code, on our own file
        [sys.executable, script, str(path)],
        cwd=PORT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_peers_samples_are_there() -> None:
    assert len(SAMPLES) > 50
    assert {"1.1", "1.2", "1.3", "1.4"} <= {
        SafeET.parse(p).getroot().tag.split("/pfif/")[1].split("}")[0] for p in SAMPLES
    }


@pytest.mark.parametrize("sample", SAMPLES, ids=[str(p.relative_to(PF)) for p in SAMPLES])
def test_every_person_finder_sample_imports_or_is_refused_by_line(
    load: Callable[..., Any], sample: Path
) -> None:
    data = sample.read_bytes()
    try:
        with transaction.atomic():
            load(data)
            transaction.set_rollback(True)
    except ImportRejected as exc:
        assert exc.errors and all(e.line > 0 and e.field and e.message for e in exc.errors)
    # Person Finder's own importer leaves out bad records and takes the rest: so does
    # skip_invalid, each left-out person or note listed with its line and reason.
    result = load(data, skip_invalid=True)
    assert all(s.startswith("line ") and "left out (" in s for s in result.skipped)
    assert result.counts.get("skipped_invalid", 0) == len(result.skipped)


def test_person_finder_own_1_4_test_file_imports_with_its_two_bad_notes_listed(
    load: Callable[..., Any],
) -> None:
    data = (VARIANTS / "pf14-realnames.xml").read_bytes()
    with pytest.raises(ImportRejected) as caught:
        load(data)
    assert {(e.line, e.field) for e in caught.value.errors} == {
        (66, "author_name"),
        (76, "author_name"),
    }
    result = load(data, skip_invalid=True)
    assert result.counts["entered"] == 1 and len(result.skipped) == 2
    assert Lead.objects.count() == 2


def test_older_versions_are_read_with_their_1_4_names(load: Callable[..., Any]) -> None:
    v11 = (PF / "original/tests/test.pfif-1.1.xml").read_text()
    v11 = v11.replace("_test_first_name", "Ana").replace("_test_last_name", "Ruiz")
    result = load(v11.encode(), skip_invalid=True)
    assert result.counts["entered"] == 1
    copy = PfifPerson.objects.get()
    assert (copy.fields["given_name"], copy.fields["family_name"]) == ("Ana", "Ruiz")
    assert copy.fields["full_name"] == "Ana Ruiz"
    assert copy.fields["home_postal_code"] == "_test_home_zip"  # home_zip in 1.1
    # The description is the record's notes, sealed: the copy keeps no clear version of it.
    assert "description" not in copy.fields and "description" not in copy.beacon
    record = MissingPersonRecord.objects.get()
    assert (record.last_name, record.notes) == ("Ruiz", "_test_description")


def _persons(document: bytes) -> dict[str, dict[str, str]]:
    root = SafeET.fromstring(document)
    out = {}
    for person in root.findall(f"{{{NS}}}person"):
        values = {local.tag.split("}")[1]: (local.text or "") for local in person}
        out[values["person_record_id"]] = values
    return out


def _source_person(path: Path) -> dict[str, str]:
    person = SafeET.parse(path).getroot().find(f"{{{NS}}}person")
    assert person is not None
    return {
        c.tag.split("}")[1]: "\n".join(x.strip() for x in (c.text or "").strip().splitlines())
        for c in person
        if c.tag.split("}")[1] != "note"
    }


@pytest.mark.parametrize("name", ["pf14-realnames.xml", "pf14-japanese.xml"])
def test_a_person_finder_person_goes_back_out_with_every_field_as_given(
    load: Callable[..., Any], hub_a: Actor, operation: Operation, name: str
) -> None:
    load((VARIANTS / name).read_bytes(), skip_invalid=True)
    MissingPersonRecord.objects.update(tlp="GREEN")
    document, _counts = pfif.export_pfif(hub_a, operation=operation.code)
    (back,) = _persons(document).values()
    given = _source_person(VARIANTS / name)
    for field in PERSON_ORDER:
        if field != "entry_date":  # the time Beacon stored its copy
            assert back.get(field, "") == given.get(field, ""), field


def test_a_japanese_full_name_is_kept_as_written(
    load: Callable[..., Any], hub_a: Actor, operation: Operation
) -> None:
    load((VARIANTS / "pf14-japanese.xml").read_bytes(), skip_invalid=True)
    MissingPersonRecord.objects.update(tlp="GREEN")
    document, _counts = pfif.export_pfif(hub_a, operation=operation.code)
    (back,) = _persons(document).values()
    assert back["full_name"] == "山田太郎\nYamada Taro"
    record = MissingPersonRecord.objects.get()
    assert "1970-01" not in record.notes and "35-45" not in record.notes


def test_a_later_source_date_updates_the_person_and_an_older_one_does_not(
    load: Callable[..., Any], hub_a: Actor, operation: Operation
) -> None:
    first = (VARIANTS / "pf14-realnames.xml").read_text()
    load(first.encode(), skip_invalid=True)
    later = first.replace("2000-01-01T00:00:00Z", "2000-02-01T00:00:00Z").replace(
        "_test_home_street", "12 New Street"
    )
    result = load(later.encode(), skip_invalid=True)
    assert result.counts["updated"] == 1
    older = first.replace("2000-01-01T00:00:00Z", "1999-12-01T00:00:00Z").replace(
        "_test_home_street", "Old Street"
    )
    result = load(older.encode(), skip_invalid=True)
    assert result.counts["persons_not_newer"] == 1
    copy = PfifPerson.objects.get()
    assert copy.fields["home_street"] == "12 New Street"
    assert copy.source_date.isoformat() == "2000-02-01T00:00:00+00:00"


def test_an_expired_person_loses_its_personal_data_and_is_not_exported(
    load: Callable[..., Any], hub_a: Actor, operation: Operation
) -> None:
    load((VARIANTS / "pf14-realnames.xml").read_bytes(), skip_invalid=True)
    MissingPersonRecord.objects.update(tlp="GREEN")
    result = load((VARIANTS / "pf14-realnames-expired.xml").read_bytes(), skip_invalid=True)
    assert result.counts["persons_expired"] == 1
    copy = PfifPerson.objects.get()
    assert copy.fields == {} and copy.beacon == {}
    document, counts = pfif.export_pfif(hub_a, operation=operation.code)
    assert counts["expired"] == 1 and counts["persons"] == 0
    assert _persons(document) == {}


def test_an_export_that_tlp_withholds_entirely_is_refused(
    enter: Callable[..., MissingPersonRecord], hub_a: Actor
) -> None:
    enter(oca="LC-1", tlp="RED")
    with pytest.raises(Conflict) as caught:
        pfif.export_pfif(hub_a)
    assert "Nothing may leave" in caught.value.message


def test_one_domain_per_export_when_asked(
    load: Callable[..., Any],
    enter: Callable[..., MissingPersonRecord],
    hub_a: Actor,
    operation: Operation,
) -> None:
    load((VARIANTS / "pf14-realnames.xml").read_bytes(), skip_invalid=True)
    MissingPersonRecord.objects.update(tlp="GREEN")
    own = enter(oca="LC-1", tlp="GREEN")
    everything, _counts = pfif.export_pfif(hub_a)
    assert len(_persons(everything)) == 2
    mine, counts = pfif.export_pfif(hub_a, record_domain=pfif.DEFAULT_DOMAIN)
    assert list(_persons(mine)) == [f"{pfif.DEFAULT_DOMAIN}/{own.nic}"]
    assert counts["other_domains"] == 1


def test_person_finder_accepts_every_beacon_export_with_no_problem(
    load: Callable[..., Any],
    enter: Callable[..., MissingPersonRecord],
    hub_a: Actor,
    operation: Operation,
    tmp_path: Path,
) -> None:
    for name in ("pf14-realnames.xml", "pf14-japanese.xml"):
        load((VARIANTS / name).read_bytes(), skip_invalid=True)
    MissingPersonRecord.objects.update(tlp="GREEN")
    mine = enter(oca="LC-1", tlp="GREEN")
    from beacon.operations.models import Target

    target = Target.objects.create(
        operation=operation, record=mine, assigned_agency=mine.originating_agency
    )
    Lead.objects.create(
        target=target, received_at=mine.entered_at, source="Tip line", description="Seen"
    )
    document, counts = pfif.export_pfif(hub_a)
    assert counts["persons"] == 3
    path = tmp_path / "beacon.xml"
    path.write_bytes(document)
    said = _pf("pf_check.py", path)
    assert "parsed: 3 persons, 5 notes" in said
    assert "\n0 problems" in said


def test_the_pfif_validator_reports_only_the_1_4_names_it_does_not_know(
    load: Callable[..., Any],
    enter: Callable[..., MissingPersonRecord],
    hub_a: Actor,
    tmp_path: Path,
) -> None:
    # Beacon's own records, and a partner's person whose values are well-formed (Person
    # Finder's test values such as "_test_author_email" go back out as given, and the
    # validator rightly flags them; a 1.4 multi-line full_name is flagged by 1.3 rules).
    realistic = (VARIANTS / "pf14-realnames.xml").read_text()
    for placeholder, value in {
        "_test_author_email": "maria@example.org",
        "_test_author_phone": "+1 505 555 0100",
        "_test_source_url": "https://example.org/p/21009",
        "_test_photo_url": "https://example.org/p/21009.jpg",
        "_test_note_photo_url": "https://example.org/n/27009.jpg",
        "_test_home_state": "NM",
        "_test_email_of_found_person": "found@example.org",
        "_test_phone_of_found_person": "+1 505 555 0101",
        "inna-testing-number": "+1 505 555 0102",
        "\nマリア ガルシア</pfif:full_name>": "</pfif:full_name>",
        "_test_profile_url1": "https://example.org/u/1",
        "_test_profile_url2": "https://example.org/u/2",
        "<pfif:linked_person_record_id>test.google.com/person.999</pfif:linked_person_record_id>": "",
    }.items():
        realistic = realistic.replace(placeholder, value)
    load(realistic.encode(), skip_invalid=True)
    MissingPersonRecord.objects.update(tlp="GREEN")
    enter(oca="LC-1", tlp="GREEN")
    document, _counts = pfif.export_pfif(hub_a)
    relabelled = tmp_path / "as13.xml"
    relabelled.write_bytes(document.replace(NS.encode(), b"http://zesty.ca/pfif/1.3"))
    report = _pf("pfif_validator.py", relabelled)
    new_in_14 = {
        "given_name",
        "family_name",
        "alternate_names",
        "description",
        "profile_urls",
        "author_made_contact",
        "photo_url",
    }
    summary = report.split("\n\n")[0].splitlines()[1:]
    assert [line.split("\t")[0] for line in summary if line.strip()] == ["Extraneous Tag."]
    tags = [line for line in report.splitlines() if line.startswith("The tag of")]
    assert tags and {t.rsplit(": ", 1)[1] for t in tags} <= new_in_14, report


def _notes(document: bytes) -> dict[str, dict[str, str]]:
    root = SafeET.fromstring(document)
    out = {}
    nested = {
        note: person.findtext(f"{{{NS}}}person_record_id") or ""
        for person in root.iter(f"{{{NS}}}person")
        for note in person.findall(f"{{{NS}}}note")
    }
    for note in root.iter(f"{{{NS}}}note"):
        values = {
            c.tag.split("}")[1]: "\n".join(x.strip() for x in (c.text or "").strip().splitlines())
            for c in note
        }
        # A note nested in its person leaves person_record_id implied (Person Finder's
        # parse_file fills it in from the person, as here).
        values.setdefault("person_record_id", nested.get(note, ""))
        out[values["note_record_id"]] = values
    return out


def test_valid_1_1_and_1_2_samples_import_and_note_files_follow_their_person(
    load: Callable[..., Any],
) -> None:
    """Not only 'imported or refused': what Person Finder's own checks accept, Beacon
    takes; what they flag, Beacon refuses by line (the issue: every 1.1 and 1.2 file
    was refused)."""
    for name in (
        "test.pfif-1.1.xml",
        "test.pfif-1.2-source.xml",
        "global-test.pfif-1.2-source.xml",
    ):
        with transaction.atomic():
            result = load((PF / "original/tests" / name).read_bytes())
            assert result.counts["entered"] == 1, name
            transaction.set_rollback(True)
    # test.pfif-1.2.xml: its two notes without author_name (a required field of a 1.2
    # note) are the two problems pf_check finds (note.40121, note.50121); the rest goes in.
    said = _pf("pf_check.py", PF / "original/tests/test.pfif-1.2.xml")
    assert "note.40121', 'note missing author_name" in said
    assert "note.50121', 'note missing author_name" in said
    result = load((PF / "original/tests/test.pfif-1.2.xml").read_bytes(), skip_invalid=True)
    assert result.counts["entered"] == 1
    assert [s.split(":")[0] for s in result.skipped] == ["line 60", "line 68"]
    # Person Finder's note files are updates to that person: they import once it is held.
    # A note about a person held nowhere is refused, as Person Finder's own importer does
    # ("There is no person record with the person_record_id").
    leads = Lead.objects.count()
    load((PF / "original/tests/test.pfif-1.2-believed-dead.xml").read_bytes())
    assert Lead.objects.count() == leads + 1
    # The notification repeats note.27009, already held: notes are never rewritten.
    load((PF / "original/tests/test.pfif-1.2-notification.xml").read_bytes())
    assert Lead.objects.count() == leads + 1
    with pytest.raises(ImportRejected) as caught:
        load((PF / "original/tests/test.pfif-1.2-note.xml").read_bytes())
    assert [(e.line, e.field) for e in caught.value.errors] == [(19, "person_record_id")]
    result = load((PF / "original/tests/test.pfif-1.2-note.xml").read_bytes(), skip_invalid=True)
    assert len(result.skipped) == 1 and result.skipped[0].startswith("line 19")


def test_child_and_record_order_is_not_significant(
    load: Callable[..., Any], hub_a: Actor, operation: Operation
) -> None:
    """PFIF 1.4 §2: the order of a record's fields is not significant, and persons and
    notes come in any order at the top level."""
    source = (VARIANTS / "pf14-realnames.xml").read_bytes()
    root = SafeET.fromstring(source)
    import xml.etree.ElementTree as ET  # building a document, not parsing one

    (person,) = root.findall(f"{{{NS}}}person")
    notes = person.findall(f"{{{NS}}}note")
    for note in notes:
        person.remove(note)
        note[:] = list(reversed(list(note)))
    person[:] = list(reversed(list(person)))
    root[:] = [*notes, person]  # top-level notes first, then their person
    shuffled = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    load(shuffled, skip_invalid=True)
    MissingPersonRecord.objects.update(tlp="GREEN")
    once, _counts = pfif.export_pfif(hub_a, operation=operation.code)
    assert PfifPerson.objects.count() == 1 and Lead.objects.count() == 2
    (back,) = _persons(once).values()
    given = _source_person(VARIANTS / "pf14-realnames.xml")
    for field in PERSON_ORDER:
        if field != "entry_date":
            assert back.get(field, "") == given.get(field, ""), field


def test_a_person_finder_note_goes_back_out_with_every_field_as_given(
    load: Callable[..., Any], hub_a: Actor, operation: Operation
) -> None:
    """The notes' own fields (author contact, linked record, found person's contact,
    photo, location, status) come back as the partner wrote them."""
    source = (VARIANTS / "pf14-realnames.xml").read_bytes()
    load(source, skip_invalid=True)
    MissingPersonRecord.objects.update(tlp="GREEN")
    document, _counts = pfif.export_pfif(hub_a, operation=operation.code)
    given = _notes(source)
    back = _notes(document)
    kept = {nid: values for nid, values in given.items() if values.get("author_name")}
    assert set(back) == set(kept) and len(kept) == 2
    for nid, values in kept.items():
        for field in NOTE_ORDER:
            if field != "entry_date":
                assert back[nid].get(field, "") == values.get(field, ""), (nid, field)


def test_source_date_is_when_the_record_last_changed_at_its_source(
    enter: Callable[..., MissingPersonRecord], investigator_a: Actor, hub_a: Actor
) -> None:
    """Not the date of last contact at midnight (the issue): PFIF's source_date is when
    the record was created or last updated at its source, so a later edit moves it."""
    from datetime import timedelta

    from django.utils import timezone

    from beacon.records.services import modify_record

    record = enter(oca="LC-1", tlp="GREEN")
    document, _counts = pfif.export_pfif(hub_a)
    (person,) = _persons(document).values()
    assert person["source_date"] != f"{record.dlc.isoformat()}T00:00:00Z"
    entered = record.transactions.order_by("at").first()
    assert entered is not None
    assert person["source_date"] == entered.at.strftime("%Y-%m-%dT%H:%M:%SZ")
    later = timezone.now() + timedelta(minutes=5)
    modify_record(investigator_a, record.nic, {"weight_lb": 115}, now=later)
    document, _counts = pfif.export_pfif(hub_a)
    (person,) = _persons(document).values()
    changed = record.transactions.order_by("at").last()
    assert changed is not None and changed.at > entered.at
    assert person["source_date"] == changed.at.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_an_expired_placeholder_is_read_and_expires_the_copy_held(
    load: Callable[..., Any], hub_a: Actor, operation: Operation
) -> None:
    """Section 3.3: an expired record is sent as a placeholder with only
    person_record_id, expiry_date, source_date and entry_date (and its notes emptied),
    as the validator's own EXPIRE_99_NO_DATA and EXPIRE_99_EMPTY_DATA fixtures are.
    Beacon refused them for a missing full_name; they now expire the copy held."""
    fixtures = PF / "samples-as-found"
    for name in (
        "px-XML_EXPIRE_99_NO_DATA-1.3.xml",
        "px-XML_EXPIRE_99_EMPTY_DATA-1.3.xml",
        "pf14/px-XML_EXPIRE_99_EMPTY_DATA-1.3.as14.xml",
    ):
        with transaction.atomic():
            result = load((fixtures / name).read_bytes())
            assert result.counts == {"persons_expired_skipped": 1}, name
            transaction.set_rollback(True)
    load((VARIANTS / "pf14-realnames.xml").read_bytes(), skip_invalid=True)
    MissingPersonRecord.objects.update(tlp="GREEN")
    placeholder = (fixtures / "px-XML_EXPIRE_99_NO_DATA-1.3.xml").read_text()
    result = load(placeholder.replace("example.org/id", "test.google.com/person.21009").encode())
    assert result.counts["persons_expired"] == 1
    copy = PfifPerson.objects.get()
    assert copy.fields == {} and copy.beacon == {}
    document, counts = pfif.export_pfif(hub_a, operation=operation.code)
    assert counts["expired"] == 1 and _persons(document) == {}
    # A placeholder still needs its id and source_date, and one not yet expired is a
    # person like any other (full_name required).
    future = placeholder.replace(
        "1999-02-03T04:05:06Z</pfif:expiry_date>", "2999-01-01T00:00:00Z</pfif:expiry_date>"
    )
    with pytest.raises(ImportRejected) as caught:
        load(future.encode())
    assert [e.field for e in caught.value.errors] == ["full_name"]
