"""Reading import files: CSV (``;`` or ``,``, UTF-8 with or without BOM) and XLSX.

``read`` returns the header as written and yields (line number, {column: text})
with the column names folded (lower case, ``_`` for spaces); line numbers are the
file's own (the header is line 1).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from beacon.core.errors import ValidationFailed

Row = tuple[int, dict[str, str]]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.hour == value.minute == value.second == 0 and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def fold_column(name: str) -> str:
    return name.strip().lower().replace(" ", "_")


def _unreadable(line: int, exc: csv.Error) -> ValidationFailed:
    reason = str(exc)
    if "field larger than field limit" in reason:
        reason = f"a cell is longer than {csv.field_size_limit():,} characters"
    return ValidationFailed.on("file", f"line {line}: {reason}; nothing was imported")


def _decoded(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed.on(
            "file", f"not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        ) from None


def _delimiter(first_line: str) -> str:
    return ";" if first_line.count(";") > first_line.count(",") else ","


def csv_cells(reader: Any, line_offset: int = 0) -> Iterator[tuple[int, list[str]]]:
    """(line, cells as read) of each non-blank row; ``line_offset`` physical lines come
    before the reader's first (a chunk of a file read from its middle)."""
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a cell over csv's field size limit
            raise _unreadable(line_offset + reader.line_num, exc) from None
        if any(c.strip() for c in cells):
            yield line_offset + reader.line_num, cells


def row_of(keys: list[str], cells: list[str]) -> dict[str, str]:
    """{column: text} of a row's cells; cells beyond the header are ``column_N``."""
    if len(cells) > len(keys):
        extra = {f"column_{i + 1}": c for i, c in enumerate(cells) if i >= len(keys)}
        return {**dict(zip(keys, cells, strict=False)), **extra}
    return {h: c.strip() for h, c in zip(keys, cells, strict=False)}


def csv_rows(reader: Any, keys: list[str], line_offset: int = 0) -> Iterator[Row]:
    """(line, {column: text}) of each non-blank row (see ``csv_cells``)."""
    for line, cells in csv_cells(reader, line_offset):
        yield line, row_of(keys, cells)


def read_csv(path: Path, raw: bytes | None = None) -> tuple[list[str], Iterator[Row]]:
    text = _decoded(path.read_bytes() if raw is None else raw)
    delimiter = _delimiter(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [c.strip() for c in next(reader)]
    except StopIteration:
        raise ValidationFailed.on("file", "the file is empty") from None
    except csv.Error as exc:
        raise _unreadable(reader.line_num, exc) from None
    return header, csv_rows(reader, [fold_column(h) for h in header])


@dataclass(frozen=True)
class Ranges:
    """A CSV file cut at line ends into byte ranges that can be parsed independently."""

    delimiter: str
    # (start byte, end byte, line number of the range's first line)
    ranges: list[tuple[int, int, int]]


def split_csv(raw: bytes, target: int) -> Ranges | None:
    """The data lines of a CSV file in ranges of about ``target`` bytes, or None when the
    file cannot be cut at any line end (a quote character may hold a line break inside a
    cell; a lone carriage return ends a line csv counts but a newline count would not)."""
    if b'"' in raw or raw.count(b"\r") != raw.count(b"\r\n"):
        return None
    first_end = raw.find(b"\n")
    if first_end < 0:
        return Ranges(",", [])
    head = raw[:first_end].decode("utf-8-sig", errors="replace")
    ranges: list[tuple[int, int, int]] = []
    start, line = first_end + 1, 2
    while start < len(raw):
        end = raw.find(b"\n", min(start + target, len(raw)) - 1)
        end = len(raw) if end < 0 else end + 1
        ranges.append((start, end, line))
        line += raw.count(b"\n", start, end)
        start = end
    return Ranges(_delimiter(head), ranges)


def read_xlsx(path: Path) -> tuple[list[str], Iterator[Row]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise ValidationFailed.on("file", "not a readable XLSX workbook") from None
    sheet = book.worksheets[0]
    cells = sheet.iter_rows(values_only=True)
    try:
        header = [_cell(c) for c in next(cells)]
    except StopIteration:
        raise ValidationFailed.on("file", "the workbook's first sheet is empty") from None

    keys = [fold_column(h) for h in header]

    def rows() -> Iterator[Row]:
        for line, values in enumerate(cells, start=2):
            texts = [_cell(v) for v in values]
            if any(texts):
                yield line, dict(zip(keys, texts, strict=False))
        book.close()

    return header, rows()


def is_xlsx(path: Path) -> bool:
    return path.suffix.lower() in (".xlsx", ".xlsm")


def read(path: Path, raw: bytes | None = None) -> tuple[list[str], Iterator[Row]]:
    """The header and the rows (``raw``: the file's bytes when already read)."""
    if not path.is_file():
        raise ValidationFailed.on("file", f"no such file: {path}")
    if is_xlsx(path):
        return read_xlsx(path)
    return read_csv(path, raw)


def count_rows(path: Path) -> int:
    """How many data rows the file holds, about (for a progress bar)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        rows = max(0, (book.worksheets[0].max_row or 1) - 1)
        book.close()
        return rows
    with path.open("rb") as handle:
        return max(
            0, sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) - 1
        )
