"""OperationStamp and the triggers that move it (beacon.operations.stamps)."""

from __future__ import annotations

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.utils import timezone

from beacon.operations import stamps


def install(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    now = timezone.now()
    stamp = apps.get_model("operations", "OperationStamp")
    operations = apps.get_model("operations", "Operation").objects.values_list("pk", flat=True)
    stamp.objects.bulk_create(
        [stamp(operation_id=pk, version=1, changed_at=now) for pk in operations]
    )
    stamps.install(schema_editor.connection)


def remove(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    present = set(schema_editor.connection.introspection.table_names())
    for table in stamps.tables():
        if table in present:
            for statement in stamps.drop_sql(schema_editor.connection.vendor, table):
                schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0007_outcome_withdrawal_and_corrections"),
        # Their tables carry triggers too (an offence, a NIBRS incident, a target's
        # registry record).
        ("interchange", "0006_offense_clearance_on_incident"),
        ("records", "0009_transaction_reopen"),
    ]

    operations = [
        migrations.CreateModel(
            name="OperationStamp",
            fields=[
                ("operation_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("version", models.BigIntegerField(default=1)),
                ("changed_at", models.DateTimeField()),
            ],
        ),
        migrations.RunPython(install, remove),
    ]
