"""Country, state and county codes from installed data packages (never hand-typed)."""

from __future__ import annotations

import csv
import gettext
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pycountry
import us


@dataclass(frozen=True)
class Place:
    kind: str
    code: str
    abbreviation: str
    name_en: str
    name_fr: str
    parent_code: str = ""


@cache
def _french() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"], fallback=True)


def countries() -> Iterator[Place]:
    fr = _french()
    for country in pycountry.countries:
        name_en = getattr(country, "common_name", None) or country.name
        yield Place("country", country.alpha_2, country.alpha_3, name_en, fr.gettext(country.name))


def states() -> Iterator[Place]:
    seen: set[str] = set()
    for state in [*us.states.STATES_AND_TERRITORIES, us.states.DC]:
        if state.fips and state.fips not in seen:
            seen.add(state.fips)
            yield Place("state", state.fips, state.abbr, state.name, _french_state_name(state.name))


@cache
def _french_subdivisions() -> gettext.NullTranslations:
    return gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["fr"], fallback=True)


def _french_state_name(name: str) -> str:
    # pycountry's ISO 3166-2 translations give the French exonyms (Nouveau-Mexique).
    return _french_subdivisions().gettext(name)


def counties() -> Iterator[Place]:
    data = resources.files("addfips") / "data" / "counties_2020.csv"
    with data.open(encoding="utf-8") as handle:
        seen: set[str] = set()
        for row in csv.DictReader(handle):
            fips = row["statefp"] + row["countyfp"]
            if fips in seen:  # the file lists some counties under a second, older name
                continue
            seen.add(fips)
            name = row["name"]
            yield Place("county", fips, "", name, _french_county_name(name), row["statefp"])


def _french_county_name(name: str) -> str:
    # "Dona Ana County" -> "comté de Dona Ana", as the seeds' French text says.
    for suffix, french in ((" County", "comté de"), (" Parish", "paroisse de")):
        if name.endswith(suffix):
            return f"{french} {name[: -len(suffix)]}"
    return name


@cache
def state_and_country_prefixes() -> frozenset[str]:
    return frozenset({p.abbreviation for p in states()} | {c.alpha_2 for c in pycountry.countries})


def is_state_or_country_code(prefix: str) -> bool:
    return prefix.upper() in state_and_country_prefixes()
