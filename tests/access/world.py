"""A small world of agencies, records, operations, victims and referrals built from a plain
description, and an independent statement of the need-to-know rules over that description
(the oracle the policy is checked against)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from beacon.access.permissions import Permission, role_has
from beacon.agencies.models import Agency, Jurisdiction
from beacon.core.actor import Actor, system_actor
from beacon.operations.models import Operation, Participation, Person, Referral, Target, Victim
from beacon.records.models import MissingPersonRecord
from beacon.records.services import enter_record
from tests.personas import acting
from tests.records.conftest import juvenile

AGENCIES = (
    ("NM0070100", "Las Cruces Police Department", "local"),
    ("NM0070200", "HSI Las Cruces", "federal"),
    ("MO0000100", "Missouri Attorney General's Office", "prosecutor"),
    ("NM0000300", "Children, Youth and Families Department", "child_welfare"),
    ("CA0000400", "ZOE International", "ngo"),
)
SHARED = {"CLEAR", "GREEN", "AMBER"}
STRICT = "AMBER+STRICT"
_serial = itertools.count(1)


@dataclass
class Spec:
    records: list[tuple[int, str]]  # (originating agency, TLP)
    operations: list[tuple[frozenset[int], int | None]]  # (agencies, parent operation)
    targets: list[tuple[int, int, int]]  # (record, operation, assigned agency)
    victims: list[int]  # operation
    referrals: list[tuple[int, int]]  # (victim, to agency)


@dataclass
class World:
    agencies: list[Agency]
    records: list[MissingPersonRecord] = field(default_factory=list)
    operations: list[Operation] = field(default_factory=list)
    victims: list[Victim] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)


def _name(n: int) -> str:
    letters = ""
    while n:
        n, r = divmod(n, 26)
        letters += "abcdefghijklmnopqrstuvwxyz"[r]
    return "Doe" + letters


def agencies() -> list[Agency]:
    return [
        Agency.objects.get_or_create(ori=ori, defaults={"name": name, "kind": kind})[0]
        for ori, name, kind in AGENCIES
    ]


def build(spec: Spec) -> World:
    world = World(agencies=agencies())
    system = system_actor()
    place = Jurisdiction.objects.filter(kind="state").first()
    assert place is not None
    for origin, tlp in spec.records:
        n = next(_serial)
        data = juvenile(
            oca=f"T-{n}", originating_ori=world.agencies[origin].ori, tlp=tlp, last_name=_name(n)
        )
        world.records.append(enter_record(system, data))
    for members, parent in spec.operations:
        n = next(_serial)
        operation = Operation.objects.create(
            name=f"Operation {n}",
            code=f"OP-{n}",
            start=date(2021, 8, 1),
            parent=world.operations[parent] if parent is not None else None,
        )
        for index in sorted(members):
            Participation.objects.create(
                operation=operation, agency=world.agencies[index], role="partner"
            )
        world.operations.append(operation)
    for record, operation, assigned in spec.targets:
        Target.objects.get_or_create(
            operation=world.operations[operation],
            record=world.records[record],
            defaults={"assigned_agency": world.agencies[assigned]},
        )
    at = datetime(2021, 8, 2, tzinfo=UTC)
    for operation in spec.victims:
        person = Person.objects.create(last_name=f"Victim{next(_serial)}")
        world.victims.append(
            Victim.objects.create(
                operation=world.operations[operation],
                agency=world.agencies[0],
                jurisdiction=place,
                at=at,
                person=person,
                age_group="minor",
            )
        )
    for victim, to in spec.referrals:
        v = world.victims[victim]
        world.referrals.append(
            Referral.objects.create(
                operation=v.operation,
                agency=v.agency,
                jurisdiction=place,
                at=at,
                victim=v,
                to_agency=world.agencies[to],
            )
        )
    return world


def actor(world: World, agency: int, role: str) -> Actor:
    return acting(world.agencies[agency], role, f"{role}@{agency}")


# --- the oracle: the rules of issue 4, section 3, over the plain description -------------


def operations_expected(spec: Spec, agency: int, role: str) -> set[int]:
    if not (
        role_has(role, Permission.OPERATIONS_VIEW) or role_has(role, Permission.OPERATIONS_REPORT)
    ):
        return set()
    mine = {i for i, (members, _parent) in enumerate(spec.operations) if agency in members}
    seen = set(mine)
    if role == "hub_coordinator":
        for i, (_members, parent) in enumerate(spec.operations):
            grand = spec.operations[parent][1] if parent is not None else None
            if parent in mine or grand in mine:
                seen.add(i)
    return seen


def records_expected(spec: Spec, agency: int, role: str) -> set[int]:
    if not role_has(role, Permission.RECORDS_VIEW):
        return set()
    ops = operations_expected(spec, agency, role)
    seen = set()
    for i, (origin, tlp) in enumerate(spec.records):
        targets = [(op, assigned) for rec, op, assigned in spec.targets if rec == i]
        if (
            origin == agency
            or (tlp in SHARED and any(op in ops for op, _ in targets))
            or (tlp in SHARED | {STRICT} and any(assigned == agency for _, assigned in targets))
        ):
            seen.add(i)
    return seen


def victims_expected(spec: Spec, agency: int, role: str) -> set[int]:
    ops = operations_expected(spec, agency, role)
    seen = set()
    for i, operation in enumerate(spec.victims):
        if role_has(role, Permission.VICTIMS_VIEW) and operation in ops:
            seen.add(i)
        if role_has(role, Permission.REFERRALS_VIEW) and (i, agency) in spec.referrals:
            seen.add(i)
    return seen


def referrals_expected(spec: Spec, agency: int, role: str) -> set[int]:
    ops = operations_expected(spec, agency, role)
    seen = set()
    for i, (victim, to) in enumerate(spec.referrals):
        if role_has(role, Permission.REFERRALS_VIEW) and to == agency:
            seen.add(i)
        if role_has(role, Permission.VICTIMS_VIEW) and spec.victims[victim] in ops:
            seen.add(i)
    return seen
