"""Input and output schemas of the records API (explicit, documented in OpenAPI)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from beacon.records import codes
from beacon.records.models import MissingPersonRecord, RecordName, RecordTransaction


class NameIn(Schema):
    last_name: str = Field("", max_length=60)
    first_name: str = Field("", max_length=60)
    middle_name: str = Field("", max_length=60)
    kind: str = Field("alias", description="alias or nickname")


class RecordIn(Schema):
    """A new entry. NCIC field codes in the descriptions."""

    category: str = Field(..., description="MKE: EMJ, EME, EMI, EMD, EMV or EMO")
    last_name: str = Field(..., description="NAM, last name")
    first_name: str = ""
    middle_name: str = ""
    sex: str = Field(..., description="SEX: M, F or U")
    race: str = Field("U", description="RAC: A, B, I, P, W or U")
    dob: date | None = Field(None, description="DOB")
    alias_dobs: list[date] = Field(default_factory=list)
    aliases: list[NameIn] = Field(default_factory=list, description="AKA names and nicknames")
    height_in: int | None = Field(None, description="HGT in inches")
    weight_lb: int | None = Field(None, description="WGT in pounds")
    eyes: str = Field(codes.Eyes.UNKNOWN.value, description="EYE code")
    hair: str = Field(codes.Hair.UNKNOWN.value, description="HAI code")
    smt: list[str] = Field(default_factory=list, description="SMT: scars, marks, tattoos")
    dlc: date = Field(..., description="DLC, date of last contact")
    place_last_seen: str = ""
    jurisdiction_last_seen: str = Field("", description="country:XX, state:XX or county:NNNNN")
    circumstances: str = "unknown"
    originating_ori: str = Field("", description="ORI; your agency when empty")
    oca: str = Field(..., description="OCA, your case number")
    ncmec_number: str = ""
    notes: str = ""
    tlp: str = "AMBER"
    reported_at: datetime | None = None
    nic: str = Field("", description="NIC; assigned when empty")


class ModifyIn(Schema):
    """Fields to change (only those given) and why."""

    changes: dict[str, Any] = Field(..., description="field name -> new value")
    reason: str = ""


class LocateIn(Schema):
    located_at: datetime | None = None
    place: str
    by_whom: str
    disposition: str
    jurisdiction: str = ""
    reason: str = ""


class ClearIn(Schema):
    how: str = Field(..., description="returned_to_guardian, placed_with_child_welfare, ...")
    cleared_at: datetime | None = None
    reason: str = ""


class CancelIn(Schema):
    reason: str


class ValidateIn(Schema):
    reason: str = ""


class SearchIn(Schema):
    last_name: str = ""
    first_name: str = ""
    dob: str | None = Field(
        None, description="date of birth: YYYY-MM-DD, or a part of it: YYYY-MM or YYYY"
    )
    dob_years: int | None = Field(None, description="DOB within +/- N years")
    sex: str = ""
    age_min: int | None = None
    age_max: int | None = None
    category: str = ""
    status: str = ""
    limit: int = 10


class NameOut(Schema):
    kind: str
    last_name: str
    first_name: str
    middle_name: str


class PhotoOut(Schema):
    id: int
    caption: str
    uploaded_at: datetime


class RecordOut(Schema):
    nic: str
    version: int
    status: str
    category: str
    last_name: str
    first_name: str
    middle_name: str
    names: list[NameOut]
    sex: str
    race: str
    dob: date | None
    alias_dobs: list[date]
    height_in: int | None
    weight_lb: int | None
    eyes: str
    hair: str
    smt: list[str]
    dlc: date
    place_last_seen: str
    jurisdiction_last_seen: str
    circumstances: str
    originating_ori: str
    oca: str
    ncmec_number: str
    notes: str
    tlp: str
    reported_at: datetime | None
    entered_at: datetime
    entry_due_at: datetime | None
    validation_due_at: datetime | None
    photos: list[PhotoOut]


class TransactionOut(Schema):
    version: int
    kind: str
    at: datetime
    actor: str
    agency_ori: str
    reason: str
    detail: dict[str, Any]


class HitOut(Schema):
    nic: str
    score: float
    reasons: list[str]
    last_name: str
    first_name: str
    middle_name: str
    dob: date | None
    sex: str
    category: str
    status: str
    originating_ori: str
    version: int


class SearchOut(Schema):
    hits: list[HitOut]
    searched: list[str] = Field(description="what the search looked for, in words")
    suggestions: list[str] = Field(description="what to try when nothing matched")


class DueOut(Schema):
    nic: str
    rule: str
    due_at: datetime
    overdue_days: float
    originating_ori: str
    last_name: str
    first_name: str


def record_out(record: MissingPersonRecord) -> RecordOut:
    place = record.jurisdiction_last_seen
    names = list(record.names.all())
    return RecordOut(
        nic=record.nic,
        version=record.version,
        status=record.status,
        category=record.category,
        last_name=record.last_name,
        first_name=record.first_name,
        middle_name=record.middle_name,
        names=[
            NameOut(
                kind=n.kind,
                last_name=n.last_name,
                first_name=n.first_name,
                middle_name=n.middle_name,
            )
            for n in sorted(names, key=lambda n: (n.kind != RecordName.Kind.PRIMARY, n.pk))
        ],
        sex=record.sex,
        race=record.race,
        dob=record.dob,
        alias_dobs=sorted(d.dob for d in record.alias_dobs.all()),
        height_in=record.height_in,
        weight_lb=record.weight_lb,
        eyes=record.eyes,
        hair=record.hair,
        smt=list(record.smt or []),
        dlc=record.dlc,
        place_last_seen=record.place_last_seen,
        jurisdiction_last_seen=f"{place.kind}:{place.code}" if place else "",
        circumstances=record.circumstances,
        originating_ori=record.originating_agency.ori,
        oca=record.oca,
        ncmec_number=record.ncmec_number,
        notes=record.notes,
        tlp=record.tlp,
        reported_at=record.reported_at,
        entered_at=record.entered_at,
        entry_due_at=record.entry_due_at,
        validation_due_at=record.validation_due_at,
        photos=[
            PhotoOut(id=p.pk, caption=p.caption, uploaded_at=p.uploaded_at)
            for p in sorted(record.photos.all(), key=lambda p: p.pk)
        ],
    )


def transaction_out(t: RecordTransaction) -> TransactionOut:
    return TransactionOut(
        version=t.version,
        kind=t.kind,
        at=t.at,
        actor=t.actor,
        agency_ori=t.agency.ori,
        reason=t.reason,
        detail=t.detail,
    )
