"""Deadlines as data: what ``records due`` lists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from beacon.core.actor import Actor
from beacon.records import deadlines, services
from beacon.records.models import MissingPersonRecord

from .test_import import plan_of, statements_of

Enter = Callable[..., MissingPersonRecord]


def test_deadline_rules_are_data() -> None:
    assert deadlines.ENTRY.due_after == timedelta(hours=2)
    assert (deadlines.FIRST_VALIDATION.opens_after, deadlines.FIRST_VALIDATION.due_after) == (
        timedelta(days=60),
        timedelta(days=90),
    )
    assert deadlines.YEARLY_VALIDATION.due_after == timedelta(days=365)
    assert deadlines.entry_due_at("EMO", timezone.now()) is None


def test_due_lists_late_validation_and_late_juvenile_entry(
    enter: Enter, investigator_a: Actor
) -> None:
    fine = enter(oca="OK-1")
    late_entry = enter(oca="LATE-1", reported_at=timezone.now() - timedelta(hours=6))
    unvalidated = enter(oca="OLD-1")
    later = timezone.now() + timedelta(days=100)
    items = services.due_records(investigator_a, now=later)
    found = {(i.nic, i.rule) for i in items}
    assert (unvalidated.nic, "validation") in found
    assert (late_entry.nic, "entry") in found
    assert (fine.nic, "entry") not in found
    entry = next(i for i in items if i.rule == "entry")
    assert timedelta(hours=3, minutes=59) < entry.overdue_by < timedelta(hours=4, minutes=1)


def test_validation_and_closing_remove_a_record_from_due(
    enter: Enter, investigator_a: Actor
) -> None:
    validated = enter(oca="V-1")
    cleared = enter(oca="C-1")
    services.validate_record(investigator_a, validated.nic)
    services.clear_record(investigator_a, cleared.nic, how="returned_to_guardian")
    later = timezone.now() + timedelta(days=100)
    assert services.due_records(investigator_a, now=later) == []


def test_late_juvenile_entries_are_read_through_their_partial_index(
    enter: Enter, investigator_a: Actor
) -> None:
    """The (status, category) index cost every imported record a B-tree insert; the late
    entries are read through an index holding only them (its condition compares two
    columns, so it is in the query's SQL as written: SQLite can use it)."""
    enter(oca="LATE-1", reported_at=timezone.now() - timedelta(hours=6))
    statements = statements_of(lambda: services.due_records(investigator_a))
    late = [(sql, p) for sql, p in statements if '"entry_due_at" <' in sql and "SELECT" in sql]
    assert len(late) == 1, statements
    plan = plan_of(*late[0])
    assert "record_late_entry" in plan, plan
