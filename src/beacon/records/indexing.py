"""Keeping a record's names, alias DOBs and search keys in step with its descriptors."""

from __future__ import annotations

from datetime import date

from beacon.records.inputs import NameInput
from beacon.records.keys import record_key_values
from beacon.records.models import MissingPersonRecord, NameKey, RecordDob, RecordName


def all_names(record: MissingPersonRecord, aliases: list[NameInput]) -> list[tuple[str, str]]:
    return [(record.last_name, record.first_name)] + [(a.last_name, a.first_name) for a in aliases]


def all_dobs(record: MissingPersonRecord, alias_dobs: list[date]) -> list[date]:
    return ([record.dob] if record.dob else []) + list(alias_dobs)


def write_index(
    record: MissingPersonRecord, aliases: list[NameInput], alias_dobs: list[date]
) -> None:
    """Replace the record's name rows, alias DOBs and keys (inside the caller's transaction)."""
    RecordName.objects.filter(record=record).delete()
    RecordDob.objects.filter(record=record).delete()
    NameKey.objects.filter(record=record).delete()
    RecordName.objects.bulk_create(
        [
            RecordName(
                record=record,
                kind=RecordName.Kind.PRIMARY,
                last_name=record.last_name,
                first_name=record.first_name,
                middle_name=record.middle_name,
            )
        ]
        + [
            RecordName(
                record=record,
                kind=a.kind,
                last_name=a.last_name,
                first_name=a.first_name,
                middle_name=a.middle_name,
            )
            for a in aliases
        ]
    )
    RecordDob.objects.bulk_create([RecordDob(record=record, dob=d) for d in alias_dobs])
    keys = record_key_values(all_names(record, aliases), all_dobs(record, alias_dobs))
    NameKey.objects.bulk_create([NameKey(record=record, key=k) for k in sorted(keys)])


def current_aliases(record: MissingPersonRecord) -> list[NameInput]:
    return [
        NameInput(n.last_name, n.first_name, n.middle_name, n.kind)
        for n in RecordName.objects.filter(record=record)
        .exclude(kind=RecordName.Kind.PRIMARY)
        .order_by("id")
    ]


def current_alias_dobs(record: MissingPersonRecord) -> list[date]:
    return list(
        RecordDob.objects.filter(record=record).order_by("dob").values_list("dob", flat=True)
    )
