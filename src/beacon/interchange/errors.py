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

    def __str__(self) -> str:
        return f"line {self.line}, {self.field}: {self.message}"


class ImportRejected(ValidationFailed):
    """The file has problems; nothing was imported. ``errors`` lists each line and field."""

    def __init__(self, fmt: str, errors: list[LineError]) -> None:
        errors = sorted(errors, key=lambda e: e.line)
        shown = errors[:MAX_REPORTED]
        fields: dict[str, list[str]] = {}
        for e in shown:
            fields.setdefault(f"line {e.line}", []).append(f"{e.field}: {e.message}")
        lines = len({e.line for e in errors})
        more = f" (first {MAX_REPORTED} shown)" if len(errors) > MAX_REPORTED else ""
        super().__init__(
            f"{fmt}: {len(errors)} error(s) on {lines} line(s){more}; nothing was imported.",
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
