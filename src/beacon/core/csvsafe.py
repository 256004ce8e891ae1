"""Neutralising spreadsheet formulas in exported cells (CSV or XLSX injection).

A cell that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return is read as a
formula by Excel and LibreOffice (``=cmd|' /C calc'!A0``, ``=HYPERLINK(...)``). Every
exporter passes each text cell through ``neutralise`` so such a value is shown as text,
prefixed with a single quote. Numbers, dates and None are left as they are.
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """``value`` unchanged unless it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralise_text(value: str) -> str:
    """``neutralise`` for a value known to be text."""
    return str(neutralise(value))


def neutralise_row(row: Iterable[object]) -> list[object]:
    return [neutralise(cell) for cell in row]
