"""A small helper that assembles a bundle document row by row, with synthetic people."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from beacon.operations.bundles import FORMAT, VERSION

LAST_NAMES = (
    "Testperson",
    "Sampleton",
    "Demoson",
    "Fakename",
    "Mockley",
    "Placeholder",
    "Dummyton",
    "Examplar",
    "Fictitia",
    "Synthetico",
)
FIRST_NAMES = (
    "Alex",
    "Sam",
    "Jordan",
    "Casey",
    "Riley",
    "Taylor",
    "Morgan",
    "Jamie",
    "Avery",
    "Quinn",
    "Robin",
    "Drew",
)


def at(day: date, hour: int = 10, minute: int = 0) -> str:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC).isoformat()


class BundleBuilder:
    def __init__(self, seed: int, prefix: str) -> None:
        self.rng = random.Random(seed)  # deterministic: the same bundle on every run
        self.prefix = prefix
        self.doc: dict[str, Any] = {"format": FORMAT, "version": VERSION}
        for key in [
            "agencies",
            "series",
            "operations",
            "people",
            "records",
            "targets",
            "outcomes",
            "leads",
            "hit_confirmations",
            "victims",
            "arrests",
            "search_warrants",
            "raids",
            "seizures",
            "services",
            "referrals",
            "investigations",
            "reported_figures",
        ]:
            self.doc[key] = []
        self._counters: dict[str, int] = {}

    def next_ref(self, kind: str) -> str:
        self._counters[kind] = self._counters.get(kind, 0) + 1
        return f"{self.prefix}-{kind}-{self._counters[kind]:04d}"

    def agency(
        self,
        ori: str,
        name: str,
        kind: str,
        *,
        jurisdiction: str | None = None,
        parent: str | None = None,
        short_name: str = "",
    ) -> str:
        self.doc["agencies"].append(
            {
                "ori": ori,
                "name": name,
                "short_name": short_name,
                "kind": kind,
                "parent": parent,
                "jurisdiction": jurisdiction,
            }
        )
        return ori

    def operation(self, **row: Any) -> str:
        row.setdefault("description", "")
        row.setdefault("focus", [])
        row.setdefault("participants", [])
        row.setdefault("jurisdictions", [])
        self.doc["operations"].append(row)
        return str(row["code"])

    def person(
        self, *, sex: str | None = None, dob: date | None = None, nationality: str | None = None
    ) -> str:
        ref = self.next_ref("person")
        self.doc["people"].append(
            {
                "ref": ref,
                "last_name": self.rng.choice(LAST_NAMES),
                "first_name": self.rng.choice(FIRST_NAMES),
                "sex": sex or self.rng.choice("MF"),
                "dob": dob.isoformat() if dob else None,
                "nationality": nationality,
            }
        )
        return ref

    def person_row(self, ref: str) -> dict[str, Any]:
        return next(p for p in self.doc["people"] if p["ref"] == ref)

    def event(self, section: str, operation: str, **row: Any) -> str:
        ref = self.next_ref(section.rstrip("s"))
        self.doc[section].append({"ref": ref, "operation": operation, **row})
        return ref

    def figure(self, metric: str, value: float, **row: Any) -> str:
        ref = self.next_ref("figure")
        row.setdefault("scope", "operation")
        self.doc["reported_figures"].append({"ref": ref, "metric": metric, "value": value, **row})
        return ref

    def day_between(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randint(0, (end - start).days))
