"""Nothing sealed is ever written in clear: a marker entered through every write path of
every sealed field is found nowhere (every column of every table, the backup, the log
and the command output) before the agency keys are destroyed, and still nowhere after,
when history, exports and the backup are read again.

The enter transaction and the records.enter audit event used to copy the whole record,
notes included; audit rows can never be deleted, so that copy outlived the key.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Iterator
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook

from beacon.agencies.models import Agency, Jurisdiction
from beacon.core.actor import system_actor
from beacon.core.errors import Conflict
from beacon.interchange import htcds, ncic, pfif
from beacon.interchange.models import NcicEntry
from beacon.operations.bundles.exporter import export_bundle
from beacon.operations.corrections import correct
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
from beacon.operations.outcomes import withdraw
from beacon.operations.services import record_outcome
from beacon.records.imports.importer import import_records
from beacon.records.models import MissingPersonRecord
from beacon.vault import sealing
from beacon.vault.models import AgencyKey
from beacon.vault.services import destroy_agency_key
from tests.operations.factories import CODE, LEAD, NGO, PARTNER, load_tiny, tiny_bundle
from tests.personas import acting
from tests.vault.leaks import (
    backup_text,
    database_files,
    files_holding,
    holds,
    tables_holding,
)

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "formats" / "samples"
DLC = (timezone.localdate() - timedelta(days=3)).isoformat()


@pytest.fixture(autouse=True)
def _sealing_on() -> Iterator[None]:
    """Sealing as configured in production (BEACON_SEAL_FREE_TEXT)."""
    was = sealing.connected()
    sealing.connect()
    yield
    if not was:
        sealing.disconnect()


class Marks:
    """One marker per write path, all sharing a random stem (so one scan finds any)."""

    def __init__(self) -> None:
        self.stem = "Qz" + secrets.token_hex(5)
        self.used: list[str] = []

    def token(self, path: str) -> str:
        mark = f"{self.stem}{path}"
        self.used.append(mark)
        return mark

    def __call__(self, path: str) -> str:
        return f"Seen near the river by {self.token(path)} at dusk."


def _bundle(mark: Marks) -> dict[str, Any]:
    """The tiny bundle with a marker in every free-text field a bundle carries."""
    bundle = tiny_bundle()
    base = {"operation": CODE, "agency": LEAD, "jurisdiction": "county:35013"}
    at = "2021-05-11T10:00:00Z"
    bundle["records"][0]["notes"] = mark("bundlerecord")
    bundle["victims"][0] |= {"notes": mark("bundlevictim"), "consent": "given"}
    bundle["arrests"][0] |= {"notes": mark("bundlearrest"), "charges": mark("bundlecharges")}
    bundle["referrals"][0]["notes"] = mark("bundlereferral")
    bundle["search_warrants"] = [base | {"ref": "W1", "at": at, "notes": mark("bundlewarrant")}]
    bundle["raids"] = [base | {"ref": "D1", "at": at, "kind": "hotel", "notes": mark("bundleraid")}]
    bundle["seizures"] = [base | {"ref": "Z1", "at": at, "notes": mark("bundleseizure")}]
    bundle["services"] = [
        base
        | {
            "ref": "S1",
            "at": at,
            "agency": NGO,
            "person": "T-P1",
            "kind": "medical",
            "notes": mark("bundleservice"),
        }
    ]
    bundle["investigations"] = [
        base | {"ref": "I1", "at": at, "type": "other", "notes": mark("bundleinvestigation")}
    ]
    return bundle


def _record_row(oca: str, ori: str, notes: str) -> list[str]:
    return ["EMJ", "Riverside", "Ana", "F", "2010-03-05", DLC, oca, ori, notes]


def _files(tmp_path: Path, mark: Marks) -> tuple[Path, Path]:
    header = ["MKE", "last_name", "first_name", "sex", "dob", "dlc", "oca", "ori", "notes"]
    csv = tmp_path / "records.csv"
    rows = [header, _record_row("CSV-1", PARTNER, mark("csv"))]
    csv.write_text("\n".join(";".join(r) for r in rows) + "\n", encoding="utf-8")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (header, _record_row("XLSX-1", PARTNER, mark("xlsx"))):
        sheet.append(row)
    xlsx = tmp_path / "records.xlsx"
    book.save(xlsx)
    return csv, xlsx


def _web_events(client: Client, mark: Marks) -> None:
    lead = Agency.objects.get(ori=LEAD)
    place = Jurisdiction.objects.get(kind="county", code="35013")
    base = {"agency": lead.pk, "jurisdiction": place.pk, "at": "2021-05-12T21:30"}
    forms: dict[str, dict[str, Any]] = {
        "arrest": {"role": "buyer", "warrants_served": "0", "last_name": "Formson"}
        | {"charges": mark("webcharges")},
        "victim": {"age_group": "minor", "sex": "F", "last_name": "Formdottir"}
        | {"self_identification": "not_stated", "consent": "given"},
        "warrant": {},
        "raid": {"kind": "hotel"},
        "seizure": {"devices": "1", "file_count": "0", "file_count_qualifier": "exact"},
        "service": {"victim": "V1", "kind": "medical", "status": "provided"},
        "referral": {"victim": "V1", "to_agency": Agency.objects.get(ori=NGO).pk},
        "investigation": {"type": "other"},
    }
    for kind, fields in forms.items():
        data = base | fields | {"notes": mark(f"web{kind}")}
        answer = client.post(f"/operations/{CODE}/events/{kind}/", data)
        assert answer.status_code == 302, (kind, answer.content.decode()[:3000])


def _api_writes(api: Client, mark: Marks) -> str:
    record = {
        "category": "EMJ",
        "last_name": "Apison",
        "first_name": "Ana",
        "sex": "F",
        "dob": "2010-03-05",
        "dlc": DLC,
        "oca": "API-1",
        "originating_ori": LEAD,
        "notes": mark("apirecord"),
    }
    answer = api.post(
        "/api/records",
        record,
        content_type="application/json",
        headers={"Idempotency-Key": "sealed-" + secrets.token_hex(4)},  # the stored response
    )
    assert answer.status_code == 201, answer.content
    nic = str(answer.json()["nic"])
    modified = api.patch(
        f"/api/records/{nic}",
        {"changes": {"notes": mark("apimodify")}, "reason": "new lead"},
        content_type="application/json",
        headers={"If-Match": answer["ETag"]},
    )
    assert modified.status_code == 200, modified.content
    base = {"agency": LEAD, "jurisdiction": "county:35013", "at": "2021-06-01T20:00:00Z"}
    people = [{"ref": "P-AV", "last_name": "Apivictim", "sex": "F"}]
    victim = base | {"ref": "V-API", "age_group": "minor", "person": "P-AV", "people": ["P-AV"]}
    victim["notes"] = mark("apivictim")
    body = json.dumps({"people": people, "rows": [victim]})
    entries = api.post(
        f"/api/operations/{CODE}/entries/victims", body, content_type="application/json"
    )
    assert entries.status_code == 201, entries.content
    return nic


def _cli_record(mark: Marks) -> str:
    out = StringIO()
    call_command(
        "records",
        "enter",
        "category=EMJ",
        "last_name=Clison",
        "first_name=Ana",
        "sex=F",
        "dob=2010-03-05",
        f"dlc={DLC}",
        "oca=CLI-1",
        f"originating_ori={PARTNER}",
        f"notes={mark('cli')}",
        stdout=out,
    )
    return out.getvalue().split()[0]


def _interchange(mark: Marks) -> None:
    system = system_actor()
    feed = (SAMPLES / "pfif-partner-feed.xml").read_text(encoding="utf-8")
    feed = feed.replace("grey hoodie", mark("pfif"), 1)
    pfif.import_pfif(system, CODE, feed.encode(), ori=PARTNER)
    line = (SAMPLES / "ncic-active-missing.txt").read_text(encoding="utf-8").splitlines()[0]
    assert line.endswith("HIGH SCHOOL ON FOOT")  # MIS, the last column
    line = line.replace("NM0070100", PARTNER, 1).replace("HIGH SCHOOL", mark.token("ncic").upper())
    ncic.import_ncic(system, CODE, (line + "\n").encode())
    # An NCIC message: MIS (notes) and the identifying numbers kept beside the record.
    message = (SAMPLES / "ncic-messages.txt").read_text(encoding="utf-8").splitlines()[0]
    message = message.replace("NM0070100", PARTNER, 1).replace(".NIC/M104738291", "")
    message = message.replace("LC-2021-0412", "MSG-1").replace("HIGH SCHOOL", mark.token("mis"))
    message = message.replace(".MNP/", f".OLN/{mark.token('oln')}.MNP/", 1)
    ncic.import_ncic(system, CODE, (message + "\n").encode())


def _outcome_withdrawn_and_corrected() -> None:
    """The newer write paths that touch entries holding sealed text: an outcome on a target
    whose record's notes are sealed (the registry's locate), its withdrawal (the registry's
    reopen) and a correction of a victim entry's time (its notes are not rewritten)."""
    system = system_actor()
    target = Target.objects.get(operation__code=CODE, ref="T1")
    record_outcome(
        system,
        target,
        kind="located",
        how="returned_voluntarily",
        at=timezone.now() - timedelta(minutes=5),
        agency=Agency.objects.get(ori=PARTNER),
    )
    withdraw(system, Target.objects.get(pk=target.pk), reason="entered on the wrong child")
    operation = Operation.objects.get(code=CODE)
    made = correct(
        system,
        operation,
        "victim",
        "V1",
        changes={"at": timezone.now() - timedelta(days=1)},
        reason="the time was mistyped",
    )
    assert made, "nothing was corrected"


def _htcds_answers(mark: Marks) -> None:
    """The NGO answers its referral; the free text its case system sends back is read,
    never stored."""
    caseworker = acting(NGO, "caseworker")
    hub = acting(LEAD, "hub_coordinator")
    document = htcds.export_htcds(hub, CODE)
    for case in document["cases"]:
        case["cas_Notes"] = mark("htcds")
        for referral in case["referrals"]:
            for key in list(referral):
                if key.endswith("ReferralDetails"):
                    referral[key] = mark("htcdsdetails")
    htcds.import_htcds_updates(caseworker, json.dumps(document).encode())


@pytest.mark.django_db(transaction=True)
def test_a_marker_through_every_write_path_is_never_stored_in_clear_nor_outlives_the_keys(
    tmp_path: Path,
    api_client_as: Callable[..., Client],
    web_client_as: Callable[..., Client],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    mark = Marks()
    load_tiny(_bundle(mark))
    lead = Agency.objects.get(ori=LEAD)
    _web_events(web_client_as("investigator", lead), mark)
    caseworker = web_client_as("caseworker", Agency.objects.get(ori=NGO))
    answer = caseworker.post(
        "/referrals/victims/V1/services/",
        {"kind": "medical", "on": "2021-05-13", "notes": mark("inboxservice")},
    )
    assert answer.status_code == 302, answer.content.decode()[:3000]
    api_nic = _api_writes(api_client_as("supervisor", lead), mark)
    cli_nic = _cli_record(mark)
    csv, xlsx = _files(tmp_path, mark)
    import_records(system_actor(), csv)
    import_records(system_actor(), xlsx)
    _interchange(mark)
    _htcds_answers(mark)
    _outcome_withdrawn_and_corrected()

    # Every path wrote its marker, sealed: it reads back in clear through the models.
    notes = [r.notes for r in MissingPersonRecord.objects.all()]
    for model in (Victim, Arrest, SearchWarrant, Raid, Seizure, Service, Referral, Investigation):
        notes += [e.notes for e in model.objects.all()]
    notes += [a.charges for a in Arrest.objects.all()]
    notes += [e.identifiers for e in NcicEntry.objects.all()]
    written = " ".join(notes).lower()
    not_kept = {"htcds", "htcdsdetails", "apirecord"}  # read only; replaced by apimodify
    missing = [m for m in mark.used if m.lower() not in written and m[12:] not in not_kept]
    assert not missing, f"write paths that lost their text: {missing}"

    assert tables_holding(mark.stem) == [], "sealed text stored in clear"
    on_disk = database_files(server_wal=True)
    assert files_holding(mark.stem, on_disk) == [], "sealed text on disk in clear"
    wrapped = list(AgencyKey.objects.values_list("wrapped", flat=True))
    if connection.vendor == "postgresql":  # as autovacuum does: statistics copy values
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    history = StringIO()
    for nic in (api_nic, cli_nic):
        call_command("records", "history", nic, stdout=history)

    keyed = Agency.objects.filter(data_key__isnull=False)
    assert {a.ori for a in keyed} >= {LEAD, PARTNER, NGO}
    for agency in keyed:
        destroy_agency_key(system_actor(), agency)

    assert tables_holding(mark.stem) == [], "sealed text left after the keys were destroyed"
    assert files_holding(mark.stem, database_files(server_wal=True)) == [], "on disk in clear"
    files = database_files()  # PostgreSQL's WAL keeps the key: rotate the master key
    left = {key[:12]: files_holding(key, files) for key in wrapped}
    if connection.vendor == "postgresql":
        # Best effort there: VACUUM FULL keeps a dead row that a concurrent snapshot (the
        # audit chainer's, another request's) may still see, so the key table's own file
        # can keep it until the next vacuum; rotating the master key is the guarantee
        # (docs/threat-model.md, What is sealed). Every other relation must be clean.
        left = {k: [f for f in v if "(vault_agencykey)" not in f] for k, v in left.items()}
    assert not any(left.values()), f"destroyed keys still in the database's files: {left}"
    for nic in (api_nic, cli_nic):
        call_command("records", "history", nic, stdout=history)
        call_command("records", "show", nic, stdout=history)
    exports = [
        json.dumps(export_bundle(system_actor(), CODE), default=str),
        json.dumps(htcds.export_htcds(system_actor(), CODE), default=str),
        _pfif_or_nothing(),
        ncic.export_ncic(system_actor(), operation=CODE).text,
    ]
    backup = tmp_path / "beacon.backup"
    call_command("backup", str(backup), stdout=history)
    captured = capsys.readouterr()
    for where, text in (
        ("history and show", history.getvalue()),
        ("exports", "\n".join(exports)),
        ("log", caplog.text),
        ("output", captured.out + captured.err),
    ):
        assert not holds(text, mark.stem), f"sealed text in the {where}"
    assert not holds(backup_text(backup), mark.stem), "sealed text in the backup"
    assert sealing.UNREADABLE in history.getvalue() or "[sealed]" in history.getvalue()


def _pfif_or_nothing() -> str:
    """The operation's PFIF feed, or nothing when TLP withholds every record (refused)."""
    try:
        return pfif.export_pfif(system_actor(), operation=CODE)[0].decode()
    except Conflict:
        return ""
