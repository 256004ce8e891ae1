"""Database triggers that keep the audit table append-only.

Beacon's model already refuses; these make the database itself refuse, for any
code path (raw SQL, a bug, a compromised web process without DDL rights).

An INSERT must leave the chain columns (``seq``, ``prev_hash``, ``hash``) empty: only
the chainer places an event in the chain. One UPDATE is allowed, once per event: the
chainer filling those columns of an event that has none yet, with every other column
unchanged. Any other UPDATE, any DELETE (and on PostgreSQL any TRUNCATE) is refused.
Installed by migrations 0002, 0003 and 0004 on SQLite and PostgreSQL; ``verify``
reports a missing, disabled or altered trigger (``installed_problems``).

The triggers stop Beacon's own code and an attacker without DDL rights; someone who
can drop them is stopped by the proofs (beacon.audit.chain), not by these.
"""

from __future__ import annotations

from django.db import connection

from beacon.audit.chain import EVENT_FIELDS

TABLE = "audit_auditevent"
CHAIN_COLUMNS = ("seq", "prev_hash", "hash")
# Every other column: never changed once written (a test checks this list against the model).
FIXED_COLUMNS = ("id", "mac", *EVENT_FIELDS)

_FIRST_CHAINING = " AND ".join(
    [f"OLD.{c} IS NULL" for c in CHAIN_COLUMNS]
    + [f"NEW.{c} IS NOT NULL" for c in CHAIN_COLUMNS]
    + [f"NEW.{c} IS OLD.{c}" for c in FIXED_COLUMNS]
)
_UNCHAINED_INSERT = " AND ".join(f"NEW.{c} IS NULL" for c in CHAIN_COLUMNS)
_SQLITE_CREATE = [
    f"CREATE TRIGGER IF NOT EXISTS audit_event_insert_unchained BEFORE INSERT ON {TABLE} "
    f"WHEN NOT ({_UNCHAINED_INSERT}) "
    "BEGIN SELECT RAISE(ABORT, 'audit events are written unchained: INSERT refused'); END",
    f"CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON {TABLE} "
    f"WHEN NOT ({_FIRST_CHAINING}) "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END",
    f"CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused'); END",
]
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_insert_unchained",
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
]
_PG_UNCHANGED = " ".join(f"- '{c}'" for c in CHAIN_COLUMNS)
PG_FUNCTION_BODY = (
    " BEGIN "
    f"IF TG_OP = 'INSERT' AND {_UNCHAINED_INSERT} THEN RETURN NEW; END IF; "
    "IF TG_OP = 'UPDATE' "
    + "".join(f"AND OLD.{c} IS NULL AND NEW.{c} IS NOT NULL " for c in CHAIN_COLUMNS)
    + f"AND (to_jsonb(NEW) {_PG_UNCHANGED}) = (to_jsonb(OLD) {_PG_UNCHANGED}) "
    "THEN RETURN NEW; END IF; "
    "RAISE EXCEPTION USING MESSAGE = 'audit events are append-only: ' || TG_OP "
    "|| ' refused', ERRCODE = 'insufficient_privilege'; END "
)
# pg_trigger.tgtype bits: ROW 1, BEFORE 2, INSERT 4, DELETE 8, UPDATE 16, TRUNCATE 32.
PG_TRIGGERS = {"audit_event_append_only": 1 | 2 | 4 | 8 | 16, "audit_event_no_truncate": 2 | 32}
_PG_CREATE = [
    "CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql "
    f"AS $${PG_FUNCTION_BODY}$$",
    f"DROP TRIGGER IF EXISTS audit_event_append_only ON {TABLE}",
    f"CREATE TRIGGER audit_event_append_only BEFORE INSERT OR UPDATE OR DELETE ON {TABLE} "
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


def sqlite_triggers() -> dict[str, str]:
    """Each SQLite trigger's name and the statement SQLite keeps for it."""
    found = {}
    for statement in _SQLITE_CREATE:
        name = statement.split()[5]
        found[name] = statement.replace("IF NOT EXISTS ", "")
    return found


def installed_problems() -> list[str]:
    """What is wrong with the append-only triggers (missing, disabled or altered)."""
    if connection.vendor == "postgresql":
        return _postgresql_trigger_problems()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            [TABLE],
        )
        found = {name: " ".join(sql.split()) for name, sql in cursor.fetchall()}
    problems = []
    for name, statement in sqlite_triggers().items():
        if name not in found:
            problems.append(f"append-only trigger {name} is missing (dropped)")
        elif found[name] != " ".join(statement.split()):
            problems.append(f"append-only trigger {name} was altered")
    problems += _foreign(sorted(set(found) - set(sqlite_triggers())))
    return problems


def _foreign(names: list[str], kind: str = "trigger") -> list[str]:
    """A trigger or rule that is not Beacon's: it can drop new events silently (a BEFORE
    INSERT that ignores the row, a rule DO INSTEAD NOTHING), which no proof could show,
    since the event never exists."""
    return [
        f"unknown {kind} {name} on the audit table (it can drop or alter events)" for name in names
    ]


def _postgresql_trigger_problems() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.tgname, t.tgtype, t.tgenabled, t.tgqual IS NULL, p.proname, p.prosrc "
            "FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE t.tgrelid = to_regclass(%s) AND NOT t.tgisinternal",
            [TABLE],
        )
        found = {row[0]: row[1:] for row in cursor.fetchall()}
    problems = []
    for name, tgtype in PG_TRIGGERS.items():
        if name not in found:
            problems.append(f"append-only trigger {name} is missing (dropped)")
            continue
        kind, enabled, unconditional, function, source = found[name]
        if enabled not in ("O", "A"):
            problems.append(f"append-only trigger {name} is disabled")
        if (
            kind != tgtype
            or not unconditional
            or function != "audit_refuse_change"
            or source != PG_FUNCTION_BODY
        ):
            problems.append(f"append-only trigger {name} was altered")
    problems += _foreign(sorted(set(found) - set(PG_TRIGGERS)))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.rulename FROM pg_rewrite r WHERE r.ev_class = to_regclass(%s) "
            "ORDER BY r.rulename",
            [TABLE],
        )
        problems += _foreign([row[0] for row in cursor.fetchall()], "rule")
        cursor.execute(
            "SELECT relrowsecurity OR relforcerowsecurity FROM pg_class WHERE oid = to_regclass(%s)",
            [TABLE],
        )
        row = cursor.fetchone()
    if row and row[0]:
        problems.append("row-level security is on for the audit table (it can hide events)")
    return problems
