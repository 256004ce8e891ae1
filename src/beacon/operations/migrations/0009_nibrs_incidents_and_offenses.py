"""NIBRS incidents and offences become operations' models (issue 19: an operations fact
read by reports), in the tables interchange created: state only, no data moves."""

import django.db.models.deletion
from django.db import migrations, models

import beacon.operations.refs


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0008_operation_stamp"),
        ("interchange", "0006_offense_clearance_on_incident"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Incident",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
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
                            models.ManyToManyField(
                                blank=True,
                                db_table="interchange_incident_arrests",
                                related_name="+",
                                to="operations.arrest",
                            ),
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
                        "db_table": "interchange_incident",
                        "ordering": ["operation_id", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="Offense",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "ref",
                            models.CharField(default=beacon.operations.refs.new_ref, max_length=40),
                        ),
                        (
                            "code",
                            models.CharField(
                                choices=[
                                    ("100", "Kidnapping/abduction"),
                                    ("11A", "Rape"),
                                    ("11B", "Sodomy"),
                                    ("11C", "Sexual assault with an object"),
                                    ("11D", "Fondling"),
                                    ("36A", "Incest"),
                                    ("36B", "Statutory rape"),
                                    ("370", "Pornography/obscene material"),
                                    ("40A", "Prostitution"),
                                    ("40B", "Assisting or promoting prostitution"),
                                    ("40C", "Purchasing prostitution"),
                                    ("64A", "Human trafficking, commercial sex acts"),
                                    ("64B", "Human trafficking, involuntary servitude"),
                                ],
                                max_length=3,
                            ),
                        ),
                        (
                            "incident",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="offenses",
                                to="operations.incident",
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
                        "db_table": "interchange_offense",
                        "ordering": ["operation_id", "id"],
                    },
                ),
                migrations.AddConstraint(
                    model_name="incident",
                    constraint=models.UniqueConstraint(
                        fields=("operation", "ref"), name="incident_unique_ref"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="offense",
                    constraint=models.UniqueConstraint(
                        fields=("operation", "ref"), name="offense_unique_ref"
                    ),
                ),
            ],
        ),
    ]
