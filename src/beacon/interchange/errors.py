"""Import errors: every bad line and field of a file, reported at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from beacon.core.errors import ValidationFailed

Progress = Callable[[str, int, int], None]  # (phase, done, total)
MAX_REPORTED = 500


@dataclass(frozen=True)
class LineError:
    """A problem at a line (1-based) and field (a format's own name: NAM, family_name...)."""

    line: int
    field: str
    message: str

    @property
    def where(self) -> str:
        """``line N`` in a text file; the JSON path itself (line 0) in a JSON document."""
        return f"line {self.line}" if self.line else self.field

    def __str__(self) -> str:
        if not self.line:
            return f"{self.field}: {self.message}"
        return f"line {self.line}, {self.field}: {self.message}"


class ImportRejected(ValidationFailed):
    """The file has problems; nothing was imported. ``errors`` lists each line and field."""

    def __init__(self, fmt: str, errors: list[LineError]) -> None:
        errors = sorted(errors, key=lambda e: e.line)
        shown = errors[:MAX_REPORTED]
        fields: dict[str, list[str]] = {}
        for e in shown:
            fields.setdefault(e.where, []).append(
                f"{e.field}: {e.message}" if e.line else e.message
            )
        places = len({e.where for e in errors})
        more = f" (first {MAX_REPORTED} shown)" if len(errors) > MAX_REPORTED else ""
        super().__init__(
            f"{fmt}: {len(errors)} error(s) in {places} place(s){more}; nothing was imported.",
            fields=fields,
        )
        self.errors = shown


class Collector:
    """Collects LineErrors while a file is validated."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.errors: list[LineError] = []

    def add(self, line: int, field: str, message: str) -> None:
        self.errors.append(LineError(line, field, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ImportRejected(self.fmt, self.errors)
