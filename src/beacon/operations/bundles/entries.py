"""Field entries typed in a form or sent one at a time: a one-row bundle section.

A field event from the web form or the API is written by the bundle's own checker and
writer, so every way in (forms, API, bundle files) shares one set of rules. This module
sits on the bundle floor, above ``operations.services``: the bundle code calls the
services, never the reverse.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from beacon.agencies.models import Agency, Jurisdiction
from beacon.core.actor import Actor
from beacon.core.errors import ValidationFailed
from beacon.operations import codes
from beacon.operations.bundles.importer import add_entries
from beacon.operations.bundles.plan import ImportReport
from beacon.operations.bundles.reader import jurisdiction_ref_of
from beacon.operations.models import Operation, Victim
from beacon.operations.refs import new_ref

# Form kinds of the web's event entry, and the bundle section each is written to.
EVENT_KINDS = {
    "arrest": "arrests",
    "victim": "victims",
    "warrant": "search_warrants",
    "raid": "raids",
    "seizure": "seizures",
    "service": "services",
    "referral": "referrals",
    "investigation": "investigations",
    "figure": "reported_figures",
}
_PERSON_FIELDS = ("last_name", "first_name")


def bundle_value(value: object) -> object:
    """A form value as the bundle spells it (agencies by ORI, places by reference)."""
    if isinstance(value, Agency):
        return value.ori
    if isinstance(value, Jurisdiction):
        return jurisdiction_ref_of(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def record_event(
    actor: Actor, operation: Operation, kind: str, data: dict[str, Any]
) -> ImportReport:
    """Record one field event (or reported figure) from already-typed values.

    Written as a one-row entry of its bundle section, all or nothing. A person named on
    an arrest or a victim becomes a new Person; services and referrals name the victim
    by ``victim`` (its ref). The operation must be one the caller could see; its
    agencies' rights are checked again by the writer, as for any bundle.
    """
    if kind not in EVENT_KINDS:
        raise ValidationFailed.on("kind", f"one of {', '.join(EVENT_KINDS)}")
    section = EVENT_KINDS[kind]
    row: dict[str, Any] = {"ref": new_ref()}
    people: list[dict[str, Any]] = []
    for name, value in data.items():
        if value is None or value == "" or name in _PERSON_FIELDS:
            continue
        row[name] = bundle_value(value)
    if kind in ("arrest", "victim"):
        person = {"ref": new_ref(), "sex": data.get("sex") or codes.Sex.UNKNOWN}
        person |= {name: data.get(name) or "" for name in _PERSON_FIELDS}
        people.append(person)
        row["person"] = person["ref"]
        row["people"] = [person["ref"]]
    if kind == "service":
        victims = Victim.objects.visible_to(actor).filter(operation=operation)
        victim = victims.filter(ref=row.pop("victim", "")).first()
        if victim is None:
            raise ValidationFailed.on("victim", "choose a victim of this operation")
        row["person"] = victim.person.ref
        row["people"] = [victim.person.ref]
    if kind == "figure":
        row.setdefault("scope", codes.FigureScope.OPERATION)
    return add_entries(actor, operation.code, section, [row], people=people)
