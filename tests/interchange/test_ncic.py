"""NCIC messages: export, import into a target list, round trip, refusals; the legacy
fixed-column layout is still read."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from beacon.audit.models import AuditEvent
from beacon.core.actor import Actor
from beacon.core.errors import Forbidden, NotVisible, ValidationFailed
from beacon.interchange import ncic
from beacon.interchange.errors import ImportRejected
from beacon.interchange.models import NcicEntry
from beacon.operations.models import Operation, Target
from beacon.records.models import MissingPersonRecord

from .conftest import SAMPLES, in_rolled_back_transaction

SAMPLE = SAMPLES / "ncic-messages.txt"
LEGACY = SAMPLES / "ncic-active-missing.txt"
CARRIED = [
    "nic",
    "category",
    "last_name",
    "first_name",
    "middle_name",
    "sex",
    "race",
    "dob",
    "height_in",
    "weight_lb",
    "eyes",
    "hair",
    "smt",
    "dlc",
    "oca",
    "circumstances",
    "notes",
]


def carried(record: MissingPersonRecord) -> dict[str, Any]:
    values = {name: getattr(record, name) for name in CARRIED}
    for name in ("last_name", "first_name", "middle_name", "notes"):
        values[name] = values[name].upper()
    values["ori"] = record.originating_agency.ori
    values["aliases"] = sorted(
        (n.last_name.upper(), n.first_name.upper()) for n in record.names.exclude(kind="primary")
    )
    entry = NcicEntry.objects.filter(record=record).first()
    values["ncic"] = (
        (entry.mpc, entry.mnp, entry.pob, entry.skn, entry.doe, entry.identifiers)
        if entry
        else None
    )
    return values


def test_sample_puts_every_active_record_on_the_target_list(
    system: Actor, operation: Operation
) -> None:
    result = ncic.import_ncic(system, operation.code, SAMPLE.read_bytes(), source=SAMPLE.name)
    assert result.counts == {"entered": 3, "targets_added": 3, "ncic_fields_kept": 1}
    first = MissingPersonRecord.objects.get(nic="M104738291")
    assert (first.last_name, first.first_name, first.middle_name) == (
        "MARTINEZ",
        "GUADALUPE",
        "ISABEL",
    )
    assert (first.height_in, first.weight_lb, first.smt) == (62, 110, ["TAT L ARM", "SC R HND"])
    assert first.circumstances == "runaway"  # MPC R
    # MIS is the last field: its periods are text, not separators.
    assert first.notes == "LAST SEEN LEAVING LAS CRUCES HIGH SCHOOL ON FOOT. WEARING A RED HOODIE"
    entry = NcicEntry.objects.get(record=first)
    assert (entry.pob, entry.skn, entry.agency_id) == ("NM", "MED", first.originating_agency_id)
    assert json.loads(entry.identifiers) == {"MNU": ["OA-4471"], "SOC": ["123456789"]}
    third = MissingPersonRecord.objects.get(nic="M309921774")
    assert (third.category, third.originating_agency.ori) == ("EME", "NM0070200")
    assert third.circumstances == "non_family_abduction"  # MPC S
    assert [(n.last_name, n.first_name) for n in third.names.filter(kind="alias")] == [
        ("BEGAY", "SHAY")
    ]
    assert Target.objects.filter(operation=operation).count() == 3
    assert first.transactions.get().kind == "enter"
    assert AuditEvent.objects.filter(action="records.enter").count() == 3
    assert (
        AuditEvent.objects.filter(action="interchange.import", object_id="RESCUE-ME").count() == 1
    )


def test_identifying_numbers_are_sealed_at_rest(system: Actor, operation: Operation) -> None:
    ncic.import_ncic(system, operation.code, SAMPLE.read_bytes())
    stored = NcicEntry.objects.values_list("identifiers", flat=True).get()
    assert "123456789" not in stored and "OA-4471" not in stored
    assert "123456789" in NcicEntry.objects.get().identifiers  # unsealed when read


def test_export_then_import_gives_the_same_records_and_the_same_file(
    system: Actor, hub_a: Actor, operation: Operation
) -> None:
    def export() -> tuple[str, list[dict[str, Any]]]:
        ncic.import_ncic(system, operation.code, SAMPLE.read_bytes())
        # Other agencies' AMBER records may not leave (TLP 2.0): the sample made GREEN.
        MissingPersonRecord.objects.update(tlp="GREEN")
        text, nics, _withheld = ncic.export_ncic(hub_a, operation=operation.code)
        assert len(nics) == 3
        records = MissingPersonRecord.objects.filter(nic__in=nics).order_by("nic")
        return text, [carried(r) for r in records]

    text, before = in_rolled_back_transaction(export)
    assert not MissingPersonRecord.objects.exists()
    ncic.import_ncic(system, operation.code, text.encode())
    after = [carried(r) for r in MissingPersonRecord.objects.order_by("nic")]
    assert after == before
    assert text.splitlines() == SAMPLE.read_text().splitlines()


def test_a_legacy_fixed_column_file_is_still_read(system: Actor, operation: Operation) -> None:
    result = ncic.import_ncic(system, operation.code, LEGACY.read_bytes(), source=LEGACY.name)
    assert result.counts == {"entered": 3, "targets_added": 3}
    third = MissingPersonRecord.objects.get(nic="M309921774")
    assert third.circumstances == "non_family_abduction"  # the legacy CIR column
    lines = LEGACY.read_text().splitlines()
    lines[0] = lines[0][:43] + "Q" + lines[0][44:]  # RAC unknown
    with pytest.raises(ImportRejected) as caught:
        ncic.import_ncic(system, operation.code, lines[0].encode())
    assert [(e.line, e.field) for e in caught.value.errors] == [(1, "RAC (columns 44-44)")]


def test_export_of_an_entered_record_round_trips(
    enter: Callable[..., MissingPersonRecord],
    investigator_a: Actor,
    system: Actor,
    operation: Operation,
) -> None:
    def export() -> tuple[str, dict[str, Any]]:
        record = enter()
        text, _nics, _withheld = ncic.export_ncic(investigator_a, nics=[record.nic])
        return text, carried(record)

    text, before = in_rolled_back_transaction(export)
    ncic.import_ncic(system, operation.code, text.encode())
    assert carried(MissingPersonRecord.objects.get()) == before


def test_every_bad_field_is_reported_by_tag_and_column_and_nothing_is_written(
    system: Actor, operation: Operation
) -> None:
    lines = SAMPLE.read_text().splitlines()
    lines[0] = lines[0].replace("DOB/20080403", "DOB/20081340")  # month 13
    lines[1] = lines[1].replace("HGT/507", "HGT/5X7").replace("HAI/BRO", "HAI/BAL")
    lines[2] = lines[2].replace("SEX/F", "SEX/Q").replace("MPC/S", "MPC/X")
    with pytest.raises(ImportRejected) as caught:
        ncic.import_ncic(system, operation.code, "\n".join(lines).encode())
    found = {(e.line, e.field.split(" ")[0]) for e in caught.value.errors}
    assert found == {(1, "DOB"), (2, "HGT"), (2, "HAI"), (3, "MPC"), (3, "SEX")}
    column = lines[0].index("DOB/") + 1
    assert f"line 1, DOB (column {column}): '20081340' is not a date" in str(caught.value.errors[0])
    bald = next(e for e in caught.value.errors if e.field.startswith("HAI"))
    assert "completely bald is XXX" in bald.message
    assert not MissingPersonRecord.objects.exists()
    assert not Target.objects.exists()


def test_a_message_line_never_gets_column_layout_errors(
    system: Actor, operation: Operation
) -> None:
    """A real state switch's line (header, bare MKE and ORI, a tag Beacon does not read,
    an untagged field) is reported by tag, never as fixed columns."""
    line = (
        "1N01HEADER.EMI.NM0070100.NAM/SMITH, JOHN J.SEX/M.RAC/W.DOB/20100101."
        "VYR/2009.DLC/20210501.OCA/LC-77.MNP/CA.BROWN"
    )
    with pytest.raises(ImportRejected) as caught:
        ncic.import_ncic(system, operation.code, line.encode())
    said = [str(e) for e in caught.value.errors]
    assert not any("columns" in s for s in said)
    assert f"line 1, VYR (column {line.index('VYR/') + 1}): not a Missing Person File" in said[0]
    assert any("'BROWN' has no tag" in s for s in said)
    # Once those are fixed, the registry's own rule names the MPC tag: an EMI entry must
    # be an abduction.
    fixed = line.replace("VYR/2009.", "").replace(".BROWN", "")
    with pytest.raises(ImportRejected) as caught:
        ncic.import_ncic(system, operation.code, fixed.encode())
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("MPC", "required for category EMI (Involuntary)")
    ]
    assert ncic.import_ncic(system, operation.code, (fixed + ".MPC/N").encode()).counts == {
        "entered": 1,
        "targets_added": 1,
    }
    record = MissingPersonRecord.objects.get(oca="LC-77")
    # A positional message (no tags at all) is a message too: refused by column and tag,
    # never read as fixed columns.
    with pytest.raises(ImportRejected) as caught:
        ncic.import_ncic(system, operation.code, b"EMJ.NM0070100.SMITH, JOHN.M.W.20100101")
    said = [str(e) for e in caught.value.errors]
    assert not any("columns" in s for s in said)
    assert "line 1, column 15: 'SMITH, JOHN' has no tag: give each field as TAG/value" in said
    assert (record.category, record.originating_agency.ori, record.middle_name) == (
        "EMI",
        "NM0070100",
        "J",
    )
    assert record.circumstances == "family_abduction"


def test_one_bad_last_line_rejects_the_good_lines_before_it(
    system: Actor, operation: Operation
) -> None:
    lines = SAMPLE.read_text().splitlines()
    lines.append(
        lines[0]
        .replace("M104738291", "M999999999")
        .replace("LC-2021-0412", "LC-X")
        .replace("DOB/20080403", "DOB/20300101")  # born in the future
    )
    with pytest.raises(ImportRejected) as caught:
        ncic.import_ncic(system, operation.code, "\n".join(lines).encode())
    assert [e.line for e in caught.value.errors] == [4]
    assert not MissingPersonRecord.objects.exists()


def test_a_record_already_in_the_registry_is_linked_not_entered_again(
    system: Actor, operation: Operation, other_operation: Operation
) -> None:
    ncic.import_ncic(system, other_operation.code, SAMPLE.read_bytes())
    result = ncic.import_ncic(system, operation.code, SAMPLE.read_bytes())
    assert result.counts == {"linked": 3, "targets_added": 3}
    again = ncic.import_ncic(system, operation.code, SAMPLE.read_bytes())
    assert again.counts == {"linked": 3, "targets_unchanged": 3}
    assert MissingPersonRecord.objects.count() == 3
    changed = SAMPLE.read_text().replace("SKN/MED", "SKN/DRK")
    result = ncic.import_ncic(system, operation.code, changed.encode())
    assert result.skipped and "M104738291" in result.skipped[0]
    assert NcicEntry.objects.get().skn == "MED"


def test_an_agency_imports_only_its_own_records(hub_a: Actor, operation: Operation) -> None:
    with pytest.raises(ImportRejected) as caught:
        ncic.import_ncic(hub_a, operation.code, SAMPLE.read_bytes())
    assert [(e.line, e.message) for e in caught.value.errors] == [
        (3, "you may enter only your agency's")
    ]


def test_import_needs_the_permission_and_a_visible_operation(
    investigator_a: Actor, hub_a: Actor, other_operation: Operation
) -> None:
    with pytest.raises(Forbidden):
        ncic.import_ncic(investigator_a, "RESCUE-ME", SAMPLE.read_bytes())
    with pytest.raises(NotVisible):
        ncic.import_ncic(hub_a, other_operation.code, SAMPLE.read_bytes())


def test_export_gives_only_what_the_actor_may_see_and_is_audited(
    system: Actor, investigator_a: Actor, investigator_c: Actor, operation: Operation
) -> None:
    ncic.import_ncic(system, operation.code, SAMPLE.read_bytes())
    with pytest.raises(ValidationFailed):
        ncic.export_ncic(investigator_c, nics=["M104738291"])
    text, nics, _withheld = ncic.export_ncic(investigator_a, nics=["m104738291"])
    assert nics == ["M104738291"]
    assert text.startswith("EMJ.ORI/NM0070100.NAM/MARTINEZ, GUADALUPE ISABEL.SEX/F.")
    event = AuditEvent.objects.filter(action="interchange.export").get()
    assert (event.actor, event.detail["nics"]) == ("alice", ["M104738291"])


def test_a_record_ncic_would_refuse_is_refused_by_name(
    enter: Callable[..., MissingPersonRecord], investigator_a: Actor
) -> None:
    long_name = enter(last_name="Montenegro-Villanueva", first_name="Maximiliano")
    dotted = enter(oca="LC.2021.7")
    for record, tag in ((long_name, "NAM"), (dotted, "OCA")):
        with pytest.raises(ValidationFailed) as caught:
            ncic.export_ncic(investigator_a, nics=[record.nic])
        assert caught.value.fields[record.nic][0].startswith(f"{tag}: ")


def test_the_system_actor_must_find_an_ori_on_every_new_record(
    system: Actor, operation: Operation
) -> None:
    line = SAMPLE.read_text().splitlines()[1].replace("ORI/NM0070100.", "")
    with pytest.raises(ImportRejected) as caught:
        ncic.import_ncic(system, operation.code, line.encode())
    assert [str(e) for e in caught.value.errors] == ["line 1, ORI: this field is required"]


def test_a_byte_order_mark_and_windows_line_ends_are_accepted(
    system: Actor, operation: Operation
) -> None:
    data = b"\xef\xbb\xbf" + SAMPLE.read_bytes().replace(b"\n", b"\r\n")
    assert ncic.import_ncic(system, operation.code, data).counts["entered"] == 3


def test_a_bad_line_is_reported_even_when_its_record_is_already_held(
    system: Actor, operation: Operation, other_operation: Operation
) -> None:
    ncic.import_ncic(system, other_operation.code, SAMPLE.read_bytes())
    lines = SAMPLE.read_text().splitlines()
    lines[0] = lines[0].replace("RAC/W", "RAC/Q")
    with pytest.raises(ImportRejected) as caught:
        ncic.import_ncic(system, operation.code, "\n".join(lines).encode())
    column = lines[0].index("RAC/") + 1
    assert [(e.line, e.field) for e in caught.value.errors] == [(1, f"RAC (column {column})")]
    assert not Target.objects.filter(operation=operation).exists()


@pytest.mark.parametrize(
    ("tlp", "originator_may", "partner_may"),
    [
        ("CLEAR", True, True),
        ("GREEN", True, True),
        ("AMBER", True, False),
        ("AMBER+STRICT", False, False),
        ("RED", False, False),
    ],
)
def test_tlp_decides_what_leaves_in_an_ncic_file(
    system: Actor,
    investigator_a: Actor,
    hub_b: Actor,
    operation: Operation,
    tlp: str,
    originator_may: bool,
    partner_may: bool,
) -> None:
    """A record named by NIC that may not leave is refused by name (nothing exported);
    an operation's such records are withheld and the audit event lists them."""
    ncic.import_ncic(system, operation.code, SAMPLE.read_bytes())
    record = MissingPersonRecord.objects.get(nic="M104738291")
    assert record.originating_agency_id == investigator_a.agency_id != hub_b.agency_id
    MissingPersonRecord.objects.filter(pk=record.pk).update(tlp=tlp)
    for actor, may in ((investigator_a, originator_may), (system, tlp in ("CLEAR", "GREEN"))):
        if may:
            assert ncic.export_ncic(actor, nics=[record.nic]).nics == [record.nic]
        else:
            with pytest.raises(ValidationFailed) as caught:
                ncic.export_ncic(actor, nics=[record.nic])
            assert f"TLP:{tlp}" in caught.value.fields[record.nic][0]
    file = ncic.export_ncic(hub_b, operation=operation.code)
    # (AMBER+STRICT and RED of another agency are not even visible to the partner.)
    seen = MissingPersonRecord.objects.visible_to(hub_b).filter(pk=record.pk).exists()
    assert (record.nic in file.nics, record.nic in file.withheld) == (
        partner_may,
        seen and not partner_may,
    )
    event = AuditEvent.objects.filter(action="interchange.export", actor=hub_b.name).last()
    assert event is not None
    assert event.detail["withheld_tlp"] == file.withheld


def test_bald_is_written_as_ncic_xxx_and_a_catastrophe_victim_as_mnp_dv(
    enter: Callable[..., MissingPersonRecord], investigator_a: Actor
) -> None:
    bald = enter(oca="LC-BALD", hair="BAL")
    victim = enter(
        oca="LC-EMV", category="EMV", circumstances="lost_injured", place_last_seen="Gila NF"
    )
    text, _nics, _withheld = ncic.export_ncic(investigator_a, nics=[bald.nic, victim.nic])
    first, second = text.splitlines()
    assert ".HAI/XXX." in first and "HAI/BAL" not in first
    assert second.startswith("EMV.") and ".MNP/DV." in second
    assert ".MPC/" not in second  # lost/injured has no NCIC MPC code


def test_the_code_tables_are_ncic_s_as_published_in_niem() -> None:
    """The NCIC Code Manual itself is a CJIS document not available here (re-checked for
    issue #16: not in ../shared/peers, not found by search). These are the FBI's code
    lists as the NIEM 5.0 `ncic` code set publishes them (the JSON tables of
    github.com/cityssm/node-ncic-lookup, data/MPC.json, MNP.json, HAIR.json, SKIN.json,
    EYE.json, MNU.json), which the FBI's NCIC Initial Entry Report form agrees with."""
    from beacon.interchange import ncic_codes
    from beacon.records import codes

    assert set(ncic_codes.MPC) == {"F", "N", "R", "S"}
    assert set(ncic_codes.MNP) == {"AA", "CA", "DV", "MP"}
    assert set(ncic_codes.HAI) == {
        "BLK",
        "BLN",
        "BLU",
        "BRO",
        "GRN",
        "GRY",
        "ONG",
        "PLE",
        "PNK",
        "RED",
        "SDY",
        "WHI",
        "XXX",
    }
    assert set(ncic_codes.SKN) == {
        "ALB",
        "BLK",
        "DBR",
        "DRK",
        "FAR",
        "LBR",
        "LGT",
        "MBR",
        "MED",
        "OLV",
        "RUD",
        "SAL",
        "YEL",
    }
    assert set(codes.Eyes.values) == {
        "BLK",
        "BLU",
        "BRO",
        "GRN",
        "GRY",
        "HAZ",
        "MAR",
        "MUL",
        "PNK",
        "XXX",
    }
    assert set(ncic_codes.MNU_PREFIXES) == {
        "AF",
        "AN",
        "AR",
        "AS",
        "CG",
        "CI",
        "FN",
        "MC",
        "MD",
        "MP",
        "NA",
        "NS",
        "OA",
        "PI",
        "PP",
        "PS",
        "SS",
        "VA",
    }


def test_every_missing_person_file_field_beacon_reads_goes_back_out(
    system: Actor, hub_a: Actor, operation: Operation
) -> None:
    """The fields the sample does not carry (DOE, FBI, OLN/OLS/OLY, several MNU, MNP CA)
    come back out as read, in the message's field order."""
    line = (
        "EMJ.ORI/NM0070100.NAM/RUIZ, ANA.SEX/F.RAC/W.POB/TX.DOB/20070301.DOE/20250301"
        ".HGT/504.WGT/101.EYE/HAZ.HAI/XXX.SKN/LGT.FBI/123456AB7.SOC/987654321"
        ".OLN/D1234567.OLS/NM.OLY/2026.MNU/OA-77.MNU/PP-X1234567.MNP/CA.DLC/20210501"
        ".OCA/LC-2021-0999.NIC/M555000111.MPC/N"
    )
    ncic.import_ncic(system, operation.code, line.encode())
    MissingPersonRecord.objects.update(tlp="GREEN")
    text, nics, _withheld = ncic.export_ncic(hub_a, operation=operation.code)
    assert nics == ["M555000111"]
    assert text.splitlines() == [line]
