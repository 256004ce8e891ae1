"""Sealing free text with per-agency keys; rotating and destroying those keys.

Other apps call only ``seal`` and ``unseal``::

    note = seal(agency, "records_missingpersonrecord", record.pk, "notes", text)
    text = unseal(agency, "records_missingpersonrecord", record.pk, "notes", note)

A sealed value is ``"bv1:" + base64(nonce || ciphertext || tag)``; the associated
data binds it to the agency, table, row and field, so it cannot be copied elsewhere.
"""

from __future__ import annotations

import os

from django.db import transaction
from django.utils import timezone

from beacon.agencies.models import Agency
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import Forbidden, NotVisible
from beacon.vault import crypto
from beacon.vault.crypto import Unreadable
from beacon.vault.models import AgencyKey

PREFIX = "bv1:"

__all__ = ["PREFIX", "Unreadable", "destroy_agency_key", "is_sealed", "rotate", "seal", "unseal"]


def _wrap_aad(agency: Agency) -> bytes:
    return f"beacon-data-key|{agency.ori}".encode()


def _field_aad(agency: Agency, table: str, row_id: object, field: str) -> bytes:
    return f"beacon-field|{agency.ori}|{table}|{row_id}|{field}".encode()


def _data_key(agency: Agency, *, create: bool) -> bytes:
    keys = crypto.master_keys()
    try:
        row = AgencyKey.objects.get(agency=agency)
    except AgencyKey.DoesNotExist:
        if not create:
            raise Unreadable(f"No data key for agency {agency.ori}.") from None
        with transaction.atomic():
            master_id, master = crypto.current_master()
            key = os.urandom(32)
            wrapped = crypto.b64(crypto.encrypt(master, key, _wrap_aad(agency)))
            row, made = AgencyKey.objects.get_or_create(
                agency=agency, defaults={"wrapped": wrapped, "master_key_id": master_id}
            )
            if made:
                return key
    wrapping = keys.get(row.master_key_id)
    if wrapping is None:
        raise Unreadable(f"The master key {row.master_key_id} is not configured.")
    return crypto.decrypt(wrapping, crypto.unb64(row.wrapped), _wrap_aad(agency))


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


def seal(agency: Agency, table: str, row_id: object, field: str, plaintext: str) -> str:
    """Encrypt ``plaintext`` for ``agency``, bound to table/row/field. Empty stays empty."""
    if plaintext == "":
        return ""
    key = _data_key(agency, create=True)
    blob = crypto.encrypt(key, plaintext.encode(), _field_aad(agency, table, row_id, field))
    return PREFIX + crypto.b64(blob)


def unseal(agency: Agency, table: str, row_id: object, field: str, sealed: str) -> str:
    """Decrypt a value made by ``seal``; raises Unreadable if altered, moved or shredded.

    A value without the prefix (written before sealing was enabled) is returned as is.
    """
    if not is_sealed(sealed):
        return sealed
    key = _data_key(agency, create=False)
    blob = crypto.unb64(sealed[len(PREFIX) :])
    return crypto.decrypt(key, blob, _field_aad(agency, table, row_id, field)).decode()


def rotate(actor: Actor) -> int:
    """Re-wrap every agency data key under the current master key; returns how many.

    Set the new key in BEACON_MASTER_KEY and the old one in BEACON_MASTER_KEY_PREVIOUS,
    run ``beacon keys rotate``, then remove the previous key. The data is not touched.
    """
    if not actor.is_system:
        raise Forbidden("Only the system actor (the CLI) rotates keys.")
    keys = crypto.master_keys()
    current_id, current = crypto.current_master()
    count = 0
    with transaction.atomic():
        for row in AgencyKey.objects.select_for_update().select_related("agency"):
            if row.master_key_id == current_id:
                continue
            old = keys.get(row.master_key_id)
            if old is None:
                raise Unreadable(
                    f"The data key of {row.agency.ori} is wrapped by master key "
                    f"{row.master_key_id}, which is not configured: set it in "
                    "BEACON_MASTER_KEY_PREVIOUS and run the rotation again."
                )
            key = crypto.decrypt(old, crypto.unb64(row.wrapped), _wrap_aad(row.agency))
            row.wrapped = crypto.b64(crypto.encrypt(current, key, _wrap_aad(row.agency)))
            row.master_key_id = current_id
            row.rewrapped_at = timezone.now()
            row.save(update_fields=["wrapped", "master_key_id", "rewrapped_at"])
            count += 1
        audit.record(
            actor,
            "vault.rotate",
            object_type="master_key",
            object_id=current_id,
            detail={"rewrapped": count},
        )
    return count


def destroy_agency_key(actor: Actor, agency: Agency) -> None:
    """Crypto-shred: delete the agency's data key; its sealed data can never be read again."""
    if not actor.is_system:
        raise Forbidden("Only the system actor (the CLI) destroys keys.")
    with transaction.atomic():
        deleted, _ = AgencyKey.objects.filter(agency=agency).delete()
        if not deleted:
            raise NotVisible(f"Agency {agency.ori} has no data key.")
        audit.record(actor, "vault.key_destroyed", object_type="agency", object_id=agency.ori)
