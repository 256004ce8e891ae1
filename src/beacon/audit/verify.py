"""Checking the audit chain, and the anchor kept outside the database.

``verify`` walks every event in sequence order and finds:
- an edited event (its stored hash no longer matches its content),
- a deleted event (a gap in the sequence, and the next event's link breaks),
- an inserted or reordered event (the link to the previous hash breaks),
- a cut-off tail (the chain head, or an exported anchor, names a later event).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beacon.audit.chain import GENESIS_HASH, event_hash, payload_of
from beacon.audit.models import AuditEvent, ChainHead
from beacon.core.errors import ValidationFailed

HASHED_FIELDS = (
    "seq",
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


def verify(anchor: Anchor | None = None) -> Report:
    report = Report()
    expected_seq = 1
    prev_hash = GENESIS_HASH
    anchored_hash: str | None = None
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        report.checked += 1
        if event.seq != expected_seq:
            report.problems.append(
                f"event #{event.seq}: expected #{expected_seq} next; "
                f"events #{expected_seq}..#{event.seq - 1} are missing (deleted)"
            )
        if event.prev_hash != prev_hash:
            report.problems.append(
                f"event #{event.seq}: does not link to the event before it "
                "(an event was deleted, inserted or reordered)"
            )
        fields = {name: getattr(event, name) for name in HASHED_FIELDS}
        if event_hash(event.prev_hash, payload_of(**fields)) != event.hash:
            report.problems.append(f"event #{event.seq}: content does not match its hash (edited)")
        if anchor is not None and event.seq == anchor.seq:
            anchored_hash = event.hash
        prev_hash = event.hash
        expected_seq = event.seq + 1
        report.last_seq, report.last_hash = event.seq, event.hash
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
