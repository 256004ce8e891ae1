"""Reading untrusted bundle JSON into typed values, collecting every problem with its path."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from beacon.agencies.models import ORI_PATTERN, Jurisdiction, validate_ori
from beacon.geo import places

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
        # Places the bundle's ``places`` section declares, and its agencies' handles
        # (``ref`` -> ORI or ``XX:Name``), filled by the validator before the rows.
        self.declared_places: set[str] = set()
        self.agency_aliases: dict[str, str] = {}

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

    def partial(
        self, row: Row, key: str, path: str, *, required: bool = False, end: bool = False
    ) -> tuple[date | None, str]:
        """A date as precise as the source: 2019, 2021-06 or 2021-06-11 (the first day of
        the year or month for a start, the last for an end) and its precision."""
        value = row.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
            row = {**row, key: value}
        text = self.text(row, key, path, required=required, max_len=10)
        if not text:
            return None, "day"
        parsed = parse_partial(text, end=end)
        if parsed is None:
            self.fail(f"{path}.{key}", "must be a date: YYYY, YYYY-MM or YYYY-MM-DD")
            return None, "day"
        return parsed

    def moment(self, row: Row, key: str, path: str, *, required: bool = False) -> datetime | None:
        value = self.text(row, key, path, required=required, max_len=40)
        if not value:
            return None
        if len(value) == 10:
            try:
                return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
            except ValueError:
                pass
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.fail(
                f"{path}.{key}", "must be a day (2021-06-11) or a time like 2021-06-11T10:00:00Z"
            )
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
        """An agency reference: an ORI, ``XX:Name``, or an agency row's ``ref`` (given as
        the ORI or ``XX:Name`` it stands for)."""
        value = self.text(row, key, path, required=required, max_len=260)
        if not value:
            return ""
        if value in self.agency_aliases:
            return self.agency_aliases[value]
        if ORI_PATTERN.match(value.upper()):
            try:
                validate_ori(value.upper())
            except ValidationError as exc:
                self.fail(f"{path}.{key}", " ".join(str(m) for m in exc.messages))
                return ""
            return value.upper()
        country, sep, name = value.partition(":")
        if sep and re.fullmatch(r"[A-Za-z]{2}", country) and name.strip():
            return f"{country.upper()}:{name.strip()}"
        self.fail(
            f"{path}.{key}",
            f"unknown agency {value}: give an ORI, an agency row's ref, or XX:Name",
        )
        return ""

    def jurisdiction_ref(self, value: str, path: str) -> str:
        """The normalised ``kind:code`` of a place; refuse unknown places."""
        parsed = places.normalise(value)
        if isinstance(parsed, str):
            self.fail(path, parsed)
            return ""
        kind, code = parsed
        ref = f"{kind}:{code}"
        if ref in self.declared_places or places.known(kind, code):
            return ref
        self.fail(path, f"unknown place {value}: declare it in the bundle's places section")
        return ""

    def jurisdiction(self, row: Row, key: str, path: str, *, required: bool = False) -> str:
        value = self.text(row, key, path, required=required, max_len=260)
        return self.jurisdiction_ref(value, f"{path}.{key}") if value else ""

    def resolve_jurisdiction(self, ref: str) -> Jurisdiction | None:
        """The place (created on first use where Beacon knows it): call while writing."""
        if ref not in self._jurisdictions:
            self._jurisdictions[ref] = places.resolve(ref)
        return self._jurisdictions[ref]


def jurisdiction_ref_of(place: Jurisdiction | None) -> str:
    """The bundle reference of a place (states by USPS abbreviation)."""
    return places.ref_of(place)


def parse_partial(text: str, *, end: bool = False) -> tuple[date, str] | None:
    """(date, precision) of YYYY, YYYY-MM or YYYY-MM-DD; None when it is none of them."""
    import calendar

    try:
        if re.fullmatch(r"\d{4}", text):
            year = int(text)
            return (date(year, 12, 31) if end else date(year, 1, 1)), "year"
        if re.fullmatch(r"\d{4}-\d{2}", text):
            year, month = int(text[:4]), int(text[5:])
            last = calendar.monthrange(year, month)[1]
            return (date(year, month, last) if end else date(year, month, 1)), "month"
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text), "day"
    except ValueError:
        return None
    return None


def partial_text(value: date | None, precision: str) -> str | None:
    """The inverse of parse_partial."""
    if value is None:
        return None
    if precision == "year":
        return f"{value.year:04d}"
    if precision == "month":
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()
