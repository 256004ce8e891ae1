"""Free-text fields sealed at rest without changing the code that reads or writes them.

A registered field holds plaintext in memory and ciphertext in the database: it is
unsealed when a row is loaded (post_init) and sealed when it is saved. The row id is part
of the associated data, so a new row is given its id before the insert (PostgreSQL: the
table's sequence; SQLite: inside a transaction, whose write lock is held from BEGIN
IMMEDIATE) and is inserted already sealed: an insert in clear followed by an update would
leave the clear row on disk (PostgreSQL keeps it as a dead tuple until VACUUM, and its
WAL holds it). Only a row saved outside any transaction on SQLite is still sealed right
after its insert. Paths that bypass model signals must seal themselves: ``bulk_create``
through ``sealed_bulk_create``, ``sealed_values`` for a ``QuerySet.update``. Plaintext
left by older code still reads back as is, and ``beacon keys seal-existing`` seals such
rows afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import post_init, post_save, pre_save

from beacon.vault.services import Unreadable, is_sealed, seal_for, unseal_for

UNREADABLE = "[sealed text unreadable: its agency key was destroyed]"
_ORIGINAL = "_beacon_sealed_originals"


@dataclass(frozen=True)
class SealedField:
    model: str  # "app_label.ModelName"
    field: str
    agency_id_attr: str  # the attribute holding the agency whose key seals it


# Free-text narratives and notes of the registry and of operations' field events.
SEALED_FIELDS = (
    SealedField("records.MissingPersonRecord", "notes", "originating_agency_id"),
    *(
        SealedField(f"operations.{name}", "notes", "agency_id")
        for name in (
            "Arrest",
            "Victim",
            "SearchWarrant",
            "Raid",
            "Seizure",
            "Service",
            "Referral",
            "Investigation",
        )
    ),
    SealedField("operations.Arrest", "charges", "agency_id"),
    # A state system's identifying numbers of a record (SSN, FBI, licence, MNU).
    SealedField("interchange.NcicEntry", "identifiers", "agency_id"),
)


def _specs(model: type[Model]) -> Iterator[SealedField]:
    label = model._meta.label
    return (spec for spec in SEALED_FIELDS if spec.model == label)


def _unseal_loaded(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    if instance.pk is None:
        return
    for spec in _specs(sender):
        value = instance.__dict__.get(spec.field)
        if not isinstance(value, str) or not is_sealed(value):
            continue
        agency_id = int(getattr(instance, spec.agency_id_attr))  # loads it if deferred
        try:
            plain = unseal_for(agency_id, sender._meta.db_table, instance.pk, spec.field, value)
        except Unreadable:
            instance.__dict__.setdefault(_ORIGINAL, {})[spec.field] = value
            plain = UNREADABLE
        instance.__dict__[spec.field] = plain


def new_ids(model: type[Model], count: int) -> list[int] | None:
    """``count`` ids no other writer can take, for rows about to be inserted; None where
    that cannot be promised (SQLite outside a transaction)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [int(row[0]) for row in cursor.fetchall()]
        if not connection.in_atomic_block:
            return None
        # BEGIN IMMEDIATE took the write lock: nobody else inserts until we commit. An
        # AUTOINCREMENT table never reuses an id, even one whose row was deleted.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        top = int(cursor.fetchone()[0])
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(top, int(row[0]) if row else 0) + 1
        return list(range(start, start + count))


def _needs_sealing(model: type[Model], instance: Model) -> bool:
    return any(
        isinstance(v := instance.__dict__.get(spec.field), str) and v and not is_sealed(v)
        for spec in _specs(model)
    )


def _seal_before_update(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    if instance.pk is None:
        # A new row: its id first, so that it is inserted sealed (never in clear).
        ids = new_ids(sender, 1) if _needs_sealing(sender, instance) else None
        if ids is None:
            return  # sealed by _seal_after_insert
        instance.pk = ids[0]
    for spec in _specs(sender):
        value = instance.__dict__.get(spec.field)
        if not isinstance(value, str) or is_sealed(value):
            continue
        originals = instance.__dict__.get(_ORIGINAL, {})
        if value == UNREADABLE and spec.field in originals:
            instance.__dict__[spec.field] = originals[spec.field]  # keep the shredded text
            continue
        instance.__dict__.setdefault("_beacon_plain", {})[spec.field] = value
        agency_id = int(getattr(instance, spec.agency_id_attr))
        table = sender._meta.db_table
        instance.__dict__[spec.field] = seal_for(agency_id, table, instance.pk, spec.field, value)


def _seal_after_insert(sender: type[Model], instance: Model, created: bool, **kwargs: Any) -> None:
    plain: dict[str, str] = instance.__dict__.pop("_beacon_plain", {})
    for field, text in plain.items():
        instance.__dict__[field] = text  # the caller keeps working with plaintext
    if not created or kwargs.get("raw"):
        return
    sealed: dict[str, str] = {}
    for spec in _specs(sender):
        value: object = instance.__dict__.get(spec.field)
        if isinstance(value, str) and value and not is_sealed(value):
            agency_id = int(getattr(instance, spec.agency_id_attr))
            table = sender._meta.db_table
            sealed[spec.field] = seal_for(agency_id, table, instance.pk, spec.field, value)
    if sealed:
        with transaction.atomic():
            sender._base_manager.filter(pk=instance.pk).update(**sealed)


def sealed_values(instance: Model, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` for a ``QuerySet.update`` of ``instance``'s row, with its registered
    free-text fields sealed (unchanged when sealing is off). Keep the plaintext ``values``
    for the instance in memory."""
    if not connected():
        return values
    model = type(instance)
    out = dict(values)
    for spec in _specs(model):
        value = out.get(spec.field)
        if isinstance(value, str) and value and not is_sealed(value):
            agency_id = int(getattr(instance, spec.agency_id_attr))
            table = model._meta.db_table
            out[spec.field] = seal_for(agency_id, table, instance.pk, spec.field, value)
    return out


def sealed_bulk_create(model: type[Model], objs: list[Model], *, batch_size: int = 500) -> None:
    """``bulk_create`` of ``objs`` with their registered fields sealed in the INSERT itself
    (the rows are given their ids first); the objects keep their plaintext in memory.
    Outside a transaction on SQLite, the rows are sealed right after the insert."""
    pending = [obj for obj in objs if obj.pk is None and _needs_sealing(model, obj)]
    ids = new_ids(model, len(pending)) if pending and connected() else None
    if ids is None:
        model._default_manager.bulk_create(objs, batch_size=batch_size)
        seal_created(objs)
        return
    for obj, pk in zip(pending, ids, strict=True):
        obj.pk = pk
    plain = _seal_in_memory(model, objs)
    try:
        model._default_manager.bulk_create(objs, batch_size=batch_size)
    finally:
        for obj, values in plain:
            obj.__dict__.update(values)


def _seal_in_memory(
    model: type[Model], objs: Sequence[Model]
) -> list[tuple[Model, dict[str, str]]]:
    """Replace the plaintext of registered fields by their sealed form; returns what to
    put back."""
    table = model._meta.db_table
    changed: list[tuple[Model, dict[str, str]]] = []
    specs = list(_specs(model))
    for obj in objs:
        plain: dict[str, str] = {}
        for spec in specs:
            value = obj.__dict__.get(spec.field)
            if isinstance(value, str) and value and not is_sealed(value):
                agency_id = int(getattr(obj, spec.agency_id_attr))
                plain[spec.field] = value
                obj.__dict__[spec.field] = seal_for(agency_id, table, obj.pk, spec.field, value)
        if plain:
            changed.append((obj, plain))
    return changed


def seal_created(objs: Sequence[Model]) -> None:
    """Seal the registered fields of rows ``bulk_create`` has just inserted (it fires no
    signals), in the caller's transaction; the objects keep their plaintext in memory.

    The row id is part of the associated data, so this runs after the insert, like the
    post_save path, but as one UPDATE per batch instead of one per row.
    """
    if not objs or not connected():
        return
    model = type(objs[0])
    specs = list(_specs(model))
    if not specs:
        return
    table = model._meta.db_table
    fields: set[str] = set()
    changed: list[tuple[Model, dict[str, str]]] = []
    for obj in objs:
        plain: dict[str, str] = {}
        for spec in specs:
            value = obj.__dict__.get(spec.field)
            if isinstance(value, str) and value and not is_sealed(value):
                agency_id = int(getattr(obj, spec.agency_id_attr))
                plain[spec.field] = value
                obj.__dict__[spec.field] = seal_for(agency_id, table, obj.pk, spec.field, value)
                fields.add(spec.field)
        if plain:
            changed.append((obj, plain))
    if not changed:
        return
    try:
        model._base_manager.bulk_update([obj for obj, _ in changed], sorted(fields), batch_size=500)
    finally:
        for obj, plain in changed:
            obj.__dict__.update(plain)


def connect() -> None:
    """Called once from the vault app's ready()."""
    for label in {spec.model for spec in SEALED_FIELDS}:
        model = apps.get_model(label)
        post_init.connect(_unseal_loaded, sender=model, dispatch_uid=f"vault-unseal-{label}")
        pre_save.connect(_seal_before_update, sender=model, dispatch_uid=f"vault-seal-{label}")
        post_save.connect(_seal_after_insert, sender=model, dispatch_uid=f"vault-insert-{label}")


def disconnect() -> None:
    for label in {spec.model for spec in SEALED_FIELDS}:
        model = apps.get_model(label)
        post_init.disconnect(sender=model, dispatch_uid=f"vault-unseal-{label}")
        pre_save.disconnect(sender=model, dispatch_uid=f"vault-seal-{label}")
        post_save.disconnect(sender=model, dispatch_uid=f"vault-insert-{label}")


def connected() -> bool:
    model = apps.get_model(SEALED_FIELDS[0].model)
    return post_init.has_listeners(model)


def seal_existing() -> int:
    """Seal every registered field still stored in plaintext; returns how many rows."""
    count = 0
    for label in sorted({spec.model for spec in SEALED_FIELDS}):
        model = apps.get_model(label)
        specs = list(_specs(model))
        with transaction.atomic():
            for row in model._base_manager.all().iterator(chunk_size=500):
                changes: dict[str, str] = {}
                for spec in specs:
                    value: object = row.__dict__.get(spec.field)
                    if isinstance(value, str) and value and not is_sealed(value):
                        agency_id = int(getattr(row, spec.agency_id_attr))
                        table = model._meta.db_table
                        changes[spec.field] = seal_for(agency_id, table, row.pk, spec.field, value)
                if changes:
                    model._base_manager.filter(pk=row.pk).update(**changes)
                    count += 1
    return count


SEALED_MARK = "[sealed]"


def scrub_history() -> int:
    """Replace the clear copies of sealed record fields that enter transactions written
    before this was fixed hold (``detail.entered.notes``) by ``[sealed]``; returns how
    many. Audit events of that time cannot be changed (append-only): see
    docs/threat-model.md, What is sealed."""
    transaction_model = apps.get_model("records.RecordTransaction")
    fields = sorted(
        spec.field for spec in SEALED_FIELDS if spec.model == "records.MissingPersonRecord"
    )
    count = 0
    with transaction.atomic():
        rows = transaction_model._base_manager.filter(kind="enter", detail__has_key="entered")
        for row in rows.iterator(chunk_size=500):
            entered = row.detail.get("entered")
            if not isinstance(entered, dict):
                continue
            leaked = [f for f in fields if entered.get(f) not in (None, "", SEALED_MARK)]
            if not leaked:
                continue
            entered.update(dict.fromkeys(leaked, SEALED_MARK))
            transaction_model._base_manager.filter(pk=row.pk).update(detail=row.detail)
            count += 1
    return count
