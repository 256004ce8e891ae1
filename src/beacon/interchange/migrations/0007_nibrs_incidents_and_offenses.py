"""NIBRS incidents and offences now belong to operations (its 0009 takes them over in
the same tables): interchange forgets them, state only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("interchange", "0006_offense_clearance_on_incident"),
        ("operations", "0009_nibrs_incidents_and_offenses"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name="offense",
                    name="incident",
                ),
                migrations.RemoveField(
                    model_name="offense",
                    name="operation",
                ),
                migrations.DeleteModel(
                    name="Incident",
                ),
                migrations.DeleteModel(
                    name="Offense",
                ),
            ],
        ),
    ]
