"""NCIC message format: one Missing Person File entry per line, period-separated fields.

    EMJ.ORI/NM0070100.NAM/MARTINEZ, GUADALUPE ISABEL.SEX/F.RAC/W.DOB/20080403.HGT/502...

Beacon writes the message key (MKE) first, then every field as ``TAG/value``, MIS last
(its text may hold periods: everything after ``MIS/`` is the miscellaneous field). It
reads the same, and also a leading header (``1N01HEADER``), ``MKE/EMJ`` and the ORI
given bare right after the message key. Layout and codes: docs/formats/ncic.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from beacon.interchange import ncic_codes
from beacon.interchange.errors import Collector
from beacon.records import codes as record_codes
from beacon.records.inputs import NameInput, RecordInput

# Tags Beacon reads; a repeatable tag may appear more than once.
TAGS = (
    "MKE",
    "ORI",
    "NAM",
    "SEX",
    "RAC",
    "POB",
    "DOB",
    "DOE",
    "HGT",
    "WGT",
    "EYE",
    "HAI",
    "SKN",
    "SMT",
    "FBI",
    "SOC",
    "OLN",
    "OLS",
    "OLY",
    "MNU",
    "AKA",
    "MNP",
    "DLC",
    "OCA",
    "NIC",
    "MPC",
    "MIS",
)
REPEATABLE = frozenset({"SMT", "MNU", "AKA"})
IDENTIFIERS = ("FBI", "SOC", "OLN", "OLS", "OLY", "MNU")
# Longest value of each tag (NCIC field sizes).
WIDTH = {
    "ORI": 9,
    "NAM": 30,
    "AKA": 30,
    "OCA": 20,
    "NIC": 10,
    "SMT": 10,
    "FBI": 9,
    "OLN": 20,
    "MIS": 500,
}
TAG_PATTERN = re.compile(r"^([A-Z]{3})/(.*)$", re.DOTALL)
HEADER_PATTERN = re.compile(r"^\d?[A-Z0-9]{3}HEADER$|^\d[A-Z]\d\d")
LOOKS_LIKE = re.compile(r"(^|\.)[A-Z]{3}/")


POSITIONAL = re.compile(r"^(\d?[A-Z0-9]{3}HEADER\.)?[A-Z]{3}\.")


def is_message(line: str) -> bool:
    """Is this line an NCIC message (TAG/value fields, or a message key followed by a
    period), not a legacy fixed record (whose ORI follows the MKE without a period)?"""
    return bool(LOOKS_LIKE.search(line) or POSITIONAL.match(line))


# ------------------------------------------------------------------ writing


def day(value: date | None) -> str:
    return value.strftime("%Y%m%d") if value else ""


def name_field(last: str, first: str, middle: str) -> str:
    """NCIC NAM: ``LAST, FIRST MIDDLE`` in capitals, without periods."""
    given = " ".join(n for n in (first, middle) if n)
    text = f"{last}, {given}" if given else last
    return " ".join(text.replace(".", " ").split()).upper().replace(" ,", ",")


def format_message(fields: list[tuple[str, str]]) -> tuple[str, list[str]]:
    """One message line from (tag, value) pairs (empty values left out), and the values
    that cannot be written (too long, or a period outside MIS)."""
    problems: list[str] = []
    parts: list[str] = []
    mke = ""
    for tag, value in fields:
        if not value:
            continue
        if tag == "MKE":
            mke = value
            continue
        if tag != "MIS" and "." in value:
            problems.append(f"{tag}: {value!r} holds a period, the message's field separator")
        width = WIDTH.get(tag)
        if width and len(value) > width:
            problems.append(f"{tag}: {value!r} is longer than {width} characters")
        parts.append(f"{tag}/{value}")
    return ".".join([mke, *parts]), problems


# ------------------------------------------------------------------ reading


@dataclass
class Message:
    """A parsed line: the record's input, NCIC fields the registry does not hold, and the
    column (1-based) where each tag starts, to name it in errors."""

    data: RecordInput
    mpc: str = ""
    mnp: str = ""
    pob: str = ""
    skn: str = ""
    doe: date | None = None
    identifiers: dict[str, list[str]] = field(default_factory=dict)
    columns: dict[str, int] = field(default_factory=dict)

    def where(self, tag: str) -> str:
        column = self.columns.get(tag)
        return f"{tag} (column {column})" if column else tag

    @property
    def has_extras(self) -> bool:
        """Does the line carry NCIC fields the registry does not hold? (MPC R, N and S
        are the record's circumstances; only F is kept beside it.)"""
        return bool(
            self.mpc == "F" or self.mnp == "AA" or self.pob or self.skn or self.doe
        ) or bool(self.identifiers)


def _tokens(text: str) -> list[tuple[int, str]]:
    """(column, token) pairs; everything after ``MIS/`` is one token."""
    out: list[tuple[int, str]] = []
    at = 0
    while at <= len(text):
        if text.startswith("MIS/", at):
            out.append((at + 1, text[at:]))
            break
        end = text.find(".", at)
        end = len(text) if end < 0 else end
        out.append((at + 1, text[at:end]))
        at = end + 1
    return out


class _Reader:
    def __init__(self, line: int, errors: Collector) -> None:
        self.line, self.errors = line, errors
        self.values: dict[str, list[str]] = {}
        self.columns: dict[str, int] = {}

    def error(self, tag: str, message: str) -> None:
        column = self.columns.get(tag)
        self.errors.add(self.line, f"{tag} (column {column})" if column else tag, message)

    def one(self, tag: str) -> str:
        return self.values.get(tag, [""])[0]

    def code(self, tag: str, table: tuple[str, ...], what: str) -> str:
        value = self.one(tag).upper()
        if value and value not in table:
            self.error(tag, f"{value!r} is not an NCIC {what} code ({', '.join(table)})")
            return ""
        return value

    def day(self, tag: str) -> date | None:
        value = self.one(tag)
        if not value:
            return None
        try:
            if len(value) != 8 or not value.isdigit():
                raise ValueError
            return date(int(value[:4]), int(value[4:6]), int(value[6:]))
        except ValueError:
            self.error(tag, f"{value!r} is not a date (YYYYMMDD)")
            return None

    def number(self, tag: str) -> int | None:
        value = self.one(tag)
        if not value:
            return None
        if not value.isdigit() or len(value) != 3:
            hint = "FII: feet, then 2-digit inches" if tag == "HGT" else "three digits, pounds"
            self.error(tag, f"{value!r} is not a {tag} ({hint})")
            return None
        if tag == "HGT":
            if int(value[1:]) > 11:
                self.error(tag, f"{value!r}: inches are 00 to 11")
                return None
            return int(value[0]) * 12 + int(value[1:])
        return int(value)


def _split(text: str, reader: _Reader) -> None:
    """Fill the reader's values and columns from the line's fields."""
    bare = 0  # bare (untagged) fields read so far: the header, MKE, ORI
    for column, token in _tokens(text):
        match = TAG_PATTERN.match(token)
        if match is None:
            token = token.strip()
            if not token:
                continue
            if bare == 0 and not reader.values and HEADER_PATTERN.match(token):
                continue
            if "MKE" not in reader.values and not reader.values:
                reader.values["MKE"], reader.columns["MKE"] = [token], column
                bare += 1
                continue
            if "ORI" not in reader.values and set(reader.values) == {"MKE"}:
                reader.values["ORI"], reader.columns["ORI"] = [token], column
                bare += 1
                continue
            reader.errors.add(
                reader.line,
                f"column {column}",
                f"{token[:20]!r} has no tag: give each field as TAG/value",
            )
            continue
        tag, value = match.group(1), match.group(2).strip()
        reader.columns.setdefault(tag, column)
        if tag not in TAGS:
            reader.error(tag, "not a Missing Person File field Beacon reads")
            continue
        if tag in reader.values and tag not in REPEATABLE:
            reader.error(tag, "given twice (only SMT, MNU and AKA repeat)")
            continue
        reader.values.setdefault(tag, []).append(value)


def _names(value: str) -> tuple[str, str, str]:
    last, _sep, given = value.partition(",")
    first, _sp, middle = given.strip().partition(" ")
    return last.strip(), first.strip(), middle.strip()


def _identifiers(reader: _Reader) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    soc = reader.one("SOC")
    if soc and not (len(soc) == 9 and soc.isdigit()):
        reader.error("SOC", "a Social Security number is nine digits, no hyphens")
    fbi = reader.one("FBI").upper()
    if fbi and not (fbi.isalnum() and len(fbi) <= WIDTH["FBI"]):
        reader.error("FBI", f"at most {WIDTH['FBI']} letters and digits")
    oln = reader.one("OLN").upper()
    if oln and not (oln.isalnum() and len(oln) <= WIDTH["OLN"]):
        reader.error("OLN", f"at most {WIDTH['OLN']} letters and digits")
    ols = reader.one("OLS").upper()
    if ols and not (len(ols) == 2 and ols.isalpha()):
        reader.error("OLS", "the licence's state: a two-letter NCIC state code")
    oly = reader.one("OLY").upper()
    if oly and not (oly == "NX" or (len(oly) == 4 and oly.isdigit())):
        reader.error("OLY", "the licence's year of expiration (YYYY) or NX (non-expiring)")
    if (ols or oly) and not oln:
        reader.error("OLS" if ols else "OLY", "OLS and OLY go with an OLN")
    for mnu in reader.values.get("MNU", []):
        prefix, hyphen, number = mnu.upper().partition("-")
        if prefix not in ncic_codes.MNU_PREFIXES or not hyphen or not number:
            reader.error("MNU", f"{mnu!r}: a two-letter NCIC MNU prefix, '-', the number")
        elif len(mnu) > ncic_codes.MNU_MAX:
            reader.error("MNU", f"{mnu!r} is longer than {ncic_codes.MNU_MAX} characters")
        out.setdefault("MNU", []).append(mnu.upper())
    for tag, value in (("FBI", fbi), ("SOC", soc), ("OLN", oln), ("OLS", ols), ("OLY", oly)):
        if value:
            out[tag] = [value]
    return out


def parse_message(text: str, line: int, errors: Collector) -> Message | None:
    """A Message from one line; problems go to ``errors`` naming tag and column."""
    before = len(errors.errors)
    reader = _Reader(line, errors)
    _split(text, reader)
    mke = reader.code("MKE", ncic_codes.MKE, "message key (MKE)")
    if "MKE" not in reader.values:
        errors.add(line, "MKE", "the message key (EMD, EME, EMI, EMJ, EMV, EMO) comes first")
    for tag in ("NAM", "SEX", "DLC", "OCA"):
        if not reader.one(tag):
            reader.error(tag, "this field is required")
    for tag, width in WIDTH.items():
        for value in reader.values.get(tag, []):
            if len(value) > width:
                reader.error(tag, f"longer than {width} characters")
    sex = reader.code("SEX", tuple(record_codes.Sex.values), "sex")
    race = reader.code("RAC", tuple(record_codes.Race.values), "race")
    eyes = reader.code("EYE", tuple(record_codes.Eyes.values), "eye colour")
    hair = reader.one("HAI").upper()
    if hair == record_codes.Hair.BALD:
        reader.error("HAI", "'BAL' is not an NCIC code: completely bald is XXX")
        hair = ""
    else:
        hair = reader.code("HAI", ncic_codes.HAI, "hair colour")
    mnp = reader.code("MNP", ncic_codes.MNP, "MNP")
    mpc = reader.code("MPC", tuple(ncic_codes.MPC), "missing person circumstances (MPC)")
    skn = reader.code("SKN", ncic_codes.SKN, "skin tone (SKN)")
    pob = reader.one("POB").upper()
    if pob and not (len(pob) == 2 and pob.isalpha()):
        reader.error("POB", "a two-letter NCIC state or country code")
    dob, dlc, doe = reader.day("DOB"), reader.day("DLC"), reader.day("DOE")
    height, weight = reader.number("HGT"), reader.number("WGT")
    identifiers = _identifiers(reader)
    if len(errors.errors) > before:
        return None
    last, first, middle = _names(reader.one("NAM"))
    aliases = tuple(NameInput(*_names(a)) for a in reader.values.get("AKA", []))
    data = RecordInput(
        category=mke,
        last_name=last,
        first_name=first,
        middle_name=middle,
        sex=sex,
        race=race or "U",
        dob=dob,
        aliases=aliases,
        height_in=height,
        weight_lb=weight,
        eyes=eyes or record_codes.Eyes.UNKNOWN.value,
        hair=hair or record_codes.Hair.UNKNOWN.value,
        smt=tuple(s.upper() for s in reader.values.get("SMT", []) if s),
        dlc=dlc,
        oca=reader.one("OCA").upper(),
        nic=reader.one("NIC").upper(),
        circumstances=ncic_codes.CIRCUMSTANCE_OF_MPC.get(mpc, "unknown"),
        originating_ori=reader.one("ORI").upper(),
        notes=reader.one("MIS"),
    )
    return Message(
        data,
        mpc=mpc,
        mnp=mnp,
        pob=pob,
        skn=skn,
        doe=doe,
        identifiers=identifiers,
        columns=reader.columns,
    )
