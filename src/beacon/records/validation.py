"""NCIC-style validation of a record's descriptors. Every error names its field.

``RecordValidator`` keeps small caches (agencies by ORI, jurisdictions by code) so the
importer can validate a million rows without a query per row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from django.utils import timezone

from beacon.agencies.models import Agency, Jurisdiction
from beacon.agencies.refs import parse_jurisdiction_ref
from beacon.core.errors import ValidationFailed
from beacon.records import codes
from beacon.records.inputs import NameInput, RecordInput

# Word processors and phones type D\u2019Alia with a typographic apostrophe (or a modifier
# letter, an acute accent, a backtick): they are the same name, stored with "'".
APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u2018\u02bc\u00b4\u0060", "'"))
NAME_PATTERN = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]+)*\.?$")
NIC_PATTERN = re.compile(r"^[A-Z][0-9]{9}$")
OCA_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9\-/.]{0,19}$")
NCMEC_PATTERN = re.compile(r"^[A-Z0-9\-]{1,20}$")
NAME_MAX = 60
HEIGHT_RANGE = (12, 107)  # inches (1 ft to 8 ft 11 in)
WEIGHT_RANGE = (1, 999)  # pounds
SMT_MAX = 10
SMT_LENGTH = 40
ALIAS_MAX = 20

# Fields each category must carry beyond the common ones (NCIC requires supporting
# documentation for these categories; Beacon asks for it in the notes).
REQUIRED_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    codes.Category.JUVENILE: ("dob",),
    codes.Category.ENDANGERED: ("notes",),
    codes.Category.DISABILITY: ("notes",),
    codes.Category.INVOLUNTARY: ("circumstances",),
    codes.Category.CATASTROPHE_VICTIM: ("place_last_seen",),
    codes.Category.OTHER: (),
}
# Code tables as tuples, computed once (TextChoices.values rebuilds a list per call).
CODE_TABLES: dict[str, tuple[str, ...]] = {
    "category": tuple(codes.Category.values),
    "sex": tuple(codes.Sex.values),
    "race": tuple(codes.Race.values),
    "eyes": tuple(codes.Eyes.values),
    "hair": tuple(codes.Hair.values),
    "circumstances": tuple(codes.Circumstance.values),
    "tlp": tuple(codes.Tlp.values),
}
CATEGORY_LABELS = {str(c.value): str(c.label) for c in codes.Category}
INVOLUNTARY_CIRCUMSTANCES = frozenset(
    {codes.Circumstance.FAMILY_ABDUCTION, codes.Circumstance.NON_FAMILY_ABDUCTION}
)


@dataclass
class CleanRecord:
    """Validated, normalised values, ready to store."""

    values: dict[str, object]
    aliases: list[NameInput]
    alias_dobs: list[date]
    originating_agency: Agency
    nic: str


@dataclass
class Errors:
    fields: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            first = next(iter(self.fields))
            raise ValidationFailed(
                f"{first}: {self.fields[first][0]}"
                + (f" (and {len(self.fields) - 1} more)" if len(self.fields) > 1 else ""),
                fields=self.fields,
            )


@lru_cache(maxsize=100_000)
def checked_name(value: str) -> tuple[str, str]:
    """A name with its spaces normalised, and what is wrong with it ('' when nothing);
    cached: names repeat, an import checks each distinct one once."""
    value = " ".join(value.translate(APOSTROPHES).split())
    if len(value) > NAME_MAX:
        return value, f"at most {NAME_MAX} characters"
    if value and not NAME_PATTERN.match(value):
        return value, "letters, spaces, hyphens, apostrophes and periods only"
    return value, ""


def age_on(dob: date, day: date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


class RecordValidator:
    def __init__(self, *, now: datetime | None = None) -> None:
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)
        self._agencies: dict[str, Agency | None] = {}
        self._jurisdictions: dict[str, Jurisdiction | None] = {}

    def agency(self, ori: str) -> Agency | None:
        ori = ori.strip().upper()
        if ori not in self._agencies:
            self._agencies[ori] = Agency.objects.filter(ori=ori).first()
        return self._agencies[ori]

    def jurisdiction(self, ref: str) -> Jurisdiction | None:
        if ref not in self._jurisdictions:
            parsed = parse_jurisdiction_ref(ref)
            self._jurisdictions[ref] = None if parsed is None else self.find_jurisdiction(*parsed)
        return self._jurisdictions[ref]

    def find_jurisdiction(self, kind: str, lookup: str, value: str) -> Jurisdiction | None:
        return Jurisdiction.objects.filter(kind=kind, **{lookup: value}).first()

    def clean(self, data: RecordInput, *, default_agency: Agency) -> CleanRecord:
        """Validate ``data``; raise ValidationFailed listing every bad field."""
        errors = Errors()
        values: dict[str, object] = {}

        self._names(data, errors, values)
        self._codes(data, errors, values)
        self._dates(data, errors, values)
        self._measures(data, errors, values)
        self._texts(data, errors, values)
        self._category_rules(data, errors)

        agency = default_agency
        if data.originating_ori.strip():
            found = self.agency(data.originating_ori)
            if found is None:
                errors.add("originating_ori", f"no agency with ORI {data.originating_ori!r}")
            else:
                agency = found
        values["jurisdiction_last_seen"] = None
        if data.jurisdiction_last_seen.strip():
            place = self.jurisdiction(data.jurisdiction_last_seen.strip())
            if place is None:
                errors.add(
                    "jurisdiction_last_seen",
                    "unknown jurisdiction; use country:XX, state:XX or county:NNNNN",
                )
            values["jurisdiction_last_seen"] = place

        nic = data.nic.strip().upper()
        if nic and not NIC_PATTERN.match(nic):
            errors.add("nic", "NIC must be one letter followed by 9 digits")

        aliases = self._aliases(data, errors)
        errors.raise_if_any()
        return CleanRecord(
            values=values,
            aliases=aliases,
            alias_dobs=sorted(set(data.alias_dobs)),
            originating_agency=agency,
            nic=nic,
        )

    def _name(self, value: str, name: str, errors: Errors, *, required: bool) -> str:
        value, problem = checked_name(value)
        if not value:
            if required:
                errors.add(name, "this field is required")
            return ""
        if problem:
            errors.add(name, problem)
        return value

    def _names(self, data: RecordInput, errors: Errors, values: dict[str, object]) -> None:
        values["last_name"] = self._name(data.last_name, "last_name", errors, required=True)
        values["first_name"] = self._name(data.first_name, "first_name", errors, required=False)
        values["middle_name"] = self._name(data.middle_name, "middle_name", errors, required=False)

    def _aliases(self, data: RecordInput, errors: Errors) -> list[NameInput]:
        if len(data.aliases) > ALIAS_MAX:
            errors.add("aliases", f"at most {ALIAS_MAX} alias names")
        out: list[NameInput] = []
        for i, alias in enumerate(data.aliases):
            prefix = f"aliases.{i}"
            if alias.kind not in ("alias", "nickname"):
                errors.add(f"{prefix}.kind", "must be alias or nickname")
            last = self._name(alias.last_name, f"{prefix}.last_name", errors, required=False)
            first = self._name(alias.first_name, f"{prefix}.first_name", errors, required=False)
            middle = self._name(alias.middle_name, f"{prefix}.middle_name", errors, required=False)
            if not last and not first:
                errors.add(f"{prefix}.last_name", "an alias needs a last or a first name")
            out.append(NameInput(last or str(data.last_name).strip(), first, middle, alias.kind))
        return out

    def _codes(self, data: RecordInput, errors: Errors, values: dict[str, object]) -> None:
        given = {
            "category": data.category.strip().upper(),
            "sex": data.sex.strip().upper(),
            "race": (data.race or "U").strip().upper(),
            "eyes": (data.eyes or codes.Eyes.UNKNOWN.value).strip().upper(),
            "hair": (data.hair or codes.Hair.UNKNOWN.value).strip().upper(),
            "circumstances": (data.circumstances or "unknown").strip().lower(),
            "tlp": (data.tlp or "AMBER").strip().upper(),
        }
        for name, value in given.items():
            allowed = CODE_TABLES[name]
            if not value:
                errors.add(name, "this field is required")
            elif value not in allowed:
                errors.add(name, f"{value!r} is not a code of the table ({', '.join(allowed)})")
            values[name] = value

    def _dates(self, data: RecordInput, errors: Errors, values: dict[str, object]) -> None:
        dob, dlc = data.dob, data.dlc
        values["dob"], values["dlc"] = dob, dlc
        if dlc is None:
            errors.add("dlc", "this field is required")
        elif dlc > self.today:
            errors.add("dlc", "the date of last contact cannot be in the future")
        if dob is not None:
            if dob > self.today:
                errors.add("dob", "the date of birth cannot be in the future")
            elif dlc is not None and dob > dlc:
                errors.add("dob", "the date of birth must be on or before the date of last contact")
            elif age_on(dob, self.today) > 125:
                errors.add("dob", "the date of birth is more than 125 years ago")
        for i, alias_dob in enumerate(data.alias_dobs):
            if alias_dob > self.today:
                errors.add(f"alias_dobs.{i}", "the date of birth cannot be in the future")
        reported = data.reported_at
        values["reported_at"] = reported
        if reported is not None:
            if timezone.is_naive(reported):
                errors.add("reported_at", "give a time zone (e.g. 2021-05-01T10:00:00Z)")
            elif reported > self.now:
                errors.add("reported_at", "the report time cannot be in the future")
            elif dlc is not None and timezone.localdate(reported) < dlc:
                errors.add("reported_at", "the report cannot be before the date of last contact")

    def _measures(self, data: RecordInput, errors: Errors, values: dict[str, object]) -> None:
        for name, value, (low, high), unit in (
            ("height_in", data.height_in, HEIGHT_RANGE, "inches"),
            ("weight_lb", data.weight_lb, WEIGHT_RANGE, "pounds"),
        ):
            if value is not None and not low <= value <= high:
                errors.add(name, f"must be between {low} and {high} {unit}")
            values[name] = value

    def _texts(self, data: RecordInput, errors: Errors, values: dict[str, object]) -> None:
        oca = data.oca.strip().upper()
        if not oca:
            errors.add("oca", "this field is required")
        elif not OCA_PATTERN.match(oca):
            errors.add("oca", "up to 20 letters, digits, '-', '/' or '.'")
        values["oca"] = oca
        ncmec = data.ncmec_number.strip().upper()
        if ncmec and not NCMEC_PATTERN.match(ncmec):
            errors.add("ncmec_number", "up to 20 letters, digits or '-'")
        values["ncmec_number"] = ncmec
        place = " ".join(data.place_last_seen.split())
        if len(place) > 200:
            errors.add("place_last_seen", "at most 200 characters")
        values["place_last_seen"] = place
        if len(data.notes) > 10_000:
            errors.add("notes", "at most 10,000 characters")
        for name in ("notes", "place_last_seen"):
            if "\x00" in getattr(data, name):  # PostgreSQL refuses NUL; no text needs one
                errors.add(name, "contains a NUL byte")
        values["notes"] = data.notes.strip()
        if len(data.smt) > SMT_MAX:
            errors.add("smt", f"at most {SMT_MAX} scars, marks or tattoos")
        smt = [" ".join(s.split()).upper() for s in data.smt if s.strip()]
        for i, item in enumerate(smt):
            if len(item) > SMT_LENGTH:
                errors.add(f"smt.{i}", f"at most {SMT_LENGTH} characters")
        values["smt"] = smt

    def _category_rules(self, data: RecordInput, errors: Errors) -> None:
        category = data.category.strip().upper()
        if category not in CATEGORY_LABELS:
            return
        for name in REQUIRED_BY_CATEGORY[category]:
            value = getattr(data, name)
            if value in (None, "", "unknown"):
                label = CATEGORY_LABELS[category]
                errors.add(name, f"required for category {category} ({label})")
        if category == codes.Category.INVOLUNTARY and data.circumstances not in (
            "",
            "unknown",
            *INVOLUNTARY_CIRCUMSTANCES,
        ):
            errors.add("circumstances", "an involuntary (EMI) entry must be an abduction")
        if category == codes.Category.JUVENILE and data.dob is not None:
            day = data.dlc or self.today
            if day >= data.dob and age_on(data.dob, day) >= codes.JUVENILE_AGE_LIMIT:
                errors.add(
                    "dob",
                    f"a juvenile (EMJ) entry is for a person under {codes.JUVENILE_AGE_LIMIT} "
                    "on the date of last contact",
                )
