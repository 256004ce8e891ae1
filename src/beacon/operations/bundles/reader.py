"""Reading untrusted bundle JSON into typed values, collecting every problem with its path."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from beacon.agencies.models import Jurisdiction, validate_ori
from beacon.records.validation import parse_jurisdiction_ref

Row = dict[str, Any]
NUMBER_LIMIT = 10**12  # fits every decimal column (12 digits before the point)


@dataclass(frozen=True)
class Problem:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class Reader:
    """Typed accessors over JSON rows. A bad value records a Problem and yields a default,
    so one pass reports every bad field of the bundle."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self._jurisdictions: dict[str, Jurisdiction | None] = {}

    def fail(self, path: str, reason: str) -> None:
        self.problems.append(Problem(path, reason))

    def rows(self, data: Row, key: str, allowed: Iterable[str]) -> list[tuple[str, Row]]:
        """The list ``data[key]`` of objects, each with its path; unknown keys are refused."""
        value = data.get(key, [])
        if not isinstance(value, list):
            self.fail(key, "must be a list")
            return []
        known = set(allowed)
        out: list[tuple[str, Row]] = []
        for index, row in enumerate(value):
            path = f"{key}[{index}]"
            if not isinstance(row, dict):
                self.fail(path, "must be an object")
                continue
            for extra in sorted(set(row) - known):
                self.fail(f"{path}.{extra}", "unknown field")
            out.append((path, row))
        return out

    def text(
        self, row: Row, key: str, path: str, *, required: bool = False, max_len: int = 200
    ) -> str:
        value = row.get(key)
        if value is None or value == "":
            if required:
                self.fail(f"{path}.{key}", "this field is required")
            return ""
        if not isinstance(value, str):
            self.fail(f"{path}.{key}", "must be a string")
            return ""
        value = value.strip()
        if len(value) > max_len:
            self.fail(f"{path}.{key}", f"at most {max_len} characters")
        return value

    def integer(
        self,
        row: Row,
        key: str,
        path: str,
        *,
        required: bool = False,
        minimum: int = 0,
        maximum: int = 2_147_483_647,
    ) -> int | None:
        value = row.get(key)
        if value is None:
            if required:
                self.fail(f"{path}.{key}", "this field is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"{path}.{key}", "must be a whole number")
            return None
        if value < minimum:
            self.fail(f"{path}.{key}", f"must be at least {minimum}")
            return None
        if value > maximum:
            self.fail(f"{path}.{key}", f"must be at most {maximum}")
            return None
        return value

    def boolean(self, row: Row, key: str, path: str) -> bool:
        value = row.get(key, False)
        if not isinstance(value, bool):
            self.fail(f"{path}.{key}", "must be true or false")
            return False
        return value

    def number(self, row: Row, key: str, path: str, *, required: bool = False) -> Decimal | None:
        value = row.get(key)
        if value is None:
            if required:
                self.fail(f"{path}.{key}", "this field is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.fail(f"{path}.{key}", "must be a number")
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.fail(f"{path}.{key}", "must be a number")
            return None
        if not number.is_finite() or number < 0 or number >= NUMBER_LIMIT:
            self.fail(f"{path}.{key}", f"must be a number from 0 to {NUMBER_LIMIT:,} (exclusive)")
            return None
        return number.quantize(Decimal("0.01"))

    def day(self, row: Row, key: str, path: str, *, required: bool = False) -> date | None:
        value = self.text(row, key, path, required=required, max_len=10)
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"{path}.{key}", "must be a date YYYY-MM-DD")
            return None

    def moment(self, row: Row, key: str, path: str, *, required: bool = False) -> datetime | None:
        value = self.text(row, key, path, required=required, max_len=40)
        if not value:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"{path}.{key}", "must be a time like 2021-06-11T10:00:00Z")
            return None
        if timezone.is_naive(parsed):
            self.fail(f"{path}.{key}", "give a time zone (e.g. 2021-06-11T10:00:00Z)")
            return None
        return parsed.astimezone(UTC)

    def choice(
        self,
        row: Row,
        key: str,
        path: str,
        choices: Iterable[str],
        *,
        required: bool = False,
        default: str = "",
    ) -> str:
        value = self.text(row, key, path, required=required, max_len=40)
        if not value:
            return default
        allowed = list(choices)
        if value not in allowed:
            self.fail(f"{path}.{key}", f"one of {', '.join(allowed)}")
            return default
        return value

    def strings(self, row: Row, key: str, path: str) -> list[str]:
        value = row.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(f"{path}.{key}", "must be a list of strings")
            return []
        return [v.strip() for v in value]

    def ori(self, row: Row, key: str, path: str, *, required: bool = True) -> str:
        value = self.text(row, key, path, required=required, max_len=9).upper()
        if value:
            try:
                validate_ori(value)
            except ValidationError as exc:
                self.fail(f"{path}.{key}", " ".join(str(m) for m in exc.messages))
                return ""
        return value

    def jurisdiction_ref(self, value: str, path: str) -> str:
        """Normalise ``country:MX``, ``state:NM``, ``county:35013``; refuse unknown places."""
        parsed = parse_jurisdiction_ref(value)
        if parsed is None:
            self.fail(path, "use country:XX, state:XX or county:NNNNN")
            return ""
        kind, _lookup, code = parsed
        ref = f"{kind}:{code}"
        if self.resolve_jurisdiction(ref) is None:
            self.fail(path, f"unknown jurisdiction {value}")
            return ""
        return ref

    def jurisdiction(self, row: Row, key: str, path: str, *, required: bool = False) -> str:
        value = self.text(row, key, path, required=required, max_len=20)
        return self.jurisdiction_ref(value, f"{path}.{key}") if value else ""

    def resolve_jurisdiction(self, ref: str) -> Jurisdiction | None:
        if ref not in self._jurisdictions:
            parsed = parse_jurisdiction_ref(ref)
            found = None
            if parsed is not None:
                kind, lookup, code = parsed
                found = Jurisdiction.objects.filter(kind=kind, **{lookup: code}).first()
            self._jurisdictions[ref] = found
        return self._jurisdictions[ref]


def jurisdiction_ref_of(place: Jurisdiction | None) -> str:
    """The bundle reference of a jurisdiction (states by USPS abbreviation)."""
    if place is None:
        return ""
    if place.kind == Jurisdiction.Kind.STATE:
        return f"state:{place.abbreviation}"
    return f"{place.kind}:{place.code}"
