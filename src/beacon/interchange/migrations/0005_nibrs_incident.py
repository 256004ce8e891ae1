"""NIBRS clears an incident, not each offence: offences move into incidents (0006
then drops the offence's own clearance; two migrations, so that PostgreSQL does not
alter a table with pending trigger events in the transaction that wrote its rows).

Each existing offence becomes the only offence of its own incident, which takes the
offence's investigation, arrests (cleared by arrest) or exceptional clearance (A-E and
its date); an open offence's incident is N (not applicable).
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

import beacon.operations.refs


def offences_into_incidents(apps: Any, schema_editor: Any) -> None:
    Offense = apps.get_model("interchange", "Offense")
    Incident = apps.get_model("interchange", "Incident")
    for offense in Offense.objects.all().order_by("id"):
        exceptional = offense.clearance if offense.clearance in "ABCDE" else "N"
        incident = Incident.objects.create(
            operation_id=offense.operation_id,
            investigation_id=offense.investigation_id,
            ref=f"inc-{offense.ref}"[:40],
            exceptional=exceptional,
            cleared_on=offense.cleared_on if exceptional != "N" else None,
        )
        incident.arrests.set(offense.arrests.all())
        offense.incident_id = incident.pk
        offense.save(update_fields=["incident"])


class Migration(migrations.Migration):
    dependencies = [
        ("interchange", "0004_ncic_entry"),
        ("operations", "0003_lead_and_hit_ref_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="Incident",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "ref",
                    models.CharField(default=beacon.operations.refs.new_ref, max_length=40),
                ),
                (
                    "exceptional",
                    models.CharField(
                        choices=[
                            ("N", "Not applicable"),
                            ("A", "Death of offender"),
                            ("B", "Prosecution declined"),
                            ("C", "In custody of other jurisdiction"),
                            ("D", "Victim refused to cooperate"),
                            ("E", "Juvenile, no custody"),
                        ],
                        default="N",
                        max_length=1,
                    ),
                ),
                ("cleared_on", models.DateField(blank=True, null=True)),
                (
                    "arrests",
                    models.ManyToManyField(blank=True, related_name="+", to="operations.arrest"),
                ),
                (
                    "investigation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="operations.investigation",
                    ),
                ),
                (
                    "operation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="operations.operation",
                    ),
                ),
            ],
            options={
                "ordering": ["operation_id", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("operation", "ref"), name="incident_unique_ref")
                ],
            },
        ),
        migrations.AddField(
            model_name="offense",
            name="incident",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="offenses",
                to="interchange.incident",
            ),
        ),
        migrations.RunPython(offences_into_incidents, migrations.RunPython.noop),
    ]
