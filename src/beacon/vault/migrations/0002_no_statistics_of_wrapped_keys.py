"""PostgreSQL's ANALYZE (autovacuum runs it) copies sample column values into the
pg_statistic catalog: a wrapped agency key would stay there after the key is destroyed.
The column gets no statistics (nothing queries by it); earlier ones are removed where
the database account may (a superuser), otherwise the next master key rotation makes
them useless."""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError, migrations, transaction


def no_statistics(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("ALTER TABLE vault_agencykey ALTER COLUMN wrapped SET STATISTICS 0")
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                cursor.execute(
                    "DELETE FROM pg_statistic WHERE starelid = 'vault_agencykey'::regclass"
                )
        except DatabaseError:
            pass  # not a superuser: rotate the master key after destroying a key


class Migration(migrations.Migration):
    dependencies = [("vault", "0001_initial")]
    operations = [migrations.RunPython(no_statistics, migrations.RunPython.noop)]
