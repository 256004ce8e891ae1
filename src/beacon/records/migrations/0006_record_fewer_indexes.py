"""Two record-table indexes no query uses, each one more B-tree insert per imported record.

- ``originating_agency_id`` alone: the unique (originating_agency, oca) constraint's index
  serves every lookup by agency (its leading column), the need-to-know policy's included.
- PostgreSQL only: the ``nic ... varchar_pattern_ops`` index Django adds beside the unique
  index of a CharField, for ``LIKE 'prefix%'``; NICs are only ever looked up by equality
  (the unique index serves those). Django does not track it in the migration state; an
  AlterField of ``nic`` would create it again (drop it the same way).
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

TABLE = "records_missingpersonrecord"
LIKE_INDEX = "records_missingpersonrecord_nic_9a3acd7e_like"


def drop_nic_like(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    for name, info in constraints.items():
        if name.endswith("_like") and info.get("columns") == ["nic"] and info.get("index"):
            schema_editor.execute(f'DROP INDEX "{name}"')


def create_nic_like(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{LIKE_INDEX}" ON {TABLE} (nic varchar_pattern_ops)'
    )


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0002_load_jurisdictions"),
        ("records", "0005_namekey_no_fk_check"),
    ]

    operations = [
        migrations.AlterField(
            model_name="missingpersonrecord",
            name="originating_agency",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="records",
                to="agencies.agency",
            ),
        ),
        migrations.RunPython(drop_nic_like, create_nic_like),
    ]
