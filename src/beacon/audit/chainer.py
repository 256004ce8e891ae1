"""Chaining committed audit events: one chain, one chainer at a time (docs/decisions/0005).

``record`` writes an event without its chain position in the caller's transaction;
``chain_pending`` later gives every committed, unchained event the next sequence
number, the previous event's hash and its own hash, and moves the chain head, all in
one short transaction of its own. One chainer runs at a time: on PostgreSQL a
transaction-level advisory lock, on SQLite the database write lock every write
transaction takes at BEGIN (IMMEDIATE). The unique ``seq`` and ``hash`` columns and
the chain head row back the lock up: two chainers could never both commit one position.

Events are chained in id order within each pass. An event whose transaction commits
after a later-numbered one is simply chained in a later pass: the chain records the
order in which events became durable, which is all ``verify`` needs.

Only proven events are chained (their ``mac`` matches their content under the audit
key, docs/decisions/0007). A row without a valid proof was not written by Beacon: it is
left unchained, logged once per process, and ``verify`` reports it on every run.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet

from beacon.audit.chain import EVENT_FIELDS, audit_key, link_hash, payload_of, proves
from beacon.audit.models import AuditEvent, ChainHead

logger = logging.getLogger("beacon.audit")

BATCH = 2000
# Any fixed 64-bit key, so no other code's advisory lock collides with the chain's.
ADVISORY_KEY = 0x6265_6163_6F6E_01  # "beacon" 01
PAYLOAD_COLUMNS = ("id", "mac", *EVENT_FIELDS)
# Unproven rows (id, mac) this process has refused to chain (they stay unchained for good).
_refused: set[tuple[int, str]] = set()


def _unchained() -> QuerySet[AuditEvent]:
    # A row with hashes but no position was edited by hand: verify reports it, and the
    # chainer leaves it alone rather than stop chaining everything after it.
    return AuditEvent.objects.filter(seq__isnull=True, prev_hash__isnull=True, hash__isnull=True)


def has_pending() -> bool:
    """Whether an unchained event this process has not refused is waiting."""
    rows = _unchained().order_by("id").values_list("id", "mac")[: len(_refused) + 1]
    return any(row not in _refused for row in rows)


def chain_pending(*, wait: bool = True) -> int:
    """Chain every committed unchained event; return how many were chained.

    ``wait=False`` returns at once when another chainer holds the lock (PostgreSQL).
    Inside an open transaction the lock is held until that transaction ends, and the
    transaction's own events are chained with it (they commit or roll back together).
    """
    return try_chain(wait=wait)[1]


def try_chain(*, wait: bool = False) -> tuple[bool, int]:
    """(whether the chain lock was had, how many events were chained)."""
    if not has_pending():
        return True, 0
    total, after = 0, 0
    while True:
        with transaction.atomic():
            if not _lock(wait=wait):
                return False, total
            chained, seen, after = _chain_batch(after)
        total += chained
        if seen < BATCH:
            return True, total


def _lock(*, wait: bool) -> bool:
    if connection.vendor != "postgresql":
        return True  # the IMMEDIATE transaction holds SQLite's single write lock
    function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [ADVISORY_KEY])
        row = cursor.fetchone()
    return wait or bool(row and row[0])


def _chain_batch(after: int) -> tuple[int, int, int]:
    """Chain the proven events among the next BATCH unchained ones after id ``after``:
    (chained, examined, last id examined)."""
    head, _ = ChainHead.objects.get_or_create(id=1)
    rows = _unchained().filter(id__gt=after).order_by("id").values(*PAYLOAD_COLUMNS)[:BATCH]
    events = list(rows)
    if not events:
        return 0, 0, after
    key = audit_key()
    seq, prev = head.seq, head.hash
    links: list[tuple[int, str, str, int]] = []
    for event in events:
        fields: dict[str, Any] = {k: v for k, v in event.items() if k not in ("id", "mac")}
        if not proves(event["mac"], payload_of(**fields), key):
            _refuse(int(event["id"]), str(event["mac"]))
            continue
        seq += 1
        digest = link_hash(prev, seq, str(event["mac"]), key)
        links.append((seq, prev, digest, int(event["id"])))
        prev = digest
    if links:
        _write_links(links)
        ChainHead.objects.filter(id=1).update(seq=seq, hash=prev)
    return len(links), len(events), int(events[-1]["id"])


def _refuse(event_id: int, mac: str) -> None:
    if (event_id, mac) not in _refused:
        _refused.add((event_id, mac))
        logger.error(
            "audit event id %s carries no valid proof that Beacon wrote it: not chained "
            "(written behind Beacon's back, or by a Beacon with another BEACON_AUDIT_KEY); "
            "`beacon audit verify` reports it",
            event_id,
        )


def _write_links(links: list[tuple[int, str, str, int]]) -> None:
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            values = ", ".join(["(%s::bigint, %s, %s, %s::bigint)"] * len(links))
            cursor.execute(
                f"UPDATE {table} AS e SET seq = v.seq, prev_hash = v.prev, hash = v.hash "
                f"FROM (VALUES {values}) AS v(seq, prev, hash, id) "
                "WHERE e.id = v.id AND e.seq IS NULL",
                [value for link in links for value in link],
            )
            changed = cursor.rowcount
        else:
            changed = 0
            for link in links:
                cursor.execute(
                    f"UPDATE {table} SET seq = %s, prev_hash = %s, hash = %s "
                    "WHERE id = %s AND seq IS NULL",
                    list(link),
                )
                changed += cursor.rowcount
    if changed != len(links):  # another chainer got there: roll back, chain nothing twice
        raise RuntimeError(f"audit chainer: {changed} of {len(links)} events updated")
