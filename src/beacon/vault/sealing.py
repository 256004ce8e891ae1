"""Free-text fields sealed at rest without changing the code that reads or writes them.

A registered field holds plaintext in memory and ciphertext in the database: it is
unsealed when a row is loaded (post_init) and sealed when it is saved (an update is
sealed before the write; an insert right after it, in the same transaction, because
the row id is part of the associated data). Paths that bypass model signals must
seal themselves: ``seal_created`` after a ``bulk_create``, ``sealed_values`` for a
``QuerySet.update``. Plaintext left by older code still reads back as is, and
``beacon keys seal-existing`` seals such rows afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import transaction
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


def _seal_before_update(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    if instance.pk is None or kwargs.get("raw"):
        return
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
