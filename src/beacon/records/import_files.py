"""Reading import files: CSV (``;`` or ``,``, UTF-8 with or without BOM) and XLSX.

``read`` returns the header as written and yields (line number, {column: text})
with the column names folded (lower case, ``_`` for spaces); line numbers are the
file's own (the header is line 1).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

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


def read_csv(path: Path) -> tuple[list[str], Iterator[Row]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed.on(
            "file", f"not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [c.strip() for c in next(reader)]
    except StopIteration:
        raise ValidationFailed.on("file", "the file is empty") from None
    except csv.Error as exc:
        raise _unreadable(reader.line_num, exc) from None

    keys = [fold_column(h) for h in header]

    def rows() -> Iterator[Row]:
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # e.g. a cell over csv's field size limit
                raise _unreadable(reader.line_num, exc) from None
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                extra = {f"column_{i + 1}": c for i, c in enumerate(cells) if i >= len(keys)}
                yield line, {**dict(zip(keys, cells, strict=False)), **extra}
                continue
            yield line, {h: c.strip() for h, c in zip(keys, cells, strict=False)}

    return header, rows()


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


def read(path: Path) -> tuple[list[str], Iterator[Row]]:
    if not path.is_file():
        raise ValidationFailed.on("file", f"no such file: {path}")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    return read_csv(path)


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
