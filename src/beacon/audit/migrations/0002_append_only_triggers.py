from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from beacon.audit.triggers import create_sql, drop_sql


def install(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # The chain head exists from the start, so the first writers lock a real row.
    apps.get_model("audit", "ChainHead").objects.get_or_create(id=1)
    for statement in create_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def remove(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
