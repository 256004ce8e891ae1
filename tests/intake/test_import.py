"""Importing source lists: bad cells quarantined by line and column, mapping remembered."""

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


def test_bad_cells_are_quarantined_per_row_and_the_rest_imported(
    system: Actor, intake: Intake, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "bad.csv",
        HEADER,
        [
            ["Ana", "Lopez", "2010-01-02", "F", "Hatch"],
            ["Ben", "Ruiz", "2010-02-31", "M", "Hatch"],  # line 3: no 31 February
            ["Cal", "Diaz", "2099-08-15", "M", "Hatch"],  # line 4: in the future
            ["Dee", "Soto", "2012-04-05", "Q", "Hatch"],  # line 5: sex
            ["", "", "", "F", "Hatch"],  # line 6: nothing to link on
            ["", "", "2099-01-01", "F", "Hatch"],  # line 7: nothing left once the DOB goes
        ],
    )
    listed = services.import_list(system, intake, path, source="LAPD")

    assert listed.rows == 4
    assert listed.quarantined == 6
    assert [
        (q["line"], q["column"], q["value"], q["reason"], q["action"]) for q in listed.quarantine
    ] == [
        (
            3,
            "DOB",
            "2010-02-31",
            "is not a date (expected YYYY-MM-DD, MM/DD/YYYY or YYYYMMDD)",
            "cell left empty",
        ),
        (4, "DOB", "2099-08-15", "is in the future", "cell left empty"),
        (5, "Sex", "Q", "must be M, F or U", "cell left empty"),
        (6, "Last Name", None, "the row has no name, date of birth or identifier", "row left out"),
        (7, "DOB", "2099-01-01", "is in the future", "cell left empty"),
        (7, "Last Name", None, "the row has no name, date of birth or identifier", "row left out"),
    ]
    import duckdb

    from beacon.intake import storage

    stored = duckdb.sql(
        "SELECT line, first_name, dob, sex FROM read_parquet("
        f"{storage.sql_literal(storage.rows_path(listed.data_file, listed.data_sha256))})"
        " ORDER BY line"
    ).fetchall()
    assert stored == [
        (2, "Ana", dt.date(2010, 1, 2), "F"),
        (3, "Ben", None, "M"),
        (4, "Cal", None, "M"),
        (5, "Dee", dt.date(2012, 4, 5), None),
    ]
    event = AuditEvent.objects.get(action="intake.import")
    assert event.detail["quarantined"] == 6 and event.detail["rows"] == 4


def test_a_list_with_no_row_to_link_is_refused(
    system: Actor, intake: Intake, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "empty.csv", HEADER, [["", "", "2099-01-01", "F", "Hatch"]])
    with pytest.raises(ValidationFailed) as refused:
        services.import_list(system, intake, path, source="LAPD")
    assert refused.value.fields == {
        "file": ["empty.csv: no row has a name, date of birth or identifier"]
    }
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


def test_cli_reports_quarantined_cells_and_imports_the_rest(
    system: Actor, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(
        tmp_path / "bad.csv",
        HEADER,
        [["Ana", "Lopez", "13/13/2010", "F", "Hatch"], ["Ben", "Ruiz", "2010-01-02", "M", ""]],
    )
    call_command("intake", "import", "Rescue Me", str(path), "--source", "NMSP")
    out = capsys.readouterr().out
    assert "Imported 2 rows from bad.csv" in out
    assert "line 2, column 'DOB': '13/13/2010' is not a date" in out
    assert "(cell left empty)" in out
    assert SourceList.objects.get().quarantined == 1


def test_cli_refuses_a_list_with_no_row_to_link_with_exit_code_2(
    system: Actor, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "bad.csv", HEADER, [["", "", "13/13/2010", "F", "Hatch"]])
    with pytest.raises(CommandError) as refused:
        call_command("intake", "import", "Rescue Me", str(path), "--source", "NMSP")
    assert refused.value.returncode == 2
    assert "no row has a name, date of birth or identifier" in str(refused.value)
    assert not SourceList.objects.exists()
