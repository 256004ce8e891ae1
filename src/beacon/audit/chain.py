"""How an audit event's hash is computed: one definition, used to write and to verify."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

GENESIS_HASH = "0" * 64
# What an event says, in hash order after its chain position ``seq``: the columns that
# are hashed, exported, and never changed once written.
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


def event_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    canonical = json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(f"{prev_hash}|{canonical}".encode()).hexdigest()


def payload_of(
    *,
    seq: int,
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
        "seq": seq,
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
