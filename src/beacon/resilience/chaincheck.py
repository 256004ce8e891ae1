"""Checking the audit chain end to end (after a restore, a crash or an outage).

Delegates to beacon.audit.verify (the audit trail's own check, also behind
``beacon audit verify``) when it is installed; otherwise checks here with the one hash
definition in beacon.audit.chain: every event's hash must be the hash
of the one before plus its own fields, sequence numbers must run 1, 2, 3 ... without a
gap, and the chain head must point at the last event.
"""

from __future__ import annotations

from dataclasses import dataclass

from beacon.audit.chain import EVENT_FIELDS, GENESIS_HASH, event_hash, payload_of
from beacon.audit.models import AuditEvent, ChainHead

PAYLOAD_FIELDS = ("seq", *EVENT_FIELDS)


@dataclass(frozen=True)
class ChainStatus:
    events: int
    head_hash: str
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None

    def describe(self) -> str:
        if self.ok:
            return f"audit chain verified: {self.events} events, head {self.head_hash[:16]}"
        return f"audit chain BROKEN at event #{self.broken_at}: {self.reason}"


def verify_chain() -> ChainStatus:
    try:
        from beacon.audit.verify import verify  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        return _verify_here()
    report = verify()
    if report.ok:
        return ChainStatus(report.checked, report.last_hash)
    return ChainStatus(
        report.checked, report.last_hash, report.last_seq, "; ".join(report.problems)
    )


def _verify_here() -> ChainStatus:
    prev = GENESIS_HASH
    count = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        count += 1
        if event.seq != count:
            return ChainStatus(count - 1, prev, event.seq, f"expected event #{count}")
        if event.prev_hash != prev:
            return ChainStatus(count - 1, prev, event.seq, "does not follow the event before")
        fields = {name: getattr(event, name) for name in PAYLOAD_FIELDS}
        if event_hash(prev, payload_of(**fields)) != event.hash:
            return ChainStatus(count - 1, prev, event.seq, "its content does not match its hash")
        prev = event.hash
    head = ChainHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if (head_seq, head_hash) != (count, prev):
        return ChainStatus(count, prev, head_seq, "the chain head does not point at the last event")
    return ChainStatus(count, prev)
