"""Two record-table indexes made partial: each was one more B-tree insert per imported
record, for rows no query of theirs ever reads (docs/registry-performance.md).

- ``(status, category)`` served only ``due_records``' late juvenile entries; replaced by
  ``(status, entry_due_at) WHERE entry_due_at < entered_at``: only the records entered
  after their entry deadline. The condition compares two columns, so it is in the
  query's SQL as written (``entry_due_at__lt=F("entered_at")``) and SQLite can use the
  index (it cannot prove a partial index's condition from a bound value, such as the
  category's).
- ``jurisdiction_last_seen_id``: its one query is the PROTECT check when a jurisdiction
  is deleted (``= id`` / ``IN (...)``, which imply ``IS NOT NULL``); now only the records
  that have a place. The old index is dropped by name (an AlterField of the column would
  rebuild the whole table on SQLite).
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

TABLE = "records_missingpersonrecord"
COLUMN = "jurisdiction_last_seen_id"
OLD_INDEX = "records_missingpersonrecord_jurisdiction_last_seen_id_whole"


def drop_whole_index(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    for name, info in constraints.items():
        if (
            info.get("columns") == [COLUMN]
            and info.get("index")
            and not info.get("unique")
            and name != "record_jurisdiction_seen"
        ):
            schema_editor.execute(f'DROP INDEX "{name}"')


def create_whole_index(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute(f'CREATE INDEX "{OLD_INDEX}" ON {TABLE} ("{COLUMN}")')


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0002_load_jurisdictions"),
        ("records", "0006_record_fewer_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="missingpersonrecord",
            name="records_mis_status_3325f1_idx",
        ),
        migrations.AddIndex(
            model_name="missingpersonrecord",
            index=models.Index(
                condition=models.Q(("entry_due_at__lt", models.F("entered_at"))),
                fields=["status", "entry_due_at"],
                name="record_late_entry",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="missingpersonrecord",
                    name="jurisdiction_last_seen",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="agencies.jurisdiction",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_whole_index, create_whole_index)],
        ),
        migrations.AddIndex(
            model_name="missingpersonrecord",
            index=models.Index(
                condition=models.Q(("jurisdiction_last_seen__isnull", False)),
                fields=["jurisdiction_last_seen"],
                name="record_jurisdiction_seen",
            ),
        ),
    ]
