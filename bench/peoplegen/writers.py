"""Writers: the registry's import CSV (docs/formats/records-import.md), a linkage list
with its truth file, and search queries with theirs."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from datetime import date
from pathlib import Path

from bench.peoplegen.dataset import Query, Row
from bench.peoplegen.people import Person

# Agencies of the registry bench (bench/registry.py creates them); any ORI Beacon knows
# may be given instead.
DEFAULT_ORIS = ("NM0070100", "NM0070200", "NM0070300", "NMNSP0000", "TX0710000")

REGISTRY_COLUMNS = (
    "category", "last_name", "first_name", "middle_name", "sex", "race", "dob", "dlc",
    "place_last_seen", "jurisdiction_last_seen", "circumstances", "notes",
    "originating_ori", "oca",
)  # fmt: skip
LINKAGE_COLUMNS = (
    "record_id", "first_name", "middle_name", "last_name", "sex", "dob", "city", "state", "zip",
)  # fmt: skip
_CIRCUMSTANCES = ("runaway", "family_abduction", "non_family_abduction", "lost_injured", "unknown")
_NOTES = {
    "EME": "Endangered: reported at risk by the family; medication needed.",
    "EMD": "Disability documented by the reporting party.",
}


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def oca_of(person: Person) -> str:
    """The agency case number the registry CSV gives ``person`` (unique per pid)."""
    return f"PG{person.pid:09d}"


def registry_row(person: Person, ori: str) -> list[str]:
    category = person.category
    if category == "EMJ":
        circumstances = _CIRCUMSTANCES[person.pid % len(_CIRCUMSTANCES)]
    elif category == "EMI":
        circumstances = "non_family_abduction" if person.pid % 2 else "family_abduction"
    else:
        circumstances = ""
    return [
        category, person.last_name, person.first_name, person.middle_name, person.sex,
        person.race, _iso(person.dob), _iso(person.dlc),
        f"{person.city}, {person.state} {person.zip}", f"state:{person.state}",
        circumstances, _NOTES.get(category, ""), ori, oca_of(person),
    ]  # fmt: skip


def write_registry_csv(
    people: Iterable[Person], path: Path, *, oris: Sequence[str] = DEFAULT_ORIS
) -> int:
    """The people as the registry imports them (``beacon import records``): one record
    each, the agency taken in turn from ``oris``, the OCA from the pid. Rows written."""
    count = 0
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(REGISTRY_COLUMNS)
        for person in people:
            out.writerow(registry_row(person, oris[person.pid % len(oris)]))
            count += 1
    return count


def write_linkage_csv(rows: Iterable[Row], path: Path, *, truth: Path | None = None) -> int:
    """A linkage list (no ground truth in it) and, if ``truth`` is given, its truth
    file: record_id, cluster_id and the planted errors (``kind:field`` joined by ``|``)."""
    count = 0
    with ExitStack() as stack:
        out = csv.writer(stack.enter_context(Path(path).open("w", newline="", encoding="utf-8")))
        out.writerow(LINKAGE_COLUMNS)
        key = None
        if truth is not None:
            key = csv.writer(
                stack.enter_context(Path(truth).open("w", newline="", encoding="utf-8"))
            )
            key.writerow(("record_id", "cluster_id", "errors"))
        for row in rows:
            out.writerow(
                [
                    row.record_id, row.first_name, row.middle_name, row.last_name,
                    row.sex, _iso(row.dob), row.city, row.state, row.zip,
                ]
            )  # fmt: skip
            if key:
                key.writerow((row.record_id, row.cluster_id, "|".join(map(str, row.errors))))
            count += 1
    return count


def write_queries_csv(queries: Iterable[Query], path: Path) -> int:
    """Queries with their truth: the fields, the pid sought and the planted errors."""
    count = 0
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            ("pid", "first_name", "middle_name", "last_name", "sex", "dob", "city", "state",
             "zip", "kinds", "errors")
        )  # fmt: skip
        for q in queries:
            out.writerow(
                [
                    q.pid, q.first_name, q.middle_name, q.last_name, q.sex, _iso(q.dob),
                    q.city, q.state, q.zip, "|".join(q.kinds), "|".join(map(str, q.errors)),
                ]
            )  # fmt: skip
            count += 1
    return count
