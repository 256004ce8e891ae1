"""Checking the audit chain, and the anchor kept outside the database.

``verify`` walks every event in sequence order and finds:
- an edited event (its stored hash no longer matches its content),
- a deleted event (a gap in the sequence, and the next event's link breaks),
- an inserted or reordered event (the link to the previous hash breaks),
- a cut-off tail (the chain head, or an exported anchor, names a later event),
- an event left unchained longer than BEACON_AUDIT_CHAIN_GRACE_SECONDS (the chainer is
  not running, or a row was written behind Beacon's back with an old time).

It first notes the stale unchained events, then chains what is pending, then walks the
chain (docs/decisions/0005).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from beacon.audit.chain import EVENT_FIELDS, GENESIS_HASH, event_hash, payload_of
from beacon.audit.chainer import chain_pending
from beacon.audit.models import AuditEvent, ChainHead
from beacon.core.errors import ValidationFailed

HASHED_FIELDS = ("seq", *EVENT_FIELDS)


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash}


@dataclass
class Report:
    checked: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def current_anchor() -> Anchor:
    head = ChainHead.objects.filter(id=1).first()
    if head is None:
        return Anchor(seq=0, hash=GENESIS_HASH)
    return Anchor(seq=head.seq, hash=head.hash)


def write_anchor(path: Path) -> Anchor:
    chain_pending()  # the anchor covers every event committed so far
    anchor = current_anchor()
    path.write_text(json.dumps(anchor.as_dict()) + "\n", encoding="utf-8")
    return anchor


def read_anchor(path: Path) -> Anchor:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Anchor(seq=int(data["seq"]), hash=str(data["hash"]))
    except FileNotFoundError:
        raise ValidationFailed.on("anchor", f"{path}: no such file") from None
    except json.JSONDecodeError as exc:
        raise ValidationFailed.on(
            "anchor", f"{path}: line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except (KeyError, TypeError, ValueError):
        raise ValidationFailed.on(
            "anchor", f"{path}: expected {{'seq': N, 'hash': '...'}}"
        ) from None


def stale_unchained(now: datetime | None = None) -> list[str]:
    """Events still unchained well after they were written."""
    grace = int(getattr(settings, "BEACON_AUDIT_CHAIN_GRACE_SECONDS", 600))
    cutoff = (now or timezone.now()) - timedelta(seconds=grace)
    stale = AuditEvent.objects.filter(seq__isnull=True, at__lt=cutoff).order_by("id")
    return [
        f"event id {event_id} (written {at.isoformat(timespec='seconds')}) was not chained "
        f"within {grace} s (the chainer is not running, or it was written behind Beacon's back)"
        for event_id, at in stale.values_list("id", "at")[:100]
    ]


def verify(
    anchor: Anchor | None = None, *, chain_first: bool = True, now: datetime | None = None
) -> Report:
    report = Report(problems=stale_unchained(now))
    if chain_first:
        try:
            chain_pending()
        except DatabaseError as exc:
            report.problems.append(f"the pending events could not be chained: {exc}")
    expected_seq = 1
    prev_hash = GENESIS_HASH
    anchored_hash: str | None = None
    chained = AuditEvent.objects.filter(seq__isnull=False).order_by("seq")
    for event in chained.iterator(chunk_size=2000):
        seq = int(event.seq or 0)
        report.checked += 1
        if seq != expected_seq:
            report.problems.append(
                f"event #{seq}: expected #{expected_seq} next; "
                f"events #{expected_seq}..#{seq - 1} are missing (deleted)"
            )
        if event.prev_hash != prev_hash:
            report.problems.append(
                f"event #{seq}: does not link to the event before it "
                "(an event was deleted, inserted or reordered)"
            )
        fields = {name: getattr(event, name) for name in HASHED_FIELDS}
        if event_hash(str(event.prev_hash), payload_of(**fields)) != event.hash:
            report.problems.append(f"event #{seq}: content does not match its hash (edited)")
        if anchor is not None and seq == anchor.seq:
            anchored_hash = event.hash
        prev_hash = str(event.hash)
        expected_seq = seq + 1
        report.last_seq, report.last_hash = seq, prev_hash
    half = AuditEvent.objects.filter(seq__isnull=True).exclude(hash__isnull=True, prev_hash=None)
    for event_id in half.values_list("id", flat=True)[:100]:
        report.problems.append(f"event id {event_id}: hashes without a chain position (edited)")
    head = current_anchor()
    if (head.seq, head.hash) != (report.last_seq, report.last_hash):
        report.problems.append(
            f"chain head names event #{head.seq} but the last event is #{report.last_seq} "
            "(the tail was cut or the head edited)"
        )
    if anchor is not None and anchor.seq > 0:
        if anchored_hash is None:
            report.problems.append(
                f"anchored event #{anchor.seq} is missing (the tail was cut off)"
            )
        elif anchored_hash != anchor.hash:
            report.problems.append(
                f"anchored event #{anchor.seq} has a different hash (the chain was rewritten)"
            )
    return report
