"""Load countries, US states and counties from the installed data packages."""

from django.db import migrations


def load(apps, schema_editor):
    from beacon.agencies.jurisdiction_loader import load as load_all

    load_all(apps)


class Migration(migrations.Migration):
    dependencies = [("agencies", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
