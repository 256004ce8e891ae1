"""The search-key table becomes clustered on (key, record), with no surrogate id.

On SQLite the table is rebuilt WITHOUT ROWID, so the (key, record) primary key is the
table itself: one B-tree per key row instead of a table plus an index (half the writes
of a bulk import, and lookups read only the index). The table holds derived data only,
rebuilt from the records' names and DOBs; it is empty when this migration runs on a
fresh database and re-filled below otherwise.
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

SQLITE_TABLE = """
CREATE TABLE records_namekey (
    key bigint NOT NULL,
    record_id bigint NOT NULL
        REFERENCES records_missingpersonrecord (id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (key, record_id)
) WITHOUT ROWID
"""


def cluster(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE records_namekey")
        schema_editor.execute(SQLITE_TABLE)
    from beacon.records.indexing import rebuild_all_keys

    rebuild_all_keys(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0003_load_name_variants"),
    ]

    operations = [
        migrations.DeleteModel(name="NameKey"),
        migrations.CreateModel(
            name="NameKey",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "key",
                        "record",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("key", models.BigIntegerField()),
                (
                    "record",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="records.missingpersonrecord",
                    ),
                ),
            ],
        ),
        migrations.AlterField(
            model_name="recordtransaction",
            name="record",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="transactions",
                to="records.missingpersonrecord",
            ),
        ),
        migrations.RunPython(cluster, migrations.RunPython.noop),
    ]
