"""Bulk-load jurisdictions from the data packages; used by the migration and the service."""

from __future__ import annotations

from typing import Any

from beacon.agencies import codes


def load(apps: Any) -> None:
    """Insert every country, state and county not yet present (idempotent)."""
    jurisdiction = apps.get_model("agencies", "Jurisdiction")
    existing = set(jurisdiction.objects.values_list("kind", "code"))
    for group in (codes.countries(), codes.states()):
        jurisdiction.objects.bulk_create(
            [
                jurisdiction(
                    kind=p.kind,
                    code=p.code,
                    abbreviation=p.abbreviation,
                    name_en=p.name_en,
                    name_fr=p.name_fr,
                )
                for p in group
                if (p.kind, p.code) not in existing
            ]
        )
    states = dict(jurisdiction.objects.filter(kind="state").values_list("code", "pk"))
    jurisdiction.objects.bulk_create(
        [
            jurisdiction(
                kind=p.kind,
                code=p.code,
                name_en=p.name_en,
                name_fr=p.name_fr,
                parent_id=states.get(p.parent_code),
            )
            for p in codes.counties()
            if (p.kind, p.code) not in existing
        ],
        batch_size=500,
    )
