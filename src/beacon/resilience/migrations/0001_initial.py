# Generated for beacon.resilience: the idempotency record.

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="IdempotencyRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("scope", models.CharField(max_length=80)),
                ("key", models.CharField(max_length=255)),
                ("fingerprint", models.CharField(max_length=64)),
                ("method", models.CharField(max_length=8)),
                ("path", models.TextField()),
                ("status", models.PositiveSmallIntegerField()),
                ("headers", models.JSONField(blank=True, default=list)),
                ("body", models.BinaryField(blank=True, default=b"")),
                ("actor", models.CharField(blank=True, max_length=150)),
                ("agency_ori", models.CharField(blank=True, max_length=9)),
                (
                    "created_at",
                    models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("scope", "key"), name="idempotency_scope_key")
                ],
            },
        ),
    ]
