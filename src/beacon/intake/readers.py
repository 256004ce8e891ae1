"""Reading a source list (CSV or XLSX) into a DuckDB table of text columns.

The table keeps every source column as text plus ``_line``: the line (CSV) or sheet
row (XLSX) each record came from, so every error can name it. A file that cannot be
read as a whole (bad encoding, ragged rows, duplicate headers) is refused whole.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]

from beacon.core.errors import ValidationFailed

MAX_REPORTED = 50
LINE = "_line"


def _refuse(path: Path, problems: dict[str, list[str]]) -> ValidationFailed:
    return ValidationFailed(f"{path.name} cannot be read; nothing was imported.", fields=problems)


def _check_headers(path: Path, headers: list[str]) -> None:
    problems: dict[str, list[str]] = {}
    seen: set[str] = set()
    for index, header in enumerate(headers, start=1):
        where = f"line 1, column {index}"
        if not header.strip():
            problems.setdefault(where, []).append("the header is empty")
        elif header in seen:
            problems.setdefault(where, []).append(f"the header {header!r} appears twice")
        elif header == LINE:
            problems.setdefault(where, []).append(f"{LINE!r} is reserved")
        seen.add(header)
    if not headers:
        problems["line 1"] = ["the file has no header row"]
    if problems:
        raise _refuse(path, problems)


def csv_headers(path: Path) -> list[str]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            first = next(csv.reader(handle), [])
    except UnicodeDecodeError as exc:
        raise _refuse(path, {"file": [f"not UTF-8 text ({exc.reason})"]}) from None
    return [h.strip() for h in first]


def load_csv(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> list[str]:
    headers = csv_headers(path)
    _check_headers(path, headers)
    columns = {h: "VARCHAR" for h in headers}
    try:
        con.execute(
            f"""CREATE TEMP TABLE {table} AS
            SELECT *, (row_number() OVER () + 1)::INTEGER AS {LINE}
            FROM read_csv(?, header = true, auto_detect = false, delim = ',',
                          quote = '"', escape = '"', strict_mode = true,
                          columns = ?, store_rejects = true,
                          encoding = 'utf-8')""",
            [str(path), columns],
        )
        rejects = con.execute(
            "SELECT line, column_name, error_type, error_message FROM reject_errors "
            "ORDER BY line LIMIT ?",
            [MAX_REPORTED],
        ).fetchall()
    except duckdb.Error as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _refuse(path, {"file": [first_line]}) from None
    if rejects:
        problems: dict[str, list[str]] = {}
        for line, column, kind, message in rejects:
            where = f"line {line}" + (f", column {column!r}" if column else "")
            problems.setdefault(where, []).append(
                f"{str(kind).lower()}: {str(message).splitlines()[0]}"
            )
        raise _refuse(path, problems)
    return headers


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def load_xlsx(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> list[str]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise _refuse(path, {"file": [f"not a readable XLSX workbook ({exc})"]}) from None
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        headers = [_cell_text(h) or "" for h in next(rows, ())]
        while headers and not headers[-1]:
            headers.pop()
        _check_headers(path, headers)
        columns: list[list[str | None]] = [[] for _ in headers]
        lines: list[int] = []
        problems: dict[str, list[str]] = {}
        for number, row in enumerate(rows, start=2):
            cells = [_cell_text(v) for v in row]
            if not any(cells):
                continue
            extra = [c for c in cells[len(headers) :] if c]
            if extra and len(problems) < MAX_REPORTED:
                problems[f"line {number}"] = [
                    f"{len(extra)} value(s) beyond the last headed column"
                ]
            for index in range(len(headers)):
                columns[index].append(cells[index] if index < len(cells) else None)
            lines.append(number)
    finally:
        book.close()
    if problems:
        raise _refuse(path, problems)
    arrow = pa.table(
        {
            **{h: pa.array(c, pa.string()) for h, c in zip(headers, columns, strict=True)},
            LINE: pa.array(lines, pa.int32()),
        }
    )
    con.register(f"{table}_arrow", arrow)
    con.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM {table}_arrow")
    con.unregister(f"{table}_arrow")
    return headers


def load(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> list[str]:
    """Load ``path`` into temp table ``table``; returns the headers."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return load_csv(con, path, table)
    if suffix in {".xlsx", ".xlsm"}:
        return load_xlsx(con, path, table)
    raise ValidationFailed.on("file", f"{path.name}: only .csv and .xlsx lists can be imported")


def headers_of(path: Path) -> list[str]:
    """Just the header row (for proposing a column mapping)."""
    if path.suffix.lower() == ".csv":
        headers = csv_headers(path)
        _check_headers(path, headers)
        return headers
    con = duckdb.connect()
    try:
        return load(con, path, "peek")
    finally:
        con.close()
