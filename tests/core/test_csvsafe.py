"""Spreadsheet formula injection: exported cells never run as formulas."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from beacon.core.csvsafe import neutralise, neutralise_row, neutralise_text

ATTACKS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://127.0.0.1/x?"&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "   =1+1",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_formula_is_neutralised_with_a_leading_quote(attack: str) -> None:
    safe = neutralise_text(attack)
    assert safe == "'" + attack
    assert not safe.startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize("value", ["Garcia", "O'Brien", "Las Cruces, NM", "a=b", "", "José 🙂"])
def test_ordinary_text_is_left_alone(value: str) -> None:
    assert neutralise(value) == value


def test_numbers_dates_and_missing_values_are_left_alone() -> None:
    assert neutralise_row([-5, 3.5, date(2021, 5, 1), None, True]) == [
        -5,
        3.5,
        date(2021, 5, 1),
        None,
        True,
    ]


def test_a_csv_written_through_neutralise_reads_back_as_text() -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(neutralise_row(["name", *ATTACKS]))
    cells = next(csv.reader(io.StringIO(buffer.getvalue())))
    assert cells[0] == "name"
    for cell, attack in zip(cells[1:], ATTACKS, strict=True):
        assert cell == "'" + attack
