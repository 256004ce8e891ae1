"""Importing source lists: all rows or none, errors by line and column, mapping remembered."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from beacon.audit.models import AuditEvent
from beacon.core.actor import Actor
from beacon.core.errors import ValidationFailed
from beacon.intake import services
from beacon.intake.fields import ColumnMapping
from beacon.intake.models import Intake, SourceList, SourceMapping

from .conftest import write_csv

HEADER = ["First Name", "Last Name", "DOB", "Sex", "City"]


@pytest.fixture
def intake(system: Actor) -> Intake:
    return services.create_intake(system, "Reclaim and Rebuild")


def stored_files(intake: Intake) -> list[Path]:
    folder = Path(settings.DATA_DIR) / "intake" / str(intake.pk)
    return sorted(folder.glob("*")) if folder.exists() else []


def test_bad_file_is_refused_whole_with_line_and_column(
    system: Actor, intake: Intake, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "bad.csv",
        HEADER,
        [
            ["Ana", "Lopez", "2010-01-02", "F", "Hatch"],
            ["Ben", "Ruiz", "2010-02-31", "M", "Hatch"],  # line 3: no 31 February
            ["Cal", "Diaz", "2011-03-04", "M", "Hatch"],
            ["Dee", "Soto", "2012-04-05", "Q", "Hatch"],  # line 5: sex
            ["", "", "", "F", "Hatch"],  # line 6: nothing to link on
        ],
    )
    with pytest.raises(ValidationFailed) as refused:
        services.import_list(system, intake, path, source="LAPD")
    fields = refused.value.fields
    assert fields["line 3, column 'DOB'"] == [
        "'2010-02-31' is not a date (expected YYYY-MM-DD, MM/DD/YYYY or YYYYMMDD)"
    ]
    assert fields["line 5, column 'Sex'"] == ["'Q' must be M, F or U"]
    assert fields["line 6, column 'Last Name'"] == [
        "the row has no name, date of birth or identifier"
    ]
    assert "3 problem(s)" in refused.value.message
    assert not SourceList.objects.filter(intake=intake).exists()
    assert not SourceMapping.objects.exists()
    assert stored_files(intake) == []
    assert not AuditEvent.objects.filter(action="intake.import").exists()


def test_ragged_csv_is_refused_with_its_line(system: Actor, intake: Intake, tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("First Name,Last Name,DOB\nAna,Lopez,2010-01-02\nBen,Ruiz\n")
    with pytest.raises(ValidationFailed) as refused:
        services.import_list(system, intake, path, source="LAPD")
    assert list(refused.value.fields) == ["line 3, column 'DOB'"]
    assert "missing columns" in refused.value.fields["line 3, column 'DOB'"][0]
    assert not SourceList.objects.exists()


def test_mapping_is_remembered_per_source(system: Actor, intake: Intake, tmp_path: Path) -> None:
    header = ["Nombre", "Apellido", "Nacimiento", "Caso"]
    rows = [["Ana", "Lopez", "02/01/2010", "A-1"], ["Ben", "Ruiz", "31/12/2009", "A-2"]]
    mapping = ColumnMapping.parse_pairs(
        ["Nombre=first_name", "Apellido=last_name", "Nacimiento=dob", "Caso=oca"],
        dob_format="day-first",
    )
    first = services.import_list(
        system, intake, write_csv(tmp_path / "one.csv", header, rows), source="DIF", mapping=mapping
    )
    second = services.import_list(
        system, intake, write_csv(tmp_path / "two.csv", header, rows[:1]), source="DIF"
    )
    assert second.mapping == first.mapping == mapping.as_dict()
    _, remembered, was_remembered = services.preview(system, tmp_path / "two.csv", source="DIF")
    assert was_remembered and remembered.columns["oca"] == ["Caso"]
    with pytest.raises(ValidationFailed) as unmapped:  # an unknown source gets no mapping
        services.import_list(system, intake, tmp_path / "two.csv", source="Other NGO")
    assert "last_name" in unmapped.value.fields


def test_xlsx_list_is_imported_with_dates_from_cells(
    system: Actor, intake: Intake, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Name", "Date of birth", "NCMEC number"])
    sheet.append(["Garcia, Maria Elena", dt.datetime(2010, 3, 4), "NCMEC-1"])
    sheet.append(["Jose Luis Hernandez", "2011-05-30", 1234567])
    path = tmp_path / "ncmec.xlsx"
    book.save(path)

    listed = services.import_list(system, intake, path, source="NCMEC")

    assert listed.rows == 2
    assert listed.mapping["columns"] == {
        "full_name": ["Name"],
        "dob": ["Date of birth"],
        "ncmec_number": ["NCMEC number"],
    }
    import duckdb

    from beacon.intake import storage

    rows = duckdb.sql(
        "SELECT line, first_name, middle_name, last_name, dob, ncmec_number FROM "
        f"read_parquet({storage.sql_literal(storage.rows_path(listed.data_file, listed.data_sha256))})"
        " ORDER BY line"
    ).fetchall()
    assert rows == [
        (2, "Maria", "Elena", "Garcia", dt.date(2010, 3, 4), "NCMEC-1"),
        (3, "Jose", "Luis", "Hernandez", dt.date(2011, 5, 30), "1234567"),
    ]


def test_cli_refuses_a_bad_file_with_exit_code_2(system: Actor, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bad.csv", HEADER, [["Ana", "Lopez", "13/13/2010", "F", "Hatch"]])
    with pytest.raises(CommandError) as refused:
        call_command("intake", "import", "Rescue Me", str(path), "--source", "NMSP")
    assert refused.value.returncode == 2
    assert "line 2, column 'DOB': '13/13/2010' is not a date" in str(refused.value)
    assert not SourceList.objects.exists()
