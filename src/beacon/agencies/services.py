"""Agency and jurisdiction rules."""

from __future__ import annotations

from django.db import transaction

from beacon.agencies.models import Agency, Jurisdiction


def load_jurisdictions() -> int:
    """Create any missing country, US state or county (the migration does this once)."""
    from django.apps import apps

    from beacon.agencies.jurisdiction_loader import load

    before = Jurisdiction.objects.count()
    with transaction.atomic():
        load(apps)
    return Jurisdiction.objects.count() - before


def country(code: str) -> Jurisdiction:
    """A country by ISO alpha-2 or alpha-3 code."""
    code = code.upper()
    field = "code" if len(code) == 2 else "abbreviation"
    return Jurisdiction.objects.get(kind="country", **{field: code})


def state(abbreviation: str) -> Jurisdiction:
    return Jurisdiction.objects.get(kind="state", abbreviation=abbreviation.upper())


def county(state_abbreviation: str, name: str) -> Jurisdiction:
    """A county by state and name, with or without the word County."""
    parent = state(state_abbreviation)
    if not name.endswith(" County"):
        name = f"{name} County"
    return Jurisdiction.objects.get(kind="county", parent=parent, name_en=name)


def agency_by_ori(ori: str) -> Agency:
    return Agency.objects.get(ori=ori.upper())
