"""Keeping a record's names, alias DOBs and search keys in step with its descriptors."""

from __future__ import annotations

from datetime import date
from typing import Any

from beacon.records.inputs import NameInput, RecordInput
from beacon.records.keys import record_key_values
from beacon.records.models import MissingPersonRecord, NameKey, RecordDob, RecordName


def keys_of(data: RecordInput) -> set[int]:
    """The search keys of a record's descriptors (every name with every DOB)."""
    names = [(data.last_name, data.first_name)] + [
        (a.last_name, a.first_name) for a in data.aliases
    ]
    dobs = ([data.dob] if data.dob else []) + list(data.alias_dobs)
    return record_key_values(names, dobs)


def write_index(
    record: MissingPersonRecord,
    aliases: list[NameInput],
    alias_dobs: list[date],
    *,
    old_keys: set[int] | None = None,
) -> None:
    """Replace the record's name rows, alias DOBs and keys (inside the caller's transaction).

    ``old_keys`` are the keys of the record's previous descriptors (none on entry).
    """
    RecordName.objects.filter(record=record).delete()
    RecordDob.objects.filter(record=record).delete()
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
    names = [(record.last_name, record.first_name)] + [(a.last_name, a.first_name) for a in aliases]
    dobs = ([record.dob] if record.dob else []) + list(alias_dobs)
    new_keys = record_key_values(names, dobs)
    if old_keys:
        gone = sorted(old_keys - new_keys)
        for i in range(0, len(gone), 500):
            NameKey.objects.filter(record=record, key__in=gone[i : i + 500]).delete()
    added = sorted(new_keys - (old_keys or set()))
    NameKey.objects.bulk_create(
        [NameKey(record=record, key=k) for k in added], ignore_conflicts=True
    )


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


def rebuild_all_keys(apps: Any, chunk: int = 5000) -> int:
    """Recompute every record's keys (migrations; after the name-variant table changes)."""
    record_model = apps.get_model("records", "MissingPersonRecord")
    name_model = apps.get_model("records", "RecordName")
    dob_model = apps.get_model("records", "RecordDob")
    key_model = apps.get_model("records", "NameKey")
    key_model.objects.all().delete()
    total = 0
    last_id = 0
    while True:
        rows = list(
            record_model.objects.filter(id__gt=last_id)
            .order_by("id")
            .values_list("id", "last_name", "first_name", "dob")[:chunk]
        )
        if not rows:
            return total
        ids = [r[0] for r in rows]
        last_id = ids[-1]
        names: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
        for rid, last, first in name_model.objects.filter(record_id__in=ids).values_list(
            "record_id", "last_name", "first_name"
        ):
            names[rid].append((last, first))
        dobs: dict[int, list[date]] = {i: [] for i in ids}
        for rid, d in dob_model.objects.filter(record_id__in=ids).values_list("record_id", "dob"):
            dobs[rid].append(d)
        new = []
        for rid, last, first, dob in rows:
            own = [(last, first), *names[rid]]
            for key in record_key_values(own, ([dob] if dob else []) + dobs[rid]):
                new.append(key_model(record_id=rid, key=key))
        key_model.objects.bulk_create(new, ignore_conflicts=True)
        total += len(new)
