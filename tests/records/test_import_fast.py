"""The import's fast path accepts only what the general path accepts, cleaned the same."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from beacon.agencies.models import Agency
from beacon.core.errors import ValidationFailed
from beacon.records import keys
from beacon.records.imports import files as import_files
from beacon.records.imports import rows as import_rows
from beacon.records.imports.fast import FastRows
from beacon.records.validation import CleanRecord, RecordValidator

TODAY = timezone.localdate()
DLC = (TODAY - timedelta(days=10)).isoformat()
OWN_ORI = "NM0070100"

# Per column: values the general path accepts (first list) and values it refuses or
# that only some rows accept (second list).
CELLS: dict[str, tuple[list[str], list[str]]] = {
    "category": (["EMJ", "emj", " EME ", "EMO", "EMO"], ["EMI", "EMD", "EMV", "EMX", ""]),
    "last_name": (["Martínez", "o'brien", "  Van  der Berg ", "Lee."], ["X1", "", "A" * 61]),
    "first_name": (["Guadalupe", "", "Bill", "J."], ["M@ry", "B" * 61]),
    "middle_name": (["", "Isabel"], ["3"]),
    "sex": (["F", "m", "U"], ["Q", ""]),
    "race": (["", "W", "b"], ["Z"]),
    "eyes": (["", "BRO", "xxx"], ["ZZZ"]),
    "hair": (["", "BLK"], ["nope"]),
    "dob": (
        ["2010-03-05", "2012-12-31", "2010-03-05T00:00"],
        [
            "",
            "1990-12-31",
            "2010-3-5",
            "2099-01-01",
            "1850-01-01",
            "2001-02-30",
            (TODAY - timedelta(days=21 * 365 + 10)).isoformat(),
        ],
    ),
    "dlc": ([DLC, TODAY.isoformat()], [(TODAY + timedelta(days=2)).isoformat(), "", "junk"]),
    "oca": (["LC-1", "lc/2", " b.3 "], ["", "bad oca!", "A" * 21]),
    "originating_ori": (["", OWN_ORI, OWN_ORI.lower()], ["NM0070200", "XX0000000"]),
    "notes": (["note", "note", ""], ["unknown", "nul\x00byte", "x" * 10_001]),
    "place_last_seen": (["", "Las Cruces", "  a   b "], ["unknown", "nul\x00", "p" * 201]),
    "circumstances": (
        ["", "unknown", "runaway"],
        ["Runaway", "family_abduction", "non_family_abduction", "bogus"],
    ),
    "tlp": (["", "amber", "RED"], ["nope"]),
    "height_in": (["", "60"], ["5", "x", "200"]),
    "weight_lb": (["", "110"], ["0", "-3"]),
    "nic": (["", "A123456789", "a123456789"], ["123"]),
    "ncmec_number": (["", "NCMEC-1"], ["bad ncmec"]),
    "aliases": ([""], ["Martinez, Lupita (nickname)"]),
    "alias_dobs": ([""], ["2010-05-03"]),
    "smt": ([""], ["TAT L ARM"]),
    "reported_at": ([""], ["2021-05-01T10:00:00Z"]),
    "jurisdiction_last_seen": ([""], ["state:NM"]),
}
REQUIRED = ["category", "last_name", "sex", "dlc", "oca"]
OPTIONAL = [c for c in CELLS if c not in REQUIRED]
# Some columns under their NCIC names, as files give them.
NCIC_NAMES = {"category": "MKE", "originating_ori": "ORI", "height_in": "HGT", "eyes": "EYE"}


@st.composite
def files_and_rows(draw: Any) -> tuple[list[str], list[str], bool]:
    """A header (required columns and some optional ones, some under NCIC names, in any
    order), one row of it (sometimes a cell short or long, padded with spaces) and
    whether the importer is the system actor."""
    usual = [c for c in ("dob", "notes") if draw(st.integers(0, 4))]  # mostly there
    others = [c for c in OPTIONAL if c not in ("dob", "notes")]
    columns = REQUIRED + usual + draw(st.lists(st.sampled_from(others), unique=True))
    columns = draw(st.permutations(columns))
    header = [NCIC_NAMES.get(c, c) if draw(st.booleans()) else c for c in columns]
    # A good row, with one or two cells (or none) from the refused or odd values.
    cells = [draw(st.sampled_from(CELLS[c][0])) for c in columns]
    for _ in range(draw(st.sampled_from([0, 0, 1, 1, 1, 2]))):
        at = draw(st.integers(0, len(columns) - 1))
        cells[at] = draw(st.sampled_from(CELLS[columns[at]][1]))
    cells = [f" {c} " if c and draw(st.integers(0, 9)) == 0 else c for c in cells]
    shape = draw(st.sampled_from(["exact"] * 18 + ["short", "long"]))
    if shape == "short":
        cells = cells[:-1]
    elif shape == "long":
        cells = [*cells, "extra"]
    return header, cells, draw(st.booleans())


def general(
    validator: RecordValidator, header: list[str], cells: list[str], own: Agency, is_system: bool
) -> CleanRecord | None:
    """What the general path decides: the CleanRecord of a good row, None for a bad one
    (the same steps as import_work._validate's general branch)."""
    folded = [import_files.fold_column(h) for h in header]
    data, problems = import_rows.to_input(import_files.row_of(folded, cells))
    try:
        clean = validator.clean(data, default_agency=own)
    except ValidationFailed:
        return None
    ori = data.originating_ori.strip().upper() or own.ori
    if problems or (not is_system and ori != own.ori):
        return None
    return clean


def as_compared(clean: CleanRecord) -> tuple[Any, ...]:
    return (
        clean.values,
        clean.aliases,
        clean.alias_dobs,
        clean.originating_agency.pk,
        clean.nic,
    )


@pytest.mark.django_db
@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=files_and_rows())
def test_the_fast_path_accepts_only_what_the_general_path_accepts_and_cleans_it_the_same(
    case: tuple[list[str], list[str], bool],
) -> None:
    header, cells, is_system = case
    own, _ = Agency.objects.get_or_create(ori=OWN_ORI, defaults={"name": "LCPD", "kind": "local"})
    Agency.objects.get_or_create(ori="NM0070200", defaults={"name": "SPPD", "kind": "local"})
    validator = RecordValidator()
    fast = FastRows(
        validator,
        [import_files.fold_column(h) for h in header],
        default_agency=own,
        own_ori=own.ori,
        is_system=is_system,
    ).clean(cells)
    expected = general(validator, header, cells, own, is_system)
    event("fast path took the row" if fast is not None else "general path")
    if fast is not None:
        assert expected is not None, "the fast path accepted a row the general path refuses"
        assert as_compared(fast) == as_compared(expected)


@pytest.mark.django_db
def test_the_fast_path_takes_the_plain_rows_of_a_bulk_file(agency_a: Agency) -> None:
    """The speed of a bulk import rests on this: a plain valid row is cleaned here."""
    header = ["category", "last_name", "first_name", "sex", "dob", "dlc", "oca", "ori", "notes"]
    fast = FastRows(
        RecordValidator(),
        [import_files.fold_column(h) for h in header],
        default_agency=agency_a,
        own_ori=agency_a.ori,
        is_system=True,
    )
    plain = ["EMJ", "Begay", "Tyrell", "M", "2012-11-20", DLC, "B000000001", OWN_ORI, ""]
    clean = fast.clean(plain)
    assert clean is not None
    assert clean.values["last_name"] == "Begay"
    assert clean.values["dob"] == date(2012, 11, 20)
    assert clean.originating_agency.pk == agency_a.pk
    # A row with an alias goes the general way (lists are the general path's).
    with_alias = FastRows(
        RecordValidator(),
        [*header, "aliases"],
        default_agency=agency_a,
        own_ori=agency_a.ori,
        is_system=True,
    )
    assert with_alias.clean([*plain, "Begay, Ty (nickname)"]) is None
    assert with_alias.clean([*plain, ""]) is not None


@pytest.mark.django_db
@settings(max_examples=300, deadline=None)
@given(
    last=st.sampled_from(["Martinez", "Van der Berg", "Smith-Jones", "O'Brien", "Nguyen", ""]),
    first=st.sampled_from(["Bill", "William", "Guadalupe", "", "J"]),
    dob=st.one_of(st.none(), st.dates(date(1900, 1, 1), date(2025, 12, 31))),
)
def test_one_name_keys_are_the_general_keys(last: str, first: str, dob: date | None) -> None:
    assert set(keys.one_name_key_values(last, first, dob)) == keys.record_key_values(
        [(last, first)], [dob] if dob else []
    )
