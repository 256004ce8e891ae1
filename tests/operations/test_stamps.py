"""The stamp triggers exist on every table an operation's figures read, and come back
after a migration that rebuilt a table (SQLite drops a rebuilt table's triggers)."""

from __future__ import annotations

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection

from beacon.operations import stamps

pytestmark = pytest.mark.django_db


def _expected() -> set[str]:
    present = set(connection.introspection.table_names())
    names = set()
    for table in stamps.tables():
        if table not in present:
            continue
        if connection.vendor == "postgresql":
            names.add(f"opstamp_{table}")
        elif table == stamps.RECORD:
            names.add(f"opstamp_{table}_update")
        else:
            names |= {f"opstamp_{table}_{e}" for e in ("insert", "update", "delete")}
    return names


def test_every_table_behind_the_figures_has_its_trigger() -> None:
    expected = _expected()
    assert (
        f"opstamp_operations_arrest{'' if connection.vendor == 'postgresql' else '_insert'}"
        in expected
    )
    assert expected <= stamps.installed(connection)


def test_triggers_a_migration_dropped_come_back_after_migrate() -> None:
    with connection.cursor() as cursor:
        for statement in stamps.drop_sql(connection.vendor, "operations_arrest"):
            cursor.execute(statement)
    assert not _expected() <= stamps.installed(connection)
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    assert _expected() <= stamps.installed(connection)
