"""An offence's clearance is its incident's: the offence's own columns go (see 0005)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("interchange", "0005_nibrs_incident")]

    operations = [
        migrations.RemoveField(model_name="offense", name="arrests"),
        migrations.RemoveField(model_name="offense", name="clearance"),
        migrations.RemoveField(model_name="offense", name="cleared_on"),
        migrations.RemoveField(model_name="offense", name="investigation"),
        migrations.AlterField(
            model_name="offense",
            name="incident",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="offenses",
                to="interchange.incident",
            ),
        ),
    ]
