"""Database triggers that refuse UPDATE and DELETE on the audit table.

Beacon's model already refuses; these make the database itself refuse, for any
code path (raw SQL, a bug, a compromised web process without DDL rights).
Installed by migration 0002 on SQLite and PostgreSQL.
"""

from __future__ import annotations

TABLE = "audit_auditevent"

_SQLITE_CREATE = [
    f"CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END",
    f"CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused'); END",
]
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
]
_PG_CREATE = [
    "CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION USING MESSAGE = 'audit events are append-only: ' || TG_OP "
    "|| ' refused', ERRCODE = 'insufficient_privilege'; END $$",
    f"DROP TRIGGER IF EXISTS audit_event_append_only ON {TABLE}",
    f"CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
    f"DROP TRIGGER IF EXISTS audit_event_no_truncate ON {TABLE}",
    f"CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()",
]
_PG_DROP = [
    f"DROP TRIGGER IF EXISTS audit_event_append_only ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_event_no_truncate ON {TABLE}",
]


def create_sql(vendor: str) -> list[str]:
    return list(_PG_CREATE if vendor == "postgresql" else _SQLITE_CREATE)


def drop_sql(vendor: str) -> list[str]:
    return list(_PG_DROP if vendor == "postgresql" else _SQLITE_DROP)
