"""Search queries and linkage lists built from people, each labelled with its errors."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bench.peoplegen.corrupt import FIELDS, KINDS, Error, corrupt, values_of
from bench.peoplegen.people import Person

# What a person search is given by default: the fields a caller types in. Errors are only
# planted in these (a query still carries middle name and address, untouched).
QUERY_FIELDS = ("first_name", "last_name", "sex", "dob")
# The kinds that can touch QUERY_FIELDS (all but the middle name's and the address's).
QUERY_KINDS = tuple(k for k in KINDS if k not in ("middle_as_first", "moved"))


@dataclass(frozen=True)
class Query:
    """A search for one person, as someone wrote it: ``pid`` is the person sought."""

    pid: int
    first_name: str
    middle_name: str
    last_name: str
    sex: str
    dob: date | None
    city: str
    state: str
    zip: str
    errors: tuple[Error, ...]

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(e.kind for e in self.errors)


@dataclass(frozen=True)
class Row:
    """One row of a linkage list; rows of one person share ``cluster_id`` (its pid)."""

    record_id: int
    cluster_id: int
    first_name: str
    middle_name: str
    last_name: str
    sex: str
    dob: date | None
    city: str
    state: str
    zip: str
    errors: tuple[Error, ...]  # empty for a person's original row

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(e.kind for e in self.errors)


def _fields(values: dict[str, object]) -> dict[str, object]:
    return {f: values[f] for f in FIELDS}


def plant(
    person: Person,
    kinds: Sequence[str],
    rng: random.Random,
    allowed: Sequence[str] = FIELDS,
    *,
    limit: int | None = None,
    first_required: bool = False,
) -> tuple[dict[str, object], tuple[Error, ...]] | None:
    """The person's fields with ``kinds`` planted in turn (those that apply, at most
    ``limit``), each on fields no earlier error touched (so no error undoes another and
    every label holds), and the errors planted; None when ``first_required`` and the
    first kind cannot apply."""
    values = values_of(person)
    errors: list[Error] = []
    for number, kind in enumerate(kinds):
        if limit is not None and len(errors) >= limit:
            break
        touched = {f for e in errors for f in e.field.split("+")}
        fresh = [f for f in allowed if f not in touched]
        error = corrupt(kind, values, person, rng, fresh) if fresh else None
        if error is not None:
            errors.append(error)
        elif number == 0 and first_required:
            return None
    return values, tuple(errors)


def make_queries(
    people: Sequence[Person],
    n: int,
    errors: int = 1,
    seed: int = 0,
    *,
    kinds: Sequence[str] = QUERY_KINDS,
    fields: Sequence[str] = QUERY_FIELDS,
) -> list[Query]:
    """``n`` queries for distinct people (fewer if there are not enough people the kinds
    apply to), each with exactly ``errors`` planted errors of distinct kinds. The first
    kind cycles through ``kinds`` (each equally represented, for per-kind recall); the
    others are drawn at random among those that apply. A person a kind cannot apply to
    (no nickname known, a day of birth above 12...) is passed over for that kind."""
    if errors < 0:
        raise ValueError("errors must be 0 or more")
    rng = random.Random(f"peoplegen-queries-{seed}-{errors}")
    order = list(range(len(people)))
    rng.shuffle(order)
    used: set[int] = set()
    out: list[Query] = []
    cursor = 0
    slot = 0
    misses = 0
    while len(out) < n and len(used) < len(people) and misses < 20 * max(1, len(kinds)):
        wanted = [kinds[slot % len(kinds)]] if errors else []
        slot += 1
        for step in range(min(2000, len(order))):  # the next unused people, in turn
            index = order[(cursor + step) % len(order)]
            if index in used:
                continue
            others = [k for k in kinds if k not in wanted]
            rng.shuffle(others)
            done = plant(
                people[index], wanted + others, rng, fields, limit=errors, first_required=True
            )
            if done is not None and len(done[1]) == errors:
                values, planted = done
                used.add(index)
                while len(used) < len(order) and order[cursor] in used:
                    cursor = (cursor + 1) % len(order)
                out.append(Query(people[index].pid, **_fields(values), errors=planted))  # type: ignore[arg-type]
                break
        else:
            misses += 1
    return out


def with_duplicates(
    people: Sequence[Person],
    rate: float = 0.1,
    seed: int = 0,
    *,
    kinds: Sequence[str] = KINDS,
    fields: Sequence[str] = FIELDS,
    error_counts: Sequence[tuple[int, float]] = ((1, 0.5), (2, 0.35), (3, 0.15)),
) -> list[Row]:
    """Every person as a row, plus one corrupted duplicate for a share ``rate`` of them
    (each with 1 to 3 errors of distinct kinds, weighted by ``error_counts``), shuffled;
    ``record_id`` numbers the shuffled rows from 1, ``cluster_id`` is the person's pid."""
    rng = random.Random(f"peoplegen-duplicates-{seed}")
    counts = [c for c, _ in error_counts]
    weights = [w for _, w in error_counts]
    rows: list[tuple[int, dict[str, object], tuple[Error, ...]]] = []
    for person in people:
        rows.append((person.pid, values_of(person), ()))
        if rng.random() < rate:
            wanted = rng.choices(counts, weights=weights)[0]
            pool = list(kinds)
            rng.shuffle(pool)
            done = plant(person, pool, rng, fields, limit=wanted)
            assert done is not None
            values, planted = done
            if planted:
                rows.append((person.pid, values, planted))
    rng.shuffle(rows)
    return [
        Row(number, pid, **_fields(values), errors=planted)  # type: ignore[arg-type]
        for number, (pid, values, planted) in enumerate(rows, start=1)
    ]
