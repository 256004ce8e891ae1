"""Load the shipped name-variant table (beacon/records/data/name_variants.csv)."""

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from beacon.records.variants import read_data_file

    NameVariant = apps.get_model("records", "NameVariant")
    pairs = sorted(set(read_data_file()))
    existing = set(NameVariant.objects.values_list("variant", "canonical"))
    NameVariant.objects.bulk_create(
        [NameVariant(variant=v, canonical=c) for v, c in pairs if (v, c) not in existing],
        batch_size=500,
    )


def unload(apps: Any, schema_editor: Any) -> None:
    apps.get_model("records", "NameVariant").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0002_deadlines_search_index"),
    ]

    operations = [migrations.RunPython(load, unload)]
