"""Photos of a missing person: checked images, added as a ``modify`` of the record."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import NotVisible, ValidationFailed
from beacon.records import services
from beacon.records.codes import TransactionKind
from beacon.records.models import MissingPersonRecord, RecordPhoto
from beacon.vault import sealing
from beacon.vault import services as vault
from beacon.vault.crypto import Unreadable

MAX_BYTES = 10 * 1024 * 1024
TABLE = RecordPhoto._meta.db_table
SIGNATURES = {b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}


def _row_id(record_id: int, digest: str) -> str:
    return f"{record_id}:{digest[:16]}"


def image_kind(content: bytes) -> str | None:
    for magic, kind in SIGNATURES.items():
        if content.startswith(magic):
            return kind
    return None


def add_photo(
    actor: Actor,
    nic: str,
    *,
    content: bytes,
    caption: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> RecordPhoto:
    """Attach a JPEG or PNG photo (originating agency; active or located records)."""
    policy.require(
        actor, Permission.RECORDS_MODIFY, object_type=services.OBJECT_TYPE, object_id=nic
    )
    now = now or timezone.now()
    kind = image_kind(content)
    if not content:
        raise ValidationFailed.on("file", "the file is empty")
    if len(content) > MAX_BYTES:
        raise ValidationFailed.on("file", f"at most {MAX_BYTES // (1024 * 1024)} MB")
    if kind is None:
        raise ValidationFailed.on("file", "a JPEG or PNG image")
    if len(caption) > 200:
        raise ValidationFailed.on("caption", "at most 200 characters")
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        record = services.locked_for(TransactionKind.MODIFY, actor, nic, expected_version)
        photo = RecordPhoto(record=record, caption=caption.strip())
        stored = (
            vault.seal_bytes_for(
                record.originating_agency_id, TABLE, _row_id(record.pk, digest), "file", content
            )
            if sealing.connected()
            else content
        )
        photo.file.save(f"{record.nic}-{digest[:16]}.{kind}", ContentFile(stored), save=False)
        photo.save()
        detail = {"photo_added": {"id": photo.pk, "sha256": digest, "caption": photo.caption}}
        services.write_transaction(actor, record, TransactionKind.MODIFY, now, "photo", detail)
    return photo


def read_photo(actor: Actor, nic: str, photo_id: int) -> tuple[RecordPhoto, bytes]:
    """A photo's bytes, if the actor may see its record (the read is audited)."""
    policy.require(actor, Permission.RECORDS_VIEW, object_type=services.OBJECT_TYPE, object_id=nic)
    record = MissingPersonRecord.objects.get_visible(actor, nic=nic.upper())
    photo = RecordPhoto.objects.filter(record=record, pk=photo_id).first()
    if photo is None:
        raise NotVisible()
    with photo.file.open("rb") as handle:
        stored = handle.read()
    # The digest in the file's name binds the sealed bytes to this record and this photo.
    digest = os.path.basename(str(photo.file.name)).split("-", 1)[1][:16]
    try:
        content = vault.unseal_bytes_for(
            record.originating_agency_id, TABLE, _row_id(record.pk, digest), "file", stored
        )
    except Unreadable:
        raise NotVisible("This photo can no longer be read (its agency key is gone).") from None
    with transaction.atomic():
        audit.record(
            actor,
            "records.read",
            object_type=services.OBJECT_TYPE,
            object_id=record.nic,
            detail={"fields": ["photo"], "photo": photo.pk},
        )
    return photo, content
