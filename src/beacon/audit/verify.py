"""Checking the audit trail, and the anchor kept outside the database: the one verifier
(``beacon audit verify``, the API, ``beacon backup`` and ``beacon restore`` all use it).

``verify`` reads one consistent snapshot of the database and changes nothing (it never
chains). It finds:
- an event without a valid proof (``mac``) under the audit key: written behind Beacon's
  back (chained or not, whatever its date), or edited;
- a link that does not hold: an event deleted, inserted or reordered, or the chain
  re-linked without the key;
- the same event stored twice (a copied row);
- a cut-off tail (the chain head, or an exported anchor, names a later event);
- an event chained after an anchor but dated well before it (backdated);
- a proven event left unchained longer than BEACON_AUDIT_CHAIN_GRACE_SECONDS (the
  chainer is not running);
- an append-only trigger missing, disabled or altered.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from beacon.audit import triggers
from beacon.audit.chain import (
    EVENT_FIELDS,
    GENESIS_HASH,
    audit_key,
    link_hash,
    payload_of,
    proves,
)
from beacon.audit.chainer import ADVISORY_KEY, chain_pending
from beacon.audit.models import AuditEvent, ChainHead
from beacon.core.errors import ValidationFailed

MAX_LISTED = 100  # problems of one kind listed one by one; the rest are counted


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: datetime | None = None  # when it was taken: every event older is in its prefix

    def as_dict(self) -> dict[str, Any]:
        taken = self.at.isoformat(timespec="microseconds") if self.at else None
        return {"seq": self.seq, "hash": self.hash, "at": taken}


@dataclass
class Report:
    checked: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    unchained: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def describe(self) -> str:
        if self.ok:
            return (
                f"audit chain verified: {self.checked} events, "
                f"head #{self.last_seq} {self.last_hash[:16]}"
            )
        return f"audit chain BROKEN ({len(self.problems)} problem(s)): " + "; ".join(
            self.problems[:5]
        )


def current_anchor() -> Anchor:
    head = ChainHead.objects.filter(id=1).first()
    if head is None:
        return Anchor(seq=0, hash=GENESIS_HASH)
    return Anchor(seq=head.seq, hash=head.hash)


def write_anchor(path: Path) -> Anchor:
    taken = timezone.now()
    chain_pending()  # the anchor covers every event committed so far
    head = current_anchor()
    anchor = Anchor(seq=head.seq, hash=head.hash, at=taken)
    path.write_text(json.dumps(anchor.as_dict()) + "\n", encoding="utf-8")
    return anchor


def read_anchor(path: Path) -> Anchor:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        taken = parse_datetime(data["at"]) if data.get("at") else None
        if data.get("at") and taken is None:
            raise ValueError(data["at"])
        return Anchor(seq=int(data["seq"]), hash=str(data["hash"]), at=taken)
    except FileNotFoundError:
        raise ValidationFailed.on("anchor", f"{path}: no such file") from None
    except json.JSONDecodeError as exc:
        raise ValidationFailed.on(
            "anchor", f"{path}: line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except (KeyError, TypeError, ValueError, AttributeError):
        raise ValidationFailed.on(
            "anchor", f"{path}: expected {{'seq': N, 'hash': '...', 'at': 'ISO time'}}"
        ) from None


@contextmanager
def read_snapshot() -> Iterator[None]:
    """Every read inside sees one state of the database, while writers and the chainer go on.

    PostgreSQL: a REPEATABLE READ, READ ONLY transaction. SQLite (WAL): a deferred read
    transaction, which takes no lock and sees the database as of its first read. Inside
    a caller's transaction: on SQLite it already is one snapshot (it holds the write
    lock); on PostgreSQL the chain lock keeps the chainer out until it ends.
    """
    if connection.in_atomic_block:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_KEY])
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ROLLBACK")  # it only read


def verify(anchor: Anchor | None = None, *, now: datetime | None = None) -> Report:
    """Check the whole trail in one snapshot; change nothing."""
    key = audit_key()
    report = Report()
    with read_snapshot():
        report.problems.extend(triggers.installed_problems())
        _walk_chain(report, key, anchor)
        _check_unchained(report, key, now or timezone.now())
        _check_copies(report)
        head = current_anchor()
    if (head.seq, head.hash) != (report.last_seq, report.last_hash):
        report.problems.append(
            f"chain head names event #{head.seq} but the last event is #{report.last_seq} "
            "(the tail was cut or the head edited)"
        )
    return report


def _walk_chain(report: Report, key: bytes, anchor: Anchor | None) -> None:
    expected_seq, prev_hash = 1, GENESIS_HASH
    anchored_hash: str | None = None
    backdated: list[int] = []
    grace = _grace()
    chained = AuditEvent.objects.filter(seq__isnull=False).order_by("seq")
    columns = ("seq", "prev_hash", "hash", "mac", *EVENT_FIELDS)
    for event in chained.values_list(*columns).iterator(chunk_size=2000):
        seq, prev, digest, mac = int(event[0]), event[1], event[2], event[3]
        report.checked += 1
        if seq != expected_seq:
            report.problems.append(
                f"event #{seq}: expected #{expected_seq} next; "
                f"events #{expected_seq}..#{seq - 1} are missing (deleted)"
            )
        if prev != prev_hash or digest != link_hash(str(prev), seq, str(mac), key):
            report.problems.append(
                f"event #{seq}: does not link to the event before it "
                "(an event was deleted, inserted or reordered)"
            )
        payload = payload_of(**dict(zip(EVENT_FIELDS, event[4:], strict=True)))
        if not proves(mac, payload, key):
            report.problems.append(
                f"event #{seq}: no valid proof that Beacon wrote it "
                "(forged, or edited after it was written)"
            )
        if anchor is not None:
            if seq == anchor.seq:
                anchored_hash = digest
            elif seq > anchor.seq and anchor.at and event[4] < anchor.at - grace:
                backdated.append(seq)
        prev_hash = str(digest)
        expected_seq = seq + 1
        report.last_seq, report.last_hash = seq, prev_hash
    if anchor is None:
        return
    if anchor.seq > 0 and anchored_hash is None:
        report.problems.append(f"anchored event #{anchor.seq} is missing (the tail was cut off)")
    elif anchor.seq > 0 and anchored_hash != anchor.hash:
        report.problems.append(
            f"anchored event #{anchor.seq} has a different hash (the chain was rewritten)"
        )
    for seq in backdated[:MAX_LISTED]:
        report.problems.append(
            f"event #{seq} is chained after anchored event #{anchor.seq} but dated more than "
            f"{int(grace.total_seconds())} s before the anchor was taken (backdated)"
        )


def _grace() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "BEACON_AUDIT_CHAIN_GRACE_SECONDS", 600)))


def _check_unchained(report: Report, key: bytes, now: datetime) -> None:
    """Unchained rows: unproven ones are forged (now, and on every later run: the chainer
    never chains them); proven ones must be chained within the grace."""
    grace = _grace()
    listed = 0
    rows = AuditEvent.objects.filter(seq__isnull=True).order_by("id")
    columns = ("id", "prev_hash", "hash", "mac", *EVENT_FIELDS)
    for event in rows.values_list(*columns).iterator(chunk_size=2000):
        event_id, prev, digest, mac, at = event[0], event[1], event[2], event[3], event[4]
        report.unchained += 1
        problem = ""
        payload = payload_of(**dict(zip(EVENT_FIELDS, event[4:], strict=True)))
        if not proves(mac, payload, key):
            problem = (
                f"event id {event_id}: no valid proof that Beacon wrote it (forged, or edited "
                "after it was written); it will never be chained"
            )
        elif prev is not None or digest is not None:
            problem = f"event id {event_id}: hashes without a chain position (edited)"
        elif at < now - grace:
            problem = (
                f"event id {event_id} (written {at.isoformat(timespec='seconds')}) was not "
                f"chained within {int(grace.total_seconds())} s (the chainer is not running)"
            )
        if problem:
            listed += 1
            if listed <= MAX_LISTED:
                report.problems.append(problem)
    if listed > MAX_LISTED:
        report.problems.append(f"... and {listed - MAX_LISTED} more unchained events like these")


def _check_copies(report: Report) -> None:
    copies = (
        AuditEvent.objects.values("mac")
        .annotate(times=Count("id"))
        .filter(times__gt=1)
        .values_list("mac", "times")
    )
    for mac, times in copies[:MAX_LISTED]:
        report.problems.append(
            f"one event is stored {times} times (proof {str(mac)[:16]}...): copies were inserted"
        )
