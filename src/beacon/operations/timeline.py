"""Timelines: what happened in an operation, or to one person in it, newest first, in
words (labels from the code tables, never codes), each entry with its corrections.

An operation's timeline comes a page at a time (``PAGE`` entries, then "older" from the
time of the last one shown): each kind of entry is one bounded query of at most
``PAGE + 1`` rows, so a page costs the same whatever the operation's size.

Need-to-know applies as everywhere: victims, referrals and services come through the
policy; targets only where the actor may see the record.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from beacon.access import policy
from beacon.access.permissions import Permission
from beacon.agencies.models import Jurisdiction
from beacon.core.actor import Actor
from beacon.operations.corrections import ENTRY_MODELS
from beacon.operations.models import (
    Arrest,
    Correction,
    HitConfirmation,
    Investigation,
    Lead,
    Operation,
    Outcome,
    Raid,
    Referral,
    SearchWarrant,
    Seizure,
    Service,
    Target,
    Victim,
)
from beacon.operations.outcomes import UNDO_REASON
from beacon.records.models import MissingPersonRecord, RecordTransaction

LIMIT = 500  # entries of each kind on a person's timeline, the newest
PAGE = 30  # entries on one page of an operation's timeline (a phone screen or two)


@dataclass
class Change:
    field: str
    before: str | datetime
    after: str | datetime
    reason: str
    actor: str
    at: datetime


@dataclass
class Entry:
    at: datetime
    kind: str
    label: str
    summary: str
    ref: str = ""
    agency: str = ""
    place: str = ""
    agency_id: int | None = None
    withdrawn: str = ""  # why an outcome was withdrawn (kept, struck through)
    link: tuple[str, str] | None = None  # (route name, argument) of a person's timeline
    nic: str = ""  # the registry record an outcome names (the page's read is audited)
    victim: str = ""  # the victim an entry names
    pk: int = 0  # the row's id (orders entries at one instant)
    href: str = ""  # the page of the person it names (filled in by the web view)
    correct_href: str = ""  # where the reader corrects it, if they may
    changes: list[Change] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"{self.kind}-{self.ref}"

    @property
    def correctable(self) -> bool:
        return self.kind in ENTRY_MODELS and not self.withdrawn


def family(actor: Actor, operation: Operation) -> list[Operation]:
    """The operation and its visible sub-operations (a hub's timeline shows theirs)."""
    visible = Operation.objects.visible_to(actor)
    return list(visible.filter(Q(pk=operation.pk) | Q(parent_id=operation.pk)))


# The order of entries at one instant, the last kind shown first (victims, then outcomes):
# with the time and the row's id it makes a cursor that never skips nor repeats an entry
# between pages.
ORDER = (
    "investigation",
    "seizure",
    "raid",
    "warrant",
    "arrest",
    "referral",
    "service",
    "outcome",
    "victim",
)


@dataclass(frozen=True)
class Cursor:
    """Where a page of an operation's timeline starts: entries after this one in the
    timeline's order (time, then kind, then row, all descending)."""

    at: datetime
    kind: str
    pk: int

    def __str__(self) -> str:
        return f"{self.at.isoformat()}~{self.kind}~{self.pk}"

    @classmethod
    def parse(cls, raw: str) -> Cursor | None:
        """The cursor written by ``str``, or None if it is not one."""
        parts = raw.split("~")
        if len(parts) != 3 or parts[1] not in ORDER or not parts[2].isdigit():
            return None
        at = parse_datetime(parts[0])
        if at is None or at.tzinfo is None:
            return None
        return cls(at, parts[1], int(parts[2]))

    def after(self, kind: str) -> Q:
        """Rows of ``kind`` that come after the cursor."""
        rank, mine = ORDER.index(self.kind), ORDER.index(kind)
        if mine < rank:
            return Q(at__lte=self.at)
        if mine == rank:
            return Q(at__lt=self.at) | Q(at=self.at, pk__lt=self.pk)
        return Q(at__lt=self.at)


@dataclass
class Page:
    """One page of a timeline, newest first; ``older`` is where the next page starts,
    None on the last page."""

    entries: list[Entry]
    older: Cursor | None = None


def operation_entries(
    actor: Actor, operation: Operation, *, before: Cursor | None = None, size: int = PAGE
) -> Page:
    """The ``size`` newest entries of the operation (and its visible sub-operations)
    after the cursor ``before``. Each kind costs one narrow query of at most ``size + 1``
    (time, id) pairs; only the kinds on the page are then read in full, for the rows
    shown, so a page costs the same whatever the operation's size."""
    ops = family(actor, operation)
    sources: dict[str, QuerySet[Any]] = {}
    if policy.has(actor, Permission.OPERATIONS_VIEW) or actor.is_system:
        for kind in ("arrest", "warrant", "raid", "seizure", "investigation"):
            sources[kind] = ENTRY_MODELS[kind]._default_manager.filter(operation__in=ops)
        targets = Target.objects.filter(
            operation__in=ops, record__in=MissingPersonRecord.objects.visible_to(actor)
        )
        sources["outcome"] = Outcome.objects.filter(
            Q(target__in=targets) | Q(withdrawn_from__in=targets)
        )
    sources["victim"] = Victim.objects.visible_to(actor).filter(operation__in=ops)
    sources["service"] = Service.objects.visible_to(actor).filter(operation__in=ops)
    sources["referral"] = Referral.objects.visible_to(actor).filter(operation__in=ops)
    keys: list[tuple[datetime, int, int]] = []
    for kind, query in sources.items():
        if before is not None:
            query = query.filter(before.after(kind))
        rank = ORDER.index(kind)
        newest = query.order_by("-at", "-id").values_list("at", "pk")[: size + 1]
        keys += [(at, rank, pk) for at, pk in newest]
    keys.sort(reverse=True)
    shown = keys[:size]
    older = None
    if len(keys) > size:
        at, rank, pk = shown[-1]
        older = Cursor(at, ORDER[rank], pk)
    wanted: dict[str, list[int]] = defaultdict(list)
    for _at, rank, pk in shown:
        wanted[ORDER[rank]].append(pk)
    entries: list[Entry] = []
    for kind, pks in wanted.items():
        if kind == "outcome":
            entries += _outcomes(Q(pk__in=pks), size)
        else:
            rows = sources[kind].filter(pk__in=pks)
            entries += _events(_newest(rows, ENTRY_MODELS[kind], size))
    entries.sort(key=lambda e: (e.at, ORDER.index(e.kind), e.pk), reverse=True)
    return Page(_with_changes(entries, ops), older)


def target_entries(actor: Actor, target: Target) -> list[Entry]:
    """A target (the missing child): leads, hit confirmations, outcomes and the record's
    registry history."""
    entries = _outcomes(Q(target=target) | Q(withdrawn_from=target), LIMIT)
    leads = Lead.objects.filter(target=target).select_related("jurisdiction")
    for lead in leads.order_by("-received_at", "-id")[:LIMIT]:
        summary = lead.get_status_display()
        entries.append(
            Entry(
                lead.received_at,
                "lead",
                _("Lead or sighting"),
                str(summary),
                lead.ref,
                lead.source,
                lead.place or (lead.jurisdiction.name if lead.jurisdiction else ""),
            )
        )
    hits = HitConfirmation.objects.filter(target=target).select_related("requesting_agency")
    for hit in hits.order_by("-requested_at", "-id")[:LIMIT]:
        entries.append(
            Entry(
                hit.requested_at,
                "hit",
                _("Hit confirmation asked"),
                str(hit.get_priority_display()),
                hit.ref,
                hit.requesting_agency.name,
            )
        )
        if hit.confirmed_at:
            entries.append(
                Entry(hit.confirmed_at, "hit", _("Hit confirmed"), hit.confirmed_by, hit.ref)
            )
    steps = RecordTransaction.objects.filter(record_id=target.record_id).select_related("agency")
    shown = list(steps.order_by("-at", "-id")[:LIMIT])
    reasons = registry_reasons(actor, shown)
    for step in shown:
        label = _("Registry: %(action)s") % {"action": step.get_kind_display()}
        entries.append(
            Entry(
                step.at, "registry", label, reasons[step.pk], f"v{step.version}", step.agency.name
            )
        )
    return _newest_first(entries)


def victim_entries(actor: Actor, victim: Victim) -> list[Entry]:
    """A victim: their identification, referrals and the services they received."""
    entries = _events([victim])
    referrals = Referral.objects.visible_to(actor).filter(victim=victim)
    entries += _events(_newest(referrals, Referral, LIMIT))
    services = Service.objects.visible_to(actor).filter(person_id=victim.person_id)
    entries += _events(_newest(services, Service, LIMIT))
    return _with_changes(_newest_first(entries), [victim.operation])


def _newest(query: QuerySet[Any], model: type[Any], limit: int) -> list[Any]:
    related = ["agency", "jurisdiction", "operation"]
    if model in (Arrest, Victim, Service):
        related.append("person")
    if model is Referral:
        related += ["to_agency", "victim__person"]
    defer = ["notes", "charges"] if model is Arrest else ["notes"]
    return list(query.select_related(*related).defer(*defer).order_by("-at", "-id")[:limit])


# Reasons Beacon itself writes into the registry's history (in English, as stored): read
# back in the reader's language. Anything else is what a person typed, shown as typed.
_WRITTEN: tuple[tuple[re.Pattern[str], Callable[[], str]], ...] = (
    (
        re.compile(r"imported from (?P<source>.+) line (?P<line>\d+)"),
        lambda: _("Imported from %(source)s, line %(line)s"),
    ),
    (
        re.compile(r"imported from (?P<source>.+) \(PFIF (?P<id>.+)\)"),
        lambda: _("Imported from %(source)s (PFIF record %(id)s)"),
    ),
    (
        re.compile(r"a later version of PFIF (?P<id>.+) from (?P<source>.+)"),
        lambda: _("A later version of PFIF record %(id)s from %(source)s"),
    ),
)


def reason_in_words(reason: str) -> str:
    """A reason as the reader should see it: Beacon's own in their language."""
    if reason == UNDO_REASON:
        return _("Undone right after it was recorded (tapped in error).")
    for pattern, words in _WRITTEN:
        found = pattern.fullmatch(reason)
        if found:
            return words() % found.groupdict()
    return reason


def registry_reasons(actor: Actor, steps: list[RecordTransaction]) -> dict[int, str]:
    """Each registry step's reason in words: a step an operation's outcome made says
    which operation (by name, if the reader may see it) and which outcome, in the
    reader's language, instead of the stored "Operation 7: located"."""
    made = Outcome.objects.filter(registry_transaction__in=[s.pk for s in steps]).select_related(
        "target__operation", "withdrawn_from__operation"
    )
    visible = set(Operation.objects.visible_to(actor).values_list("pk", flat=True))
    by_step: dict[int, str] = {}
    for o in made:
        target = o.target or o.withdrawn_from
        assert target is not None and o.registry_transaction_id is not None
        outcome = f"{o.get_kind_display()}, {o.get_how_display()}"
        if target.operation_id in visible:
            words = _("Outcome recorded in %(operation)s: %(outcome)s") % {
                "operation": target.operation.name,
                "outcome": outcome,
            }
        else:
            words = _("Outcome recorded in an operation: %(outcome)s") % {"outcome": outcome}
        by_step[o.registry_transaction_id] = words
    return {s.pk: by_step.get(s.pk) or reason_in_words(s.reason) for s in steps}


def _events(events: list[Any]) -> list[Entry]:
    kind_of = {model: kind for kind, model in ENTRY_MODELS.items()}
    entries = []
    for e in events:
        kind = kind_of[type(e)]
        entry = Entry(
            e.at,
            kind,
            _LABELS[kind](),
            _summary(e),
            e.ref,
            e.agency.name,
            e.jurisdiction.name,
            e.agency_id,
            pk=e.pk,
        )
        if isinstance(e, Victim):
            entry.link = ("web:victim_timeline", e.ref)
            entry.victim = e.ref
        elif isinstance(e, Referral):
            entry.link = ("web:victim_timeline", e.victim.ref)
            entry.victim = e.victim.ref
        entries.append(entry)
    return entries


_LABELS = {
    "arrest": lambda: _("Arrest"),
    "victim": lambda: _("Victim identified or rescued"),
    "warrant": lambda: _("Search warrant executed"),
    "raid": lambda: _("Raid or site visit"),
    "seizure": lambda: _("Seizure"),
    "service": lambda: _("Service offered or provided"),
    "referral": lambda: _("Referral"),
    "investigation": lambda: _("Investigation opened"),
}


def _summary(e: Any) -> str:
    if isinstance(e, Arrest):
        return f"{e.person} ({e.get_role_display()})"
    if isinstance(e, Victim):
        return f"{e.person} ({e.get_age_group_display()}, {e.get_sex_display()})"
    if isinstance(e, SearchWarrant):
        return str(e.place)
    if isinstance(e, Raid):
        return " · ".join(str(x) for x in (e.get_kind_display(), e.place) if x)
    if isinstance(e, Seizure):
        parts = []
        if e.cash_amount:
            parts.append(f"{e.cash_amount} {e.currency}".strip())
        if e.devices:
            parts.append(_("Devices: %(n)s") % {"n": e.devices})
        return " · ".join(parts)
    if isinstance(e, Service):
        return f"{e.person}: {e.get_kind_display()} ({e.get_status_display()})"
    if isinstance(e, Referral):
        return _("%(person)s to %(agency)s (%(status)s)") % {
            "person": e.victim.person,
            "agency": e.to_agency.name,
            "status": e.get_status_display(),
        }
    if isinstance(e, Investigation):
        return " · ".join(str(x) for x in (e.get_type_display(), e.summary) if x)
    return ""


def _outcomes(scope: Q, limit: int) -> list[Entry]:
    entries = []
    query = Outcome.objects.filter(scope).select_related(
        "agency", "jurisdiction", "target__record", "withdrawn_from__record"
    )
    for o in query.order_by("-at", "-id")[:limit]:
        target = o.target or o.withdrawn_from
        assert target is not None
        label = _("Outcome: %(kind)s") % {"kind": o.get_kind_display()}
        record = target.record
        entry = Entry(
            o.at,
            "outcome",
            label,
            f"{record.last_name}, {record.first_name} · {o.get_how_display()}",
            target.ref,
            o.agency.name,
            o.place or (o.jurisdiction.name if o.jurisdiction else ""),
            o.agency_id,
            pk=o.pk,
        )
        entry.link = ("web:target_timeline", target.ref)
        entry.nic = record.nic
        if o.withdrawn_at:
            entry.withdrawn = reason_in_words(o.withdrawn_reason)
            entry.changes.append(
                Change(_("Withdrawn"), "", "", entry.withdrawn, o.withdrawn_by, o.withdrawn_at)
            )
        entries.append(entry)
    return entries


def _with_changes(entries: list[Entry], ops: list[Operation]) -> list[Entry]:
    """The entries (in their order) with their corrections: one query, for the entries
    shown only."""
    keys = {(e.kind, e.ref) for e in entries if e.kind in ENTRY_MODELS}
    found: dict[tuple[str, str], list[Correction]] = defaultdict(list)
    places: set[int] = set()
    refs = {ref for _kind, ref in keys}
    corrections = Correction.objects.filter(operation__in=ops, entry_ref__in=refs)
    for c in corrections.order_by("at", "id") if refs else []:
        if (c.entry_kind, c.entry_ref) in keys:
            found[(c.entry_kind, c.entry_ref)].append(c)
            if c.field == "jurisdiction":
                places |= {int(v) for v in (c.before, c.after) if v.isdigit()}
    names = {j.pk: j.name for j in Jurisdiction.objects.filter(pk__in=places)} if places else {}
    for e in entries:
        for c in found.get((e.kind, e.ref), []):
            e.changes.append(
                Change(
                    field_label(c.field),
                    _value(c.field, c.before, names),
                    _value(c.field, c.after, names),
                    c.reason,
                    c.actor,
                    c.at,
                )
            )
    return entries


def field_label(name: str) -> str:
    return {"at": _("Time"), "jurisdiction": _("Place")}.get(name, name)


def _value(field_name: str, raw: str, names: dict[int, str]) -> str | datetime:
    if field_name == "at":
        return parse_datetime(raw) or raw
    if field_name == "jurisdiction" and raw.isdigit():
        return names.get(int(raw), raw)
    return raw


def _newest_first(entries: list[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: e.at, reverse=True)
