"""Search keys for a name alone (L, F) and for the names with the day and month of birth
(NMD), and an index on alias DOBs (the search reads the records born on a day).

The key table holds derived data only: it is rebuilt from the records' names and DOBs
(nothing to do on a fresh database).
"""

from typing import Any

from django.db import migrations, models


def rebuild(apps: Any, schema_editor: Any) -> None:
    from beacon.records.indexing import rebuild_all_keys

    if apps.get_model("records", "MissingPersonRecord").objects.exists():
        rebuild_all_keys(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0007_record_partial_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="recorddob",
            index=models.Index(fields=["dob"], name="records_recorddob_dob"),
        ),
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
