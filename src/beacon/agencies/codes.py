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


# ---------------------------------------------------------------- other languages
# Spanish and Portuguese place names are derived when shown (no column per language):
# countries and subdivisions from pycountry's ISO 3166 catalogues (Portuguese follows
# Brazilian usage: pt_BR first, then pt), counties as "condado de ...". Cities and named
# areas (judicial districts, FBI field offices, groups) keep their English name.
PLACE_LANGUAGES = ("es", "pt")
_CATALOGUES = {"es": ["es"], "pt": ["pt_BR", "pt"]}
# pycountry's Portuguese catalogues leave the US states in English; these are the
# Brazilian exonyms (only the names that differ).
_PT_US_STATES = {
    "Alaska": "Alasca",
    "California": "Califórnia",
    "North Carolina": "Carolina do Norte",
    "South Carolina": "Carolina do Sul",
    "North Dakota": "Dakota do Norte",
    "South Dakota": "Dakota do Sul",
    "Florida": "Flórida",
    "Georgia": "Geórgia",
    "Hawaii": "Havaí",
    "Louisiana": "Luisiana",
    "New Hampshire": "Nova Hampshire",
    "New Jersey": "Nova Jersey",
    "New Mexico": "Novo México",
    "New York": "Nova York",
    "Pennsylvania": "Pensilvânia",
    "Virginia": "Virgínia",
    "West Virginia": "Virgínia Ocidental",
    "District of Columbia": "Distrito de Colúmbia",
    "Puerto Rico": "Porto Rico",
    "American Samoa": "Samoa Americana",
    "Northern Mariana Islands": "Ilhas Marianas do Norte",
    "Virgin Islands": "Ilhas Virgens Americanas",
}
_COUNTY_WORDS = {
    "es": ((" County", "condado de"), (" Parish", "parroquia de")),
    "pt": ((" County", "condado de"), (" Parish", "paróquia de")),
}


@cache
def _iso(domain: str, lang: str) -> gettext.NullTranslations:
    return gettext.translation(
        domain, pycountry.LOCALES_DIR, languages=_CATALOGUES[lang], fallback=True
    )


@cache
def country_name(alpha_2: str, lang: str) -> str:
    """The country's name in ``lang`` (es or pt), its common name when it has one
    ("Bolivia", not "Bolivia, Estado Plurinacional de"); "" for an unknown code."""
    country = pycountry.countries.get(alpha_2=alpha_2)
    if country is None:
        return ""
    names = _iso("iso3166-1", lang)
    known: dict[str, str] = getattr(names, "_catalog", {})
    common = getattr(country, "common_name", None)
    if common and common in known:
        return names.gettext(common)
    return names.gettext(country.name)


def subdivision_name(name: str, lang: str) -> str:
    """An ISO 3166-2 subdivision's (or US state's) name in ``lang`` (es or pt)."""
    if lang == "pt" and name in _PT_US_STATES:
        return _PT_US_STATES[name]
    return _iso("iso3166-2", lang).gettext(name)


def county_name(name: str, lang: str) -> str:
    """ "Dona Ana County" -> "condado de Dona Ana" (es and pt)."""
    for suffix, word in _COUNTY_WORDS[lang]:
        if name.endswith(suffix):
            return f"{word} {name[: -len(suffix)]}"
    return name


def place_name(kind: str, code: str, name_en: str, name_fr: str, lang: str) -> str:
    """A place's name in ``lang`` (en, fr, es, pt; "pt-br" too): the stored English and
    French names, the derived Spanish and Portuguese ones (English when none is known)."""
    code_lang = (lang or "en").lower()[:2]
    if code_lang == "fr":
        return name_fr or name_en
    if code_lang not in PLACE_LANGUAGES:
        return name_en
    if kind == "country":
        return country_name(code, code_lang) or name_en
    if kind in ("state", "subdivision"):
        return subdivision_name(name_en, code_lang)
    if kind == "county":
        return county_name(name_en, code_lang)
    return name_en


@cache
def state_and_country_prefixes() -> frozenset[str]:
    return frozenset({p.abbreviation for p in states()} | {c.alpha_2 for c in pycountry.countries})


def is_state_or_country_code(prefix: str) -> bool:
    return prefix.upper() in state_and_country_prefixes()
