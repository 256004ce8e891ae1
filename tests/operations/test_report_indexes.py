"""A report counts an operation's events from indexes, not from the events' rows.

The grouped counts behind a report (reports.facts) read, for each kind of field event,
only columns its ``<kind>_report`` index holds; the NIBRS summary counts the people
arrested from ``arrest_people``. An operation of 100,000 events then reports in budget
(bench/reports.py). These tests read each database's plan: a column added to a count
without its index, or an index dropped, shows here as a read of the table.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from beacon.interchange.nibrs import summarise_offenses
from beacon.operations.reports.facts import _sql

pytestmark = pytest.mark.django_db

KINDS = (
    "arrest",
    "victim",
    "service",
    "searchwarrant",
    "raid",
    "investigation",
    "seizure",
    "referral",
)


def _plan(sql: str, params: list[object]) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The test tables are nearly empty, where a scan is cheapest: ask for the plan
            # PostgreSQL would choose on a large table.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())


def _reads(plan: str, table: str) -> list[str]:
    """The plan's lines that read ``table`` (a scan or search of it, by whatever means)."""
    read = (
        rf"Scan\b.* on {table}\b"
        if connection.vendor == "postgresql"
        else rf"(SCAN|SEARCH) {table}\b"
    )
    return [line for line in plan.splitlines() if re.search(read, line)]


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_of_event_is_counted_from_its_index_alone(kind: str) -> None:
    sql = _sql(connection.vendor).replace("{ids}", "%s")
    plan = _plan(sql, [1] * (sql.count("%s")))
    reads = _reads(plan, f"operations_{kind}")
    assert reads, plan
    for line in reads:
        if connection.vendor == "postgresql":
            assert f"Index Only Scan using {kind}_report" in line, plan
        else:
            assert f"USING COVERING INDEX {kind}_report" in line, plan


def test_the_people_arrested_are_counted_from_an_index_alone() -> None:
    with CaptureQueriesContext(connection) as captured:
        summarise_offenses("OP-1", [1])
    (sql,) = [q["sql"] for q in captured.captured_queries if "COUNT(DISTINCT" in q["sql"]]
    plan = _plan(sql, [])
    reads = _reads(plan, "operations_arrest")
    assert reads, plan
    for line in reads:
        if connection.vendor == "postgresql":
            assert "Index Only Scan using arrest_people" in line, plan
        else:
            assert "USING COVERING INDEX arrest_people" in line, plan
