"""The import's fast path: a plain, valid CSV row cleaned without the general machinery.

Most rows of a bulk file are simple: no aliases, alias DOBs, scars/marks/tattoos,
report time or jurisdiction, and every value valid. For such a row ``FastRows.clean``
gives exactly the ``CleanRecord`` that ``RecordValidator.clean(import_rows.to_input(row))``
gives, in about a third of the time (one function over the row's cells instead of a
dict, a frozen input, six checking methods and an error collector per row).

It only ever accepts: any row it is not sure of (a value it would reject, a column it
does not handle, a short or long row) gets ``None``, and the importer validates that
row the general way, which names every problem. So a row is never accepted here that
the general path would refuse, and the cleaned values are the general path's: a
property test holds the two equal on generated rows (tests/records/test_import_fast.py).
"""

from __future__ import annotations

from datetime import date
from operator import itemgetter

from beacon.agencies.models import Agency
from beacon.records import codes
from beacon.records.imports import rows as import_rows
from beacon.records.validation import (
    CODE_TABLES,
    HEIGHT_RANGE,
    INVOLUNTARY_CIRCUMSTANCES,
    NCMEC_PATTERN,
    NIC_PATTERN,
    OCA_PATTERN,
    REQUIRED_BY_CATEGORY,
    WEIGHT_RANGE,
    CleanRecord,
    RecordValidator,
    age_on,
    checked_name,
)

# Columns whose non-empty values only the general path handles (lists, time zones,
# jurisdiction references).
GENERAL_ONLY = frozenset({"aliases", "alias_dobs", "smt", "reported_at", "jurisdiction_last_seen"})
JUVENILE = codes.Category.JUVENILE.value
INVOLUNTARY = codes.Category.INVOLUNTARY.value
ALLOWED_CIRCUMSTANCES = frozenset({"", "unknown", *INVOLUNTARY_CIRCUMSTANCES})
# Each code table as {code: the table's own string}: looking a code up both checks it and
# gives one shared string object per code (a million rows then carry a few thousand
# strings fewer to pickle to the writing process and to unpickle there).
TABLES = {name: {v: v for v in values} for name, values in CODE_TABLES.items()}


# Every column the fast path reads, with the value a row without that column has (the
# RecordInput default as ``import_rows.to_input`` leaves it; "" reads as no date/number).
READ = {
    "category": "",
    "last_name": "",
    "first_name": "",
    "middle_name": "",
    "sex": "",
    "race": "U",
    "eyes": codes.Eyes.UNKNOWN.value,
    "hair": codes.Hair.UNKNOWN.value,
    "circumstances": "unknown",
    "tlp": "AMBER",
    "dob": "",
    "dlc": "",
    "height_in": "",
    "weight_lb": "",
    "oca": "",
    "ncmec_number": "",
    "place_last_seen": "",
    "notes": "",
    "nic": "",
    "originating_ori": "",
}
CATEGORIES, SEXES, RACES = TABLES["category"].get, TABLES["sex"].get, TABLES["race"].get
EYES, HAIRS = TABLES["eyes"].get, TABLES["hair"].get
CIRCUMSTANCES, TLPS = TABLES["circumstances"].get, TABLES["tlp"].get
JUVENILE_AGE_LIMIT = codes.JUVENILE_AGE_LIMIT
EYES_UNKNOWN, HAIR_UNKNOWN = codes.Eyes.UNKNOWN.value, codes.Hair.UNKNOWN.value
EMPTY = (None, "", "unknown")


class FastRows:
    """Cleans the simple rows of one file (its folded header) against one validator."""

    def __init__(
        self,
        validator: RecordValidator,
        keys: list[str],
        *,
        default_agency: Agency,
        own_ori: str,
        is_system: bool,
    ) -> None:
        columns = [import_rows.canonical_column(k) for k in keys]
        at = {c: i for i, c in enumerate(columns)}
        self.usable = (
            len(at) == len(columns)
            and all(c in import_rows.COLUMNS for c in columns)
            and all(c in at for c in import_rows.REQUIRED_COLUMNS)
        )
        self.width = len(columns)
        self.general_only = [i for i, c in enumerate(columns) if c in GENERAL_ONLY]
        # A row's cells are padded with the defaults of the columns the file lacks, so
        # every value is read by a fixed position.
        absent = [c for c in READ if c not in at]
        self.padding = [READ[c] for c in absent]
        at.update({c: len(columns) + k for k, c in enumerate(absent)})
        self.values_of = itemgetter(*(at[c] for c in READ))  # the READ columns, in order
        self.validator = validator
        self.default_agency = default_agency
        self.own_ori = own_ori
        self.is_system = is_system

    def clean(self, raw: list[str]) -> CleanRecord | None:
        """The row's CleanRecord, or None: let the general path judge it."""
        if not self.usable or len(raw) != self.width:
            return None
        cells = [c.strip() for c in raw]
        for i in self.general_only:
            if cells[i]:
                return None
        cells += self.padding
        (
            category,
            last,
            first,
            middle,
            sex,
            race,
            eyes,
            hair,
            given_circumstances,
            tlp,
            dob_text,
            dlc_text,
            height_text,
            weight_text,
            oca,
            ncmec,
            given_place,
            notes,
            nic,
            ori,
        ) = self.values_of(cells)
        category, sex, oca = CATEGORIES(category.upper()), SEXES(sex.upper()), oca.upper()
        if category is None or sex is None or not oca or not OCA_PATTERN.match(oca):
            return None
        race = RACES((race or "U").upper())
        eyes = EYES((eyes or EYES_UNKNOWN).upper())
        hair = HAIRS((hair or HAIR_UNKNOWN).upper())
        circumstances = CIRCUMSTANCES((given_circumstances or "unknown").lower())
        tlp = TLPS((tlp or "AMBER").upper())
        if race is None or eyes is None or hair is None or circumstances is None or tlp is None:
            return None

        last, problem = checked_name(last)
        if not last or problem:
            return None
        first, problem = checked_name(first)
        if problem:
            return None
        middle, problem = checked_name(middle)
        if problem:
            return None

        try:
            dob = _date_or_none(dob_text)
            dlc = _date_or_none(dlc_text)
            height = import_rows.read_int(height_text)
            weight = import_rows.read_int(weight_text)
        except ValueError:
            return None
        today = self.validator.today
        if dlc is None or dlc > today:
            return None
        if dob is not None and (dob > today or dob > dlc or age_on(dob, today) > 125):
            return None
        if height is not None and not HEIGHT_RANGE[0] <= height <= HEIGHT_RANGE[1]:
            return None
        if weight is not None and not WEIGHT_RANGE[0] <= weight <= WEIGHT_RANGE[1]:
            return None

        ncmec = ncmec.upper()
        if ncmec and not NCMEC_PATTERN.match(ncmec):
            return None
        place = " ".join(given_place.split())
        if len(place) > 200 or len(notes) > 10_000 or "\x00" in notes or "\x00" in given_place:
            return None
        nic = nic.upper()
        if nic and not NIC_PATTERN.match(nic):
            return None

        # Category rules (RecordValidator._category_rules), on the values as given.
        for name in REQUIRED_BY_CATEGORY[category]:
            if name == "dob":
                if dob is None:
                    return None
            elif name == "notes":
                if notes in EMPTY:
                    return None
            elif name == "circumstances":
                if given_circumstances in EMPTY:
                    return None
            elif name == "place_last_seen":
                if given_place in EMPTY:
                    return None
            else:  # a rule this path does not know: the general path applies it
                return None
        if category == INVOLUNTARY and given_circumstances not in ALLOWED_CIRCUMSTANCES:
            return None
        if (
            category == JUVENILE
            and dob is not None
            and dlc >= dob
            and age_on(dob, dlc) >= JUVENILE_AGE_LIMIT
        ):
            return None

        agency = self.default_agency
        if ori:
            found = self.validator.agency(ori)
            if found is None:
                return None
            agency = found
        if not self.is_system and (ori.upper() or self.own_ori) != self.own_ori:
            return None

        values: dict[str, object] = {
            "last_name": last,
            "first_name": first,
            "middle_name": middle,
            "category": category,
            "sex": sex,
            "race": race,
            "eyes": eyes,
            "hair": hair,
            "circumstances": circumstances,
            "tlp": tlp,
            "dob": dob,
            "dlc": dlc,
            "reported_at": None,
            "height_in": height,
            "weight_lb": weight,
            "oca": oca,
            "ncmec_number": ncmec,
            "place_last_seen": place,
            "notes": notes,
            "smt": [],
            "jurisdiction_last_seen": None,
        }
        return CleanRecord(
            values=values, aliases=[], alias_dobs=[], originating_agency=agency, nic=nic
        )


def _date_or_none(cell: str) -> date | None:
    if len(cell) == 10:  # the usual YYYY-MM-DD (read_date reads the first 10 characters)
        return date.fromisoformat(cell)
    return import_rows.read_date(cell) if cell else None
