"""Covering indexes for a report's grouped counts (issue 13, bench/reports.py).

Each kind of field event gets ``<kind>_report``: operation, place and agency first, then
every column the report's grouped count of that kind reads (reports.facts), so both
databases count an operation's events from the index alone, in group order, instead of
visiting every row. ``arrest_people`` lets the NIBRS summary count the people arrested
in index order.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0003_places_any_level_agencies_without_ori"),
        ("operations", "0009_nibrs_incidents_and_offenses"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="arrest",
            index=models.Index(
                fields=["operation", "jurisdiction", "agency", "role", "warrants_served", "nibrs"],
                name="arrest_report",
            ),
        ),
        migrations.AddIndex(
            model_name="arrest",
            index=models.Index(fields=["operation", "person"], name="arrest_people"),
        ),
        migrations.AddIndex(
            model_name="investigation",
            index=models.Index(
                fields=["operation", "jurisdiction", "agency", "type"], name="investigation_report"
            ),
        ),
        migrations.AddIndex(
            model_name="raid",
            index=models.Index(
                fields=["operation", "jurisdiction", "agency", "kind"], name="raid_report"
            ),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=["operation", "jurisdiction", "agency", "to_agency"], name="referral_report"
            ),
        ),
        migrations.AddIndex(
            model_name="searchwarrant",
            index=models.Index(
                fields=["operation", "jurisdiction", "agency"], name="searchwarrant_report"
            ),
        ),
        migrations.AddIndex(
            model_name="seizure",
            index=models.Index(
                fields=[
                    "operation",
                    "jurisdiction",
                    "agency",
                    "currency",
                    "cash_amount",
                    "devices",
                    "file_count",
                ],
                name="seizure_report",
            ),
        ),
        migrations.AddIndex(
            model_name="service",
            index=models.Index(
                fields=["operation", "jurisdiction", "agency", "kind"], name="service_report"
            ),
        ),
        migrations.AddIndex(
            model_name="victim",
            index=models.Index(
                fields=["operation", "jurisdiction", "agency", "age_group", "age_min", "age_max"],
                name="victim_report",
            ),
        ),
    ]
