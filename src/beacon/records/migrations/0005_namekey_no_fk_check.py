"""The search-key table keeps no database foreign key (derived rows, written with their
record in its transaction); a bulk import then skips one check per key row.

SQLite: the WITHOUT ROWID table of 0004 is rebuilt without the REFERENCES clause
(Django's own table rebuild would lose WITHOUT ROWID). PostgreSQL: the constraint is
dropped.
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

SQLITE_TABLE = """
CREATE TABLE records_namekey_new (
    key bigint NOT NULL,
    record_id bigint NOT NULL,
    PRIMARY KEY (key, record_id)
) WITHOUT ROWID
"""


def drop_fk(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_TABLE)
        schema_editor.execute(
            "INSERT INTO records_namekey_new (key, record_id) SELECT key, record_id FROM records_namekey"
        )
        schema_editor.execute("DROP TABLE records_namekey")
        schema_editor.execute("ALTER TABLE records_namekey_new RENAME TO records_namekey")
        return
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "records_namekey")
    for name, info in constraints.items():
        if info.get("foreign_key"):
            schema_editor.execute(f'ALTER TABLE records_namekey DROP CONSTRAINT "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0004_namekey_clustered"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="namekey",
                    name="record",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="records.missingpersonrecord",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_fk, migrations.RunPython.noop)],
        ),
    ]
