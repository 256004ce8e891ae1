"""Typed inputs of the registry's services (the API and the importer build these)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime

from beacon.records import codes


@dataclass(frozen=True)
class NameInput:
    """An alias name or nickname the person also answers to."""

    last_name: str
    first_name: str = ""
    middle_name: str = ""
    kind: str = "alias"  # alias | nickname


@dataclass(frozen=True)
class RecordInput:
    """The NCIC descriptors of a missing-person entry (NCIC field codes in comments).

    ``originating_ori`` defaults to the actor's agency; only the system actor may enter
    a record for another agency (imports). ``nic`` is assigned unless given.
    ``jurisdiction_last_seen`` is ``country:MX``, ``state:NM`` or ``county:35013``.
    """

    category: str  # MKE: EMJ, EME, EMI, EMD, EMV, EMO
    last_name: str  # NAM
    sex: str  # SEX
    dlc: date | None  # DLC, date of last contact
    oca: str  # OCA, the originating agency's case number
    first_name: str = ""
    middle_name: str = ""
    race: str = "U"  # RAC
    dob: date | None = None  # DOB
    alias_dobs: tuple[date, ...] = ()
    aliases: tuple[NameInput, ...] = ()  # AKA
    height_in: int | None = None  # HGT
    weight_lb: int | None = None  # WGT
    eyes: str = codes.Eyes.UNKNOWN.value  # EYE
    hair: str = codes.Hair.UNKNOWN.value  # HAI
    smt: tuple[str, ...] = ()  # SMT: scars, marks, tattoos
    place_last_seen: str = ""
    jurisdiction_last_seen: str = ""
    circumstances: str = "unknown"
    originating_ori: str = ""  # ORI
    ncmec_number: str = ""
    notes: str = ""
    tlp: str = "AMBER"
    reported_at: datetime | None = None
    nic: str = ""  # NIC; assigned by Beacon when empty


# The record's fields, once: the import's columns and what a modify may change are read
# off RecordInput, so a new descriptor is added in one place.
RECORD_FIELDS = frozenset(f.name for f in fields(RecordInput))

# Fields a modify may change (the record's identity and agency are not among them).
MODIFIABLE_FIELDS = RECORD_FIELDS - {"nic", "originating_ori"}


DATE_FIELDS = frozenset({"dob", "dlc"})
INT_FIELDS = frozenset({"height_in", "weight_lb"})


def _as_date(value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value.strip())
    raise ValueError("not a date")


def _as_datetime(value: object) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    raise ValueError("not a date and time")


def _as_int(value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise ValueError("not a whole number")


def _as_name(value: object) -> NameInput:
    if isinstance(value, NameInput):
        return value
    if isinstance(value, dict):
        return NameInput(
            last_name=str(value.get("last_name", "")),
            first_name=str(value.get("first_name", "")),
            middle_name=str(value.get("middle_name", "")),
            kind=str(value.get("kind", "alias")),
        )
    raise ValueError("an alias is an object with last_name, first_name, middle_name, kind")


def coerce_changes(changes: dict[str, object]) -> tuple[dict[str, object], dict[str, list[str]]]:
    """Turn a modify request's values (typed or strings) into RecordInput values.

    Returns (values, errors by field); unknown fields are errors.
    """
    out: dict[str, object] = {}
    errors: dict[str, list[str]] = {}
    for name, value in changes.items():
        try:
            if name not in MODIFIABLE_FIELDS:
                raise ValueError("not a field that can be modified")
            if name in DATE_FIELDS:
                out[name] = _as_date(value)
            elif name in INT_FIELDS:
                out[name] = _as_int(value)
            elif name == "reported_at":
                out[name] = _as_datetime(value)
            elif name == "alias_dobs":
                if not isinstance(value, list | tuple):
                    raise ValueError("a list of dates")
                out[name] = tuple(d for d in (_as_date(v) for v in value) if d is not None)
            elif name == "aliases":
                if not isinstance(value, list | tuple):
                    raise ValueError("a list of names")
                out[name] = tuple(_as_name(v) for v in value)
            elif name == "smt":
                if not isinstance(value, list | tuple):
                    raise ValueError("a list of scars, marks or tattoos")
                out[name] = tuple(str(v) for v in value)
            else:
                if value is not None and not isinstance(value, str):
                    raise ValueError("must be text")
                out[name] = value or ""
        except ValueError as exc:
            errors.setdefault(name, []).append(str(exc))
    return out, errors


def record_input_from(values: dict[str, object]) -> tuple[RecordInput | None, dict[str, list[str]]]:
    """A RecordInput from loosely typed values (CLI ``field=value`` pairs, JSON)."""
    identity = {k: values.pop(k) for k in ("originating_ori", "nic") if k in values}
    typed, errors = coerce_changes(values)
    for key, value in identity.items():
        if not isinstance(value, str):
            errors.setdefault(key, []).append("must be text")
        else:
            typed[key] = value
    if errors:
        return None, errors
    typed.setdefault("dlc", None)
    for required in ("category", "last_name", "sex", "oca"):
        typed.setdefault(required, "")
    return RecordInput(**typed), {}  # type: ignore[arg-type]
