"""Each operation's last change, kept by the database itself.

A dashboard asks "has anything behind these figures changed?" many times a second; the
answer must not cost an aggregate per viewer. So every write an operation's report reads
(field events, targets and outcomes, reported figures and counts, participations, the
operation's own row and places, NIBRS offences, and a target's registry record: its date
of birth and place last seen) moves that operation's ``OperationStamp`` forward, in the
same statement, by an AFTER trigger on the table. No code path can forget it: services,
imports, amendments, bulk writes, raw SQL and the admin all go through the table.

A report covers a family (the operation, its sub-operations, the other editions of its
series: beacon.operations.reports.compute._family), so a viewer's version is the SUM of
its family's stamps: each only grows, so the sum grows whenever any of them does. A
field entry locks one row (its own operation's stamp) until it commits; a hub's parent
row is not written by its sub-operations' entries, so they do not queue on it.
Installed by migration operations 0008_operation_stamp on SQLite and PostgreSQL, and again
after every ``migrate`` (``install``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Max, Q, Sum

from beacon.operations.models import Operation, OperationStamp

STAMP = "operations_operationstamp"
OPERATION = "operations_operation"
TARGET = "operations_target"

# table -> which operations a row concerns ({r} is NEW or OLD), as a condition on ``o``,
# a row of the operations table.
_DIRECT = "o.id = {r}.operation_id"
WATCHED: dict[str, str] = {
    **{
        f"operations_{name}": _DIRECT
        for name in (
            "arrest",
            "victim",
            "searchwarrant",
            "raid",
            "seizure",
            "service",
            "referral",
            "investigation",
            "count",
            "participation",
            "target",
            "operation_jurisdictions",
        )
    },
    "interchange_offense": _DIRECT,
    "interchange_incident": _DIRECT,  # NIBRS incidents (where the interchange app has them)
    "operations_reportedfigure": "o.id = {r}.operation_id OR o.series_id = {r}.series_id",
    "operations_outcome": f"o.id = (SELECT t.operation_id FROM {TARGET} t WHERE t.id = {{r}}.target_id)",
    # Joining or leaving a hub or a series changes both families.
    OPERATION: "o.id = {r}.id OR o.id = {r}.parent_id OR o.series_id = {r}.series_id",
}
# Registry records: only an edit of what a report reads (a new record has no target yet,
# so a bulk import of records never runs a trigger).
RECORD = "records_missingpersonrecord"
RECORD_CONDITION = f"o.id IN (SELECT t.operation_id FROM {TARGET} t WHERE t.record_id = {{r}}.id)"
RECORD_COLUMNS = ("dob", "jurisdiction_last_seen_id")


def _upsert(condition: str, now: str, order: str = "") -> str:
    return (
        f"INSERT INTO {STAMP} (operation_id, version, changed_at) "
        f"SELECT o.id, 1, {now} FROM {OPERATION} o WHERE {condition}{order} "
        f"ON CONFLICT (operation_id) DO UPDATE SET version = {STAMP}.version + 1, "
        "changed_at = excluded.changed_at"
    )


def _sqlite_create(table: str) -> list[str]:
    now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    if table == RECORD:
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in RECORD_COLUMNS)
        return [
            f"CREATE TRIGGER IF NOT EXISTS opstamp_{RECORD}_update AFTER UPDATE ON {RECORD} "
            f"WHEN {changed} BEGIN {_upsert(RECORD_CONDITION.format(r='NEW'), now)}; END"
        ]
    condition = WATCHED[table]
    new, old = condition.format(r="NEW"), condition.format(r="OLD")
    return [
        f"CREATE TRIGGER IF NOT EXISTS opstamp_{table}_{event.lower()} AFTER {event} "
        f"ON {table} BEGIN {_upsert(cond, now)}; END"
        for event, cond in (("INSERT", new), ("UPDATE", f"({new}) OR ({old})"), ("DELETE", old))
    ]


def _sqlite_drop(table: str) -> list[str]:
    events = ("update",) if table == RECORD else ("insert", "update", "delete")
    return [f"DROP TRIGGER IF EXISTS opstamp_{table}_{e}" for e in events]


def _pg_function(name: str, body: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN {body} RETURN NULL; END $$"
    )


def _pg_create(table: str) -> list[str]:
    now, order = "now()", " ORDER BY o.id"  # one lock order for rows stamped together
    if table == RECORD:
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in RECORD_COLUMNS)
        return [
            _pg_function(
                f"opstamp_{RECORD}", f"{_upsert(RECORD_CONDITION.format(r='NEW'), now, order)};"
            ),
            f"DROP TRIGGER IF EXISTS opstamp_{RECORD} ON {RECORD}",
            f"CREATE TRIGGER opstamp_{RECORD} AFTER UPDATE ON {RECORD} FOR EACH ROW "
            f"WHEN ({changed}) EXECUTE FUNCTION opstamp_{RECORD}()",
        ]
    condition = WATCHED[table]
    new, old = condition.format(r="NEW"), condition.format(r="OLD")
    body = (
        f"IF TG_OP = 'INSERT' THEN {_upsert(new, now, order)}; "
        f"ELSIF TG_OP = 'UPDATE' THEN {_upsert(f'({new}) OR ({old})', now, order)}; "
        f"ELSE {_upsert(old, now, order)}; END IF;"
    )
    return [
        _pg_function(f"opstamp_{table}", body),
        f"DROP TRIGGER IF EXISTS opstamp_{table} ON {table}",
        f"CREATE TRIGGER opstamp_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION opstamp_{table}()",
    ]


def _pg_drop(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS opstamp_{table} ON {table}",
        f"DROP FUNCTION IF EXISTS opstamp_{table}()",
    ]


def tables() -> list[str]:
    return [*WATCHED, RECORD]


def create_sql(vendor: str, table: str) -> list[str]:
    return _pg_create(table) if vendor == "postgresql" else _sqlite_create(table)


def drop_sql(vendor: str, table: str) -> list[str]:
    return _pg_drop(table) if vendor == "postgresql" else _sqlite_drop(table)


def install(connection: BaseDatabaseWrapper) -> list[str]:
    """(Re)install the triggers on every watched table that exists; returns those tables.

    Run by migration 0006 and after every ``migrate`` (apps.py, post_migrate): a later
    migration that rebuilds a table (SQLite does, to alter one) drops its triggers, and
    a table another app adds later (an NIBRS incident) gets its trigger then."""
    present = set(connection.introspection.table_names())
    done = [t for t in tables() if t in present and STAMP in present]
    with connection.cursor() as cursor:
        for table in done:
            for statement in create_sql(connection.vendor, table):
                cursor.execute(statement)
    return done


def installed(connection: BaseDatabaseWrapper) -> set[str]:
    """Names of the stamp triggers the database holds."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'opstamp_%%'")
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'opstamp_%'"
            )
        return {str(row[0]) for row in cursor.fetchall()}


@dataclass(frozen=True)
class Version:
    """A family's version: grows with every change behind its figures."""

    number: int
    changed_at: datetime | None


def family_ids(root: Operation) -> list[int]:
    """The operations a report of ``root`` reads (as reports.compute._family)."""
    scope = Q(pk=root.pk) | Q(parent_id=root.pk)
    if root.series_id:
        scope |= Q(series_id=root.series_id)
    return sorted(Operation.objects.filter(scope).values_list("pk", flat=True))


def version_of(operation_ids: list[int]) -> Version:
    """One statement: the sum of the family's stamps and the latest change."""
    row = OperationStamp.objects.filter(operation_id__in=operation_ids).aggregate(
        n=Sum("version"), at=Max("changed_at")
    )
    return Version(int(row["n"] or 0), row["at"])
