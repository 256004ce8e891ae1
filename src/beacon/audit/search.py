"""Administrators' search and CSV export of the audit trail (themselves audited)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.audit import services
from beacon.audit.chain import EVENT_FIELDS
from beacon.audit.chainer import chain_pending
from beacon.audit.models import AuditEvent
from beacon.core.actor import Actor
from beacon.core.csvsafe import neutralise_row

CSV_COLUMNS = ("seq", *EVENT_FIELDS, "mac", "prev_hash", "hash")


# Detail keys that never hold personal data: shown to every audit reader. Everything else
# (before/after values, search terms, reasons, notes) is shown only to a reader who may
# also read case files: administering accounts is not reading them.
STRUCTURAL_KEYS = frozenset(
    {"fields", "version", "records", "keys", "permission", "format", "count", "photo", "kind"}
    | {"action", "role", "status", "outcome", "operation", "operations", "source", "rows"}
)
REDACTED = "[redacted]"
# Events about accounts, sign-in, tokens, keys, backups and the audit itself hold no case data:
# administrators read them whole (that is their job).
ADMINISTRATIVE_ACTIONS = (
    "account.",
    "auth.",
    "token.",
    "vault.",
    "audit.",
    "access.",
    "backup.",
)


def redact(detail: object) -> object:
    """The detail with personal values replaced; keys (which fields changed) are kept."""
    if isinstance(detail, dict):
        return {
            key: value if key in STRUCTURAL_KEYS else _redact_value(value)
            for key, value in detail.items()
        }
    return REDACTED


def _redact_value(value: object) -> object:
    if isinstance(value, dict):
        return {key: _redact_value(inner) for key, inner in value.items()}
    return REDACTED


def _readable(actor: Actor, event: AuditEvent) -> AuditEvent:
    """The event as this actor may read it (an unsaved copy when redacted)."""
    if policy.has(actor, Permission.RECORDS_VIEW) or event.action.startswith(
        ADMINISTRATIVE_ACTIONS
    ):
        return event
    copy = AuditEvent(**{f.attname: getattr(event, f.attname) for f in AuditEvent._meta.fields})
    copy.detail = redact(event.detail)
    return copy


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    user_id: int | None = None
    agency_ori: str = ""
    action: str = ""  # exact, or a prefix ending in "." ("auth.")
    object_type: str = ""
    object_id: str = ""
    outcome: str = ""
    since: datetime | None = None
    until: datetime | None = None

    def as_detail(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.__dict__.items() if v not in ("", None)}


def _apply(events: QuerySet[AuditEvent], f: AuditFilter) -> QuerySet[AuditEvent]:
    if f.actor:
        events = events.filter(actor=f.actor)
    if f.user_id is not None:
        events = events.filter(user_id=f.user_id)
    if f.agency_ori:
        events = events.filter(agency_ori=f.agency_ori.upper())
    if f.action:
        events = (
            events.filter(action__startswith=f.action)
            if f.action.endswith(".")
            else events.filter(action=f.action)
        )
    if f.object_type:
        events = events.filter(object_type=f.object_type)
    if f.object_id:
        events = events.filter(object_id=f.object_id)
    if f.outcome:
        events = events.filter(outcome=f.outcome)
    if f.since is not None:
        events = events.filter(at__gte=f.since)
    if f.until is not None:
        events = events.filter(at__lt=f.until)
    return events


def search(
    actor: Actor,
    f: AuditFilter,
    *,
    after_seq: int = 0,
    limit: int = 100,
    newest_first: bool = False,
    before_seq: int | None = None,
) -> list[AuditEvent]:
    """Events matching ``f`` in sequence order, ``limit`` at a time after ``after_seq``;
    with ``newest_first``, in reverse order, ``limit`` at a time before ``before_seq``."""
    policy.require(actor, Permission.AUDIT_VIEW, object_type="audit")
    chain_pending()  # pages run in chain order: give every committed event its place
    events = _apply(AuditEvent.objects.filter(seq__gt=after_seq), f)
    if newest_first:
        if before_seq is not None:
            events = events.filter(seq__lt=before_seq)
        found = list(events.order_by("-seq")[:limit])
    else:
        found = list(events.order_by("seq")[:limit])
    services.record(actor, "audit.search", object_type="audit", detail=f.as_detail())
    return [_readable(actor, event) for event in found]


def export_csv(actor: Actor, f: AuditFilter) -> Iterator[str]:
    """CSV lines (header first) of every matching event; the export itself is audited."""
    policy.require(actor, Permission.AUDIT_EXPORT, object_type="audit")
    chain_pending()
    events = _apply(AuditEvent.objects.all(), f).order_by("seq")
    services.record(
        actor, "audit.export", object_type="audit", detail={**f.as_detail(), "format": "csv"}
    )

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        for stored in events.iterator(chunk_size=2000):
            event = _readable(actor, stored)
            row = [getattr(event, c) for c in CSV_COLUMNS]
            row[CSV_COLUMNS.index("at")] = event.at.isoformat(timespec="microseconds")
            row[CSV_COLUMNS.index("detail")] = json.dumps(event.detail, sort_keys=True)
            writer.writerow(neutralise_row(row))  # no spreadsheet formulas
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    return lines()
