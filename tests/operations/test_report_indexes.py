"""A report counts an operation's events from indexes, not from the events' rows.

The grouped counts behind a report (reports.facts) read, for each kind of field event,
only columns its ``<kind>_report`` index holds; the NIBRS summary counts the people
arrested from ``arrest_people``. An operation of 100,000 events then reports in budget
(bench/reports.py). A column added to a count without its index, or an index dropped,
shows here as a read of the table.

SQLite has no statistics here, so its plan is the one it uses on a large table: the test
reads it. PostgreSQL picks between indexes by the statistics of nearly empty test tables
(and a plain index scan there outputs the whole row), so for both databases the test also
checks what makes PostgreSQL's index-only scan possible on a large, vacuumed table (the
bench's): every column of the table the statement names is in the index.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from beacon.operations.nibrs import summarise_offenses
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


def _sqlite_plan(sql: str, params: list[object]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return [" ".join(str(c) for c in row) for row in cursor.fetchall()]


def _index_columns(table: str, index: str) -> list[str]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    assert index in found, f"no index {index} on {table}"
    return list(found[index]["columns"])


def _read_from_index_alone(sql: str, params: list[object], table: str, index: str) -> None:
    columns = _index_columns(table, index)
    assert columns[0] == "operation_id"  # an operation's rows are one range of the index
    quote = connection.ops.quote_name
    named = set(re.findall(rf"{re.escape(quote(table))}\.\"?(\w+)", sql))
    assert named, sql
    assert named <= set(columns), f"{table}: {sorted(named - set(columns))} not in {index}"
    if connection.vendor == "sqlite":
        plan = _sqlite_plan(sql, params)
        reads = [line for line in plan if re.search(rf"(SCAN|SEARCH) {table}\b", line)]
        assert reads, "\n".join(plan)
        for line in reads:
            assert f"USING COVERING INDEX {index}" in line, "\n".join(plan)


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_of_event_is_counted_from_its_index_alone(kind: str) -> None:
    sql = _sql(connection.vendor).replace("{ids}", "%s")
    _read_from_index_alone(sql, [1] * sql.count("%s"), f"operations_{kind}", f"{kind}_report")


def test_the_people_arrested_are_counted_from_an_index_alone() -> None:
    with CaptureQueriesContext(connection) as captured:
        summarise_offenses("OP-1", [1])
    (sql,) = [q["sql"] for q in captured.captured_queries if "COUNT(DISTINCT" in q["sql"]]
    _read_from_index_alone(sql, [], "operations_arrest", "arrest_people")
