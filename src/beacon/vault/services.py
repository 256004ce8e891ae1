"""Sealing free text with per-agency keys; rotating and destroying those keys.

Other apps call only ``seal`` and ``unseal``::

    note = seal(agency, "records_missingpersonrecord", record.pk, "notes", text)
    text = unseal(agency, "records_missingpersonrecord", record.pk, "notes", note)

A sealed value is ``"bv1:" + base64(nonce || ciphertext || tag)``; the associated
data binds it to the agency, table, row and field, so it cannot be copied elsewhere.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from beacon.agencies.models import Agency
from beacon.audit import services as audit
from beacon.core.actor import Actor
from beacon.core.errors import Forbidden, NotVisible
from beacon.vault import crypto
from beacon.vault.crypto import Unreadable
from beacon.vault.models import AgencyKey

PREFIX = "bv1:"
logger = logging.getLogger(__name__)

__all__ = [
    "PREFIX",
    "Unreadable",
    "destroy_agency_key",
    "is_sealed",
    "rotate",
    "seal",
    "seal_for",
    "unseal",
    "unseal_for",
]


def _wrap_aad(agency_id: int) -> bytes:
    return f"beacon-data-key|{agency_id}".encode()


def _field_aad(agency_id: int, table: str, row_id: object, field: str) -> bytes:
    return f"beacon-field|{agency_id}|{table}|{row_id}|{field}".encode()


# Unwrapped data keys for reading, kept briefly so a list of 100 rows is not 100 key
# lookups. Sealing always reads the key row; destroying a key drops it here at once
# (other processes drop theirs within KEY_CACHE_SECONDS).
KEY_CACHE_SECONDS = 60.0
_read_keys: dict[int, tuple[float, bytes]] = {}


def _reading_key(agency_id: int, *, fresh: bool) -> bytes:
    cached = _read_keys.get(agency_id)
    if not fresh and cached is not None and time.monotonic() - cached[0] < KEY_CACHE_SECONDS:
        return cached[1]
    key = _data_key(agency_id, create=False)
    _read_keys[agency_id] = (time.monotonic(), key)
    return key


def _data_key(agency_id: int, *, create: bool) -> bytes:
    keys = crypto.master_keys()
    row = AgencyKey.objects.filter(agency_id=agency_id).first()
    if row is None:
        if not create:
            raise Unreadable(f"No data key for agency #{agency_id} (destroyed or never made).")
        with transaction.atomic():
            master_id, master = crypto.current_master()
            key = os.urandom(32)
            wrapped = crypto.b64(crypto.encrypt(master, key, _wrap_aad(agency_id)))
            row, made = AgencyKey.objects.get_or_create(
                agency_id=agency_id, defaults={"wrapped": wrapped, "master_key_id": master_id}
            )
            if made:
                return key
    wrapping = keys.get(row.master_key_id)
    if wrapping is None:
        raise Unreadable(f"The master key {row.master_key_id} is not configured.")
    return crypto.decrypt(wrapping, crypto.unb64(row.wrapped), _wrap_aad(agency_id))


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


def seal_for(agency_id: int, table: str, row_id: object, field: str, plaintext: str) -> str:
    """``seal`` by agency id (for callers holding only the foreign key)."""
    if plaintext == "":
        return ""
    key = _data_key(agency_id, create=True)
    blob = crypto.encrypt(key, plaintext.encode(), _field_aad(agency_id, table, row_id, field))
    return PREFIX + crypto.b64(blob)


SEALED_FILE_MAGIC = b"BEACON-SEALED-1\n"


def seal_bytes_for(agency_id: int, table: str, row_id: object, field: str, data: bytes) -> bytes:
    """Files (photos) sealed like text: magic line, then nonce || ciphertext+tag."""
    key = _data_key(agency_id, create=True)
    aad = _field_aad(agency_id, table, row_id, field)
    return SEALED_FILE_MAGIC + crypto.encrypt(key, data, aad)


def unseal_bytes_for(agency_id: int, table: str, row_id: object, field: str, data: bytes) -> bytes:
    """The file's bytes; files written before sealing was on come back as they are."""
    if not data.startswith(SEALED_FILE_MAGIC):
        return data
    blob = data[len(SEALED_FILE_MAGIC) :]
    aad = _field_aad(agency_id, table, row_id, field)
    try:
        return crypto.decrypt(_reading_key(agency_id, fresh=False), blob, aad)
    except Unreadable:
        _read_keys.pop(agency_id, None)
        return crypto.decrypt(_reading_key(agency_id, fresh=True), blob, aad)


def bulk_sealer(table: str, field: str) -> Callable[[int, object, str], str]:
    """A ``seal_for`` for one table and field that fetches each agency's key once: for bulk
    writers (imports) inside one transaction, where a key cannot change under them."""
    keys: dict[int, bytes] = {}

    def seal_one(agency_id: int, row_id: object, plaintext: str) -> str:
        if plaintext == "":
            return ""
        if agency_id not in keys:
            keys[agency_id] = _data_key(agency_id, create=True)
        aad = _field_aad(agency_id, table, row_id, field)
        return PREFIX + crypto.b64(crypto.encrypt(keys[agency_id], plaintext.encode(), aad))

    return seal_one


def unseal_for(agency_id: int, table: str, row_id: object, field: str, sealed: str) -> str:
    """``unseal`` by agency id."""
    if not is_sealed(sealed):
        return sealed
    blob = crypto.unb64(sealed[len(PREFIX) :])
    aad = _field_aad(agency_id, table, row_id, field)
    try:
        return crypto.decrypt(_reading_key(agency_id, fresh=False), blob, aad).decode()
    except Unreadable:
        _read_keys.pop(agency_id, None)  # a stale cached key: ask the database once more
        return crypto.decrypt(_reading_key(agency_id, fresh=True), blob, aad).decode()


def seal(agency: Agency, table: str, row_id: object, field: str, plaintext: str) -> str:
    """Encrypt ``plaintext`` for ``agency``, bound to table/row/field. Empty stays empty."""
    return seal_for(int(agency.pk), table, row_id, field, plaintext)


def unseal(agency: Agency, table: str, row_id: object, field: str, sealed: str) -> str:
    """Decrypt a value made by ``seal``; raises Unreadable if altered, moved or shredded.

    A value without the prefix (written before sealing was enabled) is returned as is.
    """
    return unseal_for(int(agency.pk), table, row_id, field, sealed)


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
            key = crypto.decrypt(old, crypto.unb64(row.wrapped), _wrap_aad(row.agency_id))
            row.wrapped = crypto.b64(crypto.encrypt(current, key, _wrap_aad(row.agency_id)))
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
    """Crypto-shred: delete the agency's data key; its sealed data can never be read again.

    Once the deletion commits, the deleted row's bytes are pushed out of the database's
    files (``purge_deleted_keys``). Copies made before (backups, PostgreSQL's WAL
    archive) still hold the key wrapped by the master key: rotating the master key
    afterwards makes those copies useless too (docs/threat-model.md, What is sealed).
    """
    if not actor.is_system:
        raise Forbidden("Only the system actor (the CLI) destroys keys.")
    with transaction.atomic():
        deleted, _ = AgencyKey.objects.filter(agency=agency).delete()
        _read_keys.pop(int(agency.pk), None)
        if not deleted:
            raise NotVisible(f"Agency {agency.ori} has no data key.")
        audit.record(actor, "vault.key_destroyed", object_type="agency", object_id=agency.ori)
        deleted_by = _transaction_id()
        transaction.on_commit(lambda: purge_deleted_keys(deleted_by))


def _transaction_id() -> str:
    if connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::xid::text")
        return str(cursor.fetchone()[0])


PURGE_WAIT_SECONDS = 10.0


def _wait_for_older_snapshots(deleted_by: str) -> bool:
    """Wait (a while) until no other session of this database can still see rows the
    transaction ``deleted_by`` deleted: VACUUM FULL keeps such rows. False on timeout."""
    deadline = time.monotonic() + PURGE_WAIT_SECONDS
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_xmin IS NOT NULL "
                "AND age(backend_xmin) >= age(%s::xid)",
                [deleted_by],
            )
            if int(cursor.fetchone()[0]) == 0:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)


def purge_deleted_keys(deleted_by: str = "") -> bool:
    """Rewrite what still holds deleted key rows: SQLite (secure_delete on, settings)
    zeroes a deleted row in its page, but the page's older versions stay in the WAL until
    a checkpoint, which this runs and truncates the WAL with; PostgreSQL keeps a deleted
    row as a dead tuple in the table's file, which VACUUM FULL rewrites without it once no
    older transaction can see it (waited for up to PURGE_WAIT_SECONDS). False when a
    reader held an older snapshot throughout: the next checkpoint (SQLite) or VACUUM
    (PostgreSQL) finishes the job, and rotating the master key makes any copy useless."""
    table = connection.ops.quote_name(AgencyKey._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy, _log, _done = cursor.fetchone()
            if busy:
                logger.warning("destroyed key: WAL not yet checkpointed (a reader was active)")
            return not busy
    settled = _wait_for_older_snapshots(deleted_by) if deleted_by else True
    if not settled:
        logger.warning("destroyed key: an older transaction still runs; VACUUM FULL anyway")
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM FULL {table}")
    return settled
