"""A tally of one cell (operation x jurisdiction) of results, and how cells add up."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

# Metric names of the JSON contract (counts and sums), in display order.
COUNTS = (
    "targets",
    "recovered",
    "located",
    "outstanding",
    "located_abroad",
    "arrests",
    "warrants_served",
    "victims_rescued",
    "victims_minor",
    "victims_adult",
    "medical_services",
    "screenings",
    "services",
    "search_warrants",
    "raids",
    "investigations_opened",
    "referrals",
    "devices_seized",
    "files_seized",
)
BREAKDOWNS = (
    "arrests_by_role",
    "investigations_by_type",
    "investigations_by_agency",
    "located_abroad_by_country",
    "referrals_by_agency",
    "raids_by_kind",
    "services_by_kind",
    "cash_seized_by_currency",
)
AGES = ("victim_age_min", "victim_age_max", "victim_age_mean", "target_age_min", "target_age_max")
METRICS = (*COUNTS, "cash_seized", *AGES)


def age_on(dob: date, day: date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def number(value: Decimal | float | int) -> int | float:
    """JSON number: whole values as int."""
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    value = Decimal(str(value))
    return int(value) if value == value.to_integral_value() else float(round(value, 2))


@dataclass
class Tally:
    counts: Counter[str] = field(default_factory=Counter)
    breakdowns: dict[str, Counter[str]] = field(
        default_factory=lambda: {name: Counter() for name in BREAKDOWNS}
    )
    cash: Decimal = Decimal(0)
    victim_age_min: int | None = None
    victim_age_max: int | None = None
    victim_age_sum: float = 0.0
    victim_age_count: int = 0
    target_age_min: int | None = None
    target_age_max: int | None = None

    def add(self, other: Tally) -> Tally:
        self.counts.update(other.counts)
        for name, counter in other.breakdowns.items():
            if counter:  # most cells have none of most breakdowns
                self.breakdowns[name].update(counter)
        self.cash += other.cash
        self.victim_age_sum += other.victim_age_sum
        self.victim_age_count += other.victim_age_count
        self.see_victim_ages(other.victim_age_min, other.victim_age_max)
        self.see_target_ages(other.target_age_min, other.target_age_max)
        return self

    def see_victim_ages(self, low: int | None, high: int | None) -> None:
        if low is not None:
            self.victim_age_min = (
                low if self.victim_age_min is None else min(self.victim_age_min, low)
            )
        if high is not None:
            self.victim_age_max = (
                high if self.victim_age_max is None else max(self.victim_age_max, high)
            )

    def see_target_ages(self, low: int | None, high: int | None) -> None:
        if low is not None:
            self.target_age_min = (
                low if self.target_age_min is None else min(self.target_age_min, low)
            )
        if high is not None:
            self.target_age_max = (
                high if self.target_age_max is None else max(self.target_age_max, high)
            )

    def metrics(self) -> dict[str, Any]:
        out: dict[str, Any] = {name: int(self.counts[name]) for name in COUNTS}
        out["cash_seized"] = number(self.cash)
        out["victim_age_min"] = self.victim_age_min
        out["victim_age_max"] = self.victim_age_max
        out["victim_age_mean"] = (
            round(self.victim_age_sum / self.victim_age_count, 1) if self.victim_age_count else None
        )
        out["target_age_min"] = self.target_age_min
        out["target_age_max"] = self.target_age_max
        for name, counter in self.breakdowns.items():
            out[name] = {key: number(value) for key, value in sorted(counter.items()) if value}
        return out


def total(tallies: list[Tally]) -> Tally:
    result = Tally()
    for tally in tallies:
        result.add(tally)
    return result
