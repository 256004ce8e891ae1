"""How an audit event is proven and linked: one definition, used to write and to verify.

Each event carries ``mac``, an HMAC-SHA256 of its content under the audit key
(``BEACON_AUDIT_KEY``, held outside the database), computed by ``record`` when the event
is written in the request's transaction. The chainer links proven events only: an
event's ``hash`` is an HMAC, under the same key, of the previous event's hash, its
position ``seq`` and its ``mac``. Without the key nobody can write an event that proves,
nor re-link the chain after inserting, deleting or reordering events
(docs/decisions/0007).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

GENESIS_HASH = "0" * 64
# What an event says: the columns that are proven, exported, and never changed once written.
EVENT_FIELDS = (
    "at",
    "actor",
    "user_id",
    "agency_ori",
    "role",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "source_address",
    "via",
    "detail",
)
_EVENT_DOMAIN = b"beacon-audit-event-2|"
_LINK_DOMAIN = b"beacon-audit-link-2|"


@lru_cache(maxsize=4)
def _decode(text: str) -> bytes:
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured("BEACON_AUDIT_KEY is not valid base64.") from None
    if len(key) != 32:
        raise ImproperlyConfigured("BEACON_AUDIT_KEY must decode to exactly 32 bytes.")
    return key


def audit_key() -> bytes:
    text = str(getattr(settings, "AUDIT_KEY", ""))
    if not text:
        raise ImproperlyConfigured("BEACON_AUDIT_KEY is not set.")
    return _decode(text)


def canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode()


def event_mac(payload: dict[str, Any], key: bytes | None = None) -> str:
    """The proof that Beacon wrote this content (``payload_of`` an event)."""
    message = _EVENT_DOMAIN + canonical(payload)
    return hmac.new(key or audit_key(), message, hashlib.sha256).hexdigest()


def link_hash(prev_hash: str, seq: int, mac: str, key: bytes | None = None) -> str:
    """The chain link of the proven event ``mac`` at position ``seq`` after ``prev_hash``."""
    message = _LINK_DOMAIN + f"{prev_hash}|{seq}|{mac}".encode()
    return hmac.new(key or audit_key(), message, hashlib.sha256).hexdigest()


def proves(mac: object, payload: dict[str, Any], key: bytes | None = None) -> bool:
    return isinstance(mac, str) and hmac.compare_digest(mac, event_mac(payload, key))


def payload_of(
    *,
    at: datetime,
    actor: str,
    user_id: int | None,
    agency_ori: str,
    role: str,
    action: str,
    object_type: str,
    object_id: str,
    outcome: str,
    source_address: str,
    via: str,
    detail: dict[str, Any],
) -> dict[str, Any]:
    return {
        "at": at.isoformat(timespec="microseconds"),
        "actor": actor,
        "user_id": user_id,
        "agency_ori": agency_ori,
        "role": role,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "outcome": outcome,
        "source_address": source_address,
        "via": via,
        "detail": detail,
    }
