"""HTCDS 2.0 against IOM's own standard sheet and Excel template (../shared/peers/htcds)."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest
from openpyxl import load_workbook

from beacon.core.actor import Actor
from beacon.interchange import htcds, htcds_rows
from beacon.interchange import htcds_fields as F
from beacon.interchange.errors import ImportRejected
from beacon.interchange.models import HtcdsCase
from beacon.operations.models import Operation, Victim
from tests.personas import acting

from .test_htcds import cases, saving_innocents, zoe  # noqa: F401 (fixtures)

PEERS = Path(__file__).resolve().parents[2].parent / "shared" / "peers"
if not PEERS.is_dir():
    if os.environ.get("CI"):
        raise RuntimeError(f"the peers' files are missing: expected {PEERS} beside the checkout")
    pytest.skip(f"no {PEERS} beside the checkout", allow_module_level=True)
HTCDS = PEERS / "htcds"
TEMPLATE = HTCDS / "Toolkit" / "HTCDS Excel Spreadsheet v2.0.xlsx"
T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
P = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}p"


def _standard() -> dict[str, tuple[str, list[str]]]:
    """Field name -> (status, value names) from IOM's "HTCDS Field Standards 2.0.ods"."""
    with zipfile.ZipFile(HTCDS / "HTCDS Field Standards 2.0.ods") as ods:
        root = SafeET.fromstring(ods.read("content.xml"))
    out = {}
    for row in root.iter(f"{T}table-row"):
        cells: list[str] = []
        for cell in row.iter(f"{T}table-cell"):
            text = "\n".join("".join(p.itertext()) for p in cell.iter(P))
            cells.extend([text] * min(int(cell.get(f"{T}number-columns-repeated", "1")), 20))
        cells += [""] * (10 - len(cells))
        name = cells[6] or cells[3] + cells[4]
        if cells[3].endswith("_") and name.startswith(cells[3]) and cells[1] != "N/A":
            values = [v.strip() for v in cells[9].replace("/", "\n").splitlines() if v.strip()]
            out[name] = (cells[1], values)
    return out


STANDARD = _standard()


def test_every_field_beacon_names_is_in_the_standard() -> None:
    assert len(STANDARD) > 80
    assert {name for name, (status, _v) in STANDARD.items() if status == "DRAFT"} == F.FIELDS
    assert set(F.COLUMNS) - {"caseId"} <= F.FIELDS
    for name in ("vic_AgreementToManagePersonalData", "vic_Vulnerabilities"):
        assert STANDARD[name][0] == "DEPRECATED" and name in F.DEPRECATED


@pytest.mark.parametrize("field", sorted(F.PICKLISTS))
def test_every_code_list_is_the_standards(field: str) -> None:
    assert list(F.PICKLISTS[field]) == STANDARD[field][1]


def test_the_org_types_are_the_standards() -> None:
    assert list(F.ORG_TYPES) == STANDARD["org_Type"][1]
    assert set(htcds.ORG_TYPE.values()) | {"LawEnforcement"} <= set(F.ORG_TYPES)


def test_iom_empty_template_imports_nothing_and_says_so(
    system: Actor, operation: Operation
) -> None:
    result = htcds_rows.import_htcds_cases(system, operation.code, TEMPLATE.read_bytes())
    assert result.counts == {}


def test_a_filled_iom_template_updates_the_victims_case_and_reports_what_is_not_used(
    cases: list[Victim],  # noqa: F811
    system: Actor,
    operation: Operation,
) -> None:
    book = load_workbook(TEMPLATE)
    sheet = book.worksheets[0]
    names = [c.value for c in sheet[1]]
    row = {
        "prs_FirstName": "Maria",
        "prs_SecondName": "Lopez",
        "con_Consent": "TRUE",
        "prs_Gender": "Feminine",
        "prs_Citizenship": "MX;GT",
        "prs_Email": "maria@example.org",
        "vic_TraffickingStatus": "PossibleVictimOfTrafficking",
        "vic_TraffickinStatusDecisionMakingOrg": "NGO",
        "vic_TypeOfExploitation": "ForcedLabour;Servitude",
    }
    for column, name in enumerate(names, start=1):
        if name in row:
            sheet.cell(3, column, row[str(name)])  # the template's first data row
    data = io.BytesIO()
    book.save(data)
    result = htcds_rows.import_htcds_cases(system, operation.code, data.getvalue())
    assert result.counts["cases_updated"] == 1
    case = HtcdsCase.objects.get(victim__ref="v-0001")
    assert case.data_consent is True
    assert case.trafficking_status == "PossibleVictimOfTrafficking"
    assert case.exploitation == ["ForcedLabour", "Servitude"]
    assert case.fields["prs_Email"] == "maria@example.org"
    assert case.fields["vic_TraffickingStatusDecisionMakingOrg"] == "NGO"
    said = "\n".join(result.skipped)
    assert "line 3: vic_TraffickinStatusDecisionMakingOrg read as" in said
    assert "not used by Beacon: prs_Email, vic_TraffickingStatusDecisionMakingOrg" in said
    exported = htcds.export_htcds(system_hub(operation), operation.code)
    first = next(c for c in exported["cases"] if c["caseId"] == "RESCUE-ME/v-0001")
    assert first["victim"]["prs_Email"] == "maria@example.org"


def system_hub(operation: Operation) -> Actor:
    lead = operation.participations.get(role="lead").agency
    return acting(lead, "hub_coordinator", "hannah")


def test_the_excel_export_reads_back_as_the_same_cases(
    cases: list[Victim],  # noqa: F811
    system: Actor,
    hub_a: Actor,
    operation: Operation,
) -> None:
    workbook = htcds_rows.export_htcds_xlsx(hub_a, operation.code)
    sheet = load_workbook(io.BytesIO(workbook)).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert set(header) - {"caseId"} <= F.FIELDS
    assert [c.value for c in sheet["A"]][2:] == ["RESCUE-ME/v-0001", "RESCUE-ME/v-0002"]
    before = list(HtcdsCase.objects.order_by("pk").values_list("data_consent", "exploitation"))
    result = htcds_rows.import_htcds_cases(system, operation.code, workbook)
    assert result.counts["cases_updated"] == 2
    after = list(HtcdsCase.objects.order_by("pk").values_list("data_consent", "exploitation"))
    assert after == before


def test_json_rows_with_htcds_names_import_and_unknown_names_or_values_are_refused(
    cases: list[Victim],  # noqa: F811
    system: Actor,
    operation: Operation,
) -> None:
    good = [{"caseId": "RESCUE-ME/v-0003", "con_Consent": False, "prs_MiddleName": "Ana"}]
    result = htcds_rows.import_htcds_cases(system, operation.code, json.dumps(good).encode())
    assert result.counts == {"cases_updated": 1, "fields_kept_not_used": 1}
    bad = [
        {"caseId": "RESCUE-ME/v-0003", "prs_Nationalty": "MX"},
        {"caseId": "RESCUE-ME/v-0003", "prs_Gender": "Female"},
        {"caseId": "RESCUE-ME/v-9999"},
    ]
    with pytest.raises(ImportRejected) as caught:
        htcds_rows.import_htcds_cases(system, operation.code, json.dumps(bad).encode())
    assert {(e.line, e.field) for e in caught.value.errors} == {
        (1, "prs_Nationalty"),
        (2, "prs_Gender"),
        (3, "caseId"),
    }
    deprecated = [{"caseId": "RESCUE-ME/v-0003", "vic_AgreementToManagePersonalData": True}]
    result = htcds_rows.import_htcds_cases(system, operation.code, json.dumps(deprecated).encode())
    assert HtcdsCase.objects.get(victim__ref="v-0003").data_consent is True
    assert "deprecated in HTCDS 2.0, read as con_Consent" in result.skipped[0]
