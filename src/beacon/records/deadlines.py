"""Deadlines as data: when a record must be entered and validated, and what is overdue.

NCIC: a missing juvenile is entered within 2 hours of the report; a record is first
validated 60 to 90 days after entry, then every year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from beacon.records import codes


@dataclass(frozen=True)
class DeadlineRule:
    name: str
    description: str
    categories: frozenset[str]  # empty: every category
    opens_after: timedelta
    due_after: timedelta


ALL: frozenset[str] = frozenset()

ENTRY = DeadlineRule(
    "entry",
    "enter a missing juvenile within 2 hours of the report",
    frozenset({codes.Category.JUVENILE}),
    timedelta(0),
    timedelta(hours=2),
)
FIRST_VALIDATION = DeadlineRule(
    "first_validation",
    "validate 60 to 90 days after entry",
    ALL,
    timedelta(days=60),
    timedelta(days=90),
)
YEARLY_VALIDATION = DeadlineRule(
    "yearly_validation",
    "validate every year after the first validation",
    ALL,
    timedelta(days=365),
    timedelta(days=365),
)
RULES = (ENTRY, FIRST_VALIDATION, YEARLY_VALIDATION)


def applies(rule: DeadlineRule, category: str) -> bool:
    return not rule.categories or category in rule.categories


def entry_due_at(category: str, reported_at: datetime | None) -> datetime | None:
    if reported_at is None or not applies(ENTRY, category):
        return None
    return reported_at + ENTRY.due_after


def first_validation_due_at(entered_at: datetime) -> datetime:
    return entered_at + FIRST_VALIDATION.due_after


def next_validation_due_at(validated_at: datetime) -> datetime:
    return validated_at + YEARLY_VALIDATION.due_after


@dataclass(frozen=True)
class DueItem:
    nic: str
    rule: str
    due_at: datetime
    overdue_by: timedelta
    originating_ori: str
    last_name: str
    first_name: str
