"""Words of the reports in English and French (the field's own words in French);
Spanish and Portuguese words are in ``iberian``. Numbers and dates in Spanish and
Portuguese come from Django's locale formats (English and French keep their own)."""

from __future__ import annotations

import gettext
import re
from datetime import date
from functools import cache

from beacon.operations.reports import iberian

MONTHS_FR = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

METRICS: dict[str, tuple[str, str]] = {
    "targets": ("targets", "cibles"),
    "recovered": ("recovered", "mis en sécurité"),
    "located": ("located", "localisés"),
    "outstanding": ("outstanding", "toujours recherchés"),
    "located_abroad": ("located abroad", "localisés à l'étranger"),
    "arrests": ("arrests", "arrestations"),
    "warrants_served": ("outstanding warrants served", "mandats d'arrêt exécutés"),
    "victims_rescued": ("victims rescued", "victimes secourues"),
    "victims_minor": ("minor victims rescued", "victimes mineures secourues"),
    "victims_adult": ("adult victims rescued", "victimes adultes secourues"),
    "medical_services": ("given medical services", "services médicaux fournis"),
    "screenings": ("screenings for exploitation", "dépistages de l'exploitation"),
    "services": ("services", "services"),
    "search_warrants": ("search warrants", "mandats de perquisition"),
    "raids": ("raids", "descentes"),
    "investigations_opened": ("investigations opened", "enquêtes ouvertes"),
    "referrals": ("referrals", "orientations"),
    "devices_seized": ("devices seized", "appareils saisis"),
    "files_seized": ("files seized", "fichiers saisis"),
    "cash_seized": ("cash seized", "argent saisi"),
    "countries": ("countries", "pays"),
    "victim_age_min": ("youngest victim (age)", "plus jeune victime (âge)"),
    "victim_age_max": ("oldest victim (age)", "victime la plus âgée (âge)"),
    "victim_age_mean": ("mean victim age", "âge moyen des victimes"),
    "target_age_min": ("youngest target (age)", "plus jeune cible (âge)"),
    "target_age_max": ("oldest target (age)", "cible la plus âgée (âge)"),
    "participating_agencies": ("participating agencies", "agences participantes"),
    "human_trafficking_offenses_reported": (
        "human trafficking offenses reported",
        "infractions de traite des êtres humains signalées",
    ),
    "human_trafficking_offenses_cleared": ("of them cleared or closed", "dont classées ou fermées"),
    "human_trafficking_offenses_cleared_victims_under_18": (
        "of them with victims under 18",
        "dont impliquant des victimes de moins de 18 ans",
    ),
    "young_victims_taken_in": (
        "young trafficking victims taken in",
        "jeunes victimes de la traite prises en charge",
    ),
    "adult_victims_taken_in": ("adult victims taken in", "victimes adultes prises en charge"),
}
KEYS: dict[str, tuple[str, str]] = {
    # arrest roles
    "trafficker": ("traffickers", "trafiquants"),
    "pimp_panderer": ("pimps and panderers", "proxénètes et souteneurs"),
    "buyer": ("buyers", "clients"),
    "csam_producer": ("CSAM producers", "producteurs de CSAM"),
    "csam_distributor": ("CSAM distributors", "distributeurs de CSAM"),
    "other": ("other", "autres"),
    # investigation types
    "child_sexual_abuse": ("for child sexual abuse", "pour abus sexuel sur enfant"),
    "human_trafficking": ("for human trafficking", "pour traite des êtres humains"),
    "csam": ("for child sexual abuse material", "pour matériel pédopornographique"),
    # statuses
    "planned": ("planned", "prévue"),
    "active": ("ongoing", "en cours"),
    "closed": ("closed", "terminée"),
    # qualifiers
    "exact": ("", ""),
    "at_least": ("at least ", "au moins "),
    "more_than": ("more than ", "plus de "),
    "about": ("about ", "environ "),
    "nearly": ("nearly ", "près de "),
    "almost": ("almost ", "presque "),
    "over": ("over ", "plus de "),
    "up_to": ("up to ", "jusqu'à "),
    "fewer_than": ("fewer than ", "moins de "),
}


SINGULAR: dict[str, tuple[str, str]] = {
    "arrests": ("arrest", "arrestation"),
    "victims_rescued": ("victim rescued", "victime secourue"),
    "victims_minor": ("minor victim rescued", "victime mineure secourue"),
    "victims_adult": ("adult victim rescued", "victime adulte secourue"),
    "search_warrants": ("search warrant", "mandat de perquisition"),
    "raids": ("raid", "descente"),
    "investigations_opened": ("investigation opened", "enquête ouverte"),
    "files_seized": ("file seized", "fichier saisi"),
    "referrals": ("referral", "orientation"),
}


def counted(value: float | int, key: str, lang: str) -> str:
    """``value`` followed by the metric's word, singular for one."""
    if lang in iberian.SINGULAR:
        one = iberian.SINGULAR[lang].get(key) if value == 1 else None
        return f"{num(value, lang)} {one or word(key, lang)}"
    pair = SINGULAR.get(key) if value == 1 else None
    label = (pair[1] if lang == "fr" else pair[0]) if pair else word(key, lang)
    return f"{num(value, lang)} {label}"


def word(key: str, lang: str) -> str:
    own = iberian.METRICS.get(lang, {}).get(key) or iberian.KEYS.get(lang, {}).get(key)
    if own is not None:
        return own
    pair = METRICS.get(key) or KEYS.get(key)
    if pair is None or lang in iberian.METRICS:
        from beacon.operations.catalogue import builtin

        metric = builtin().get(key)
        if metric is not None and metric.words(lang).label:
            return metric.words(lang).label.lower()  # the catalogue's (English as fallback)
        if pair is None:
            return key.replace("_", " ")
    return pair[1] if lang == "fr" else pair[0]


def num(value: float | int | None, lang: str) -> str:
    """1,883 / 1 883 (a narrow no-break space, as French typography and CLDR write it)."""
    if value is None:
        return "-"
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.1f}"
    else:
        text = f"{int(value):,}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    elif lang in iberian.METRICS:
        thousands, decimal = _separators(lang)
        text = text.replace(",", "\x00").replace(".", decimal).replace("\x00", thousands)
    return text


@cache
def _separators(lang: str) -> tuple[str, str]:
    """The locale's thousands and decimal separators (Django's formats for ``lang``)."""
    from django.utils import formats

    thousands = formats.get_format("THOUSAND_SEPARATOR", lang=lang, use_l10n=True)
    decimal = formats.get_format("DECIMAL_SEPARATOR", lang=lang, use_l10n=True)
    return str(thousands), str(decimal)


def localized(d: date, lang: str, fmt: str = "DATE_FORMAT") -> str:
    """A date as the locale writes it (Django's formats and month names); Portuguese
    month names in lower case, as its spelling agreement writes them."""
    from django.utils import formats, translation

    with translation.override(lang):
        text = str(formats.date_format(d, fmt))
    if lang == "pt":
        text = re.sub(r"\b([A-Z][a-zç]+)\b", lambda m: m.group(1).lower(), text)
    return text


def day(value: str | None, lang: str) -> str:
    if not value:
        return ""
    d = date.fromisoformat(value)
    if lang in iberian.METRICS:
        return localized(d, lang)
    if lang == "fr":
        first = "1er" if d.day == 1 else str(d.day)
        return f"{first} {MONTHS_FR[d.month - 1]} {d.year}"
    return f"{MONTHS_EN[d.month - 1]} {d.day}, {d.year}"


# French feminine head nouns of agency names ("la Sûreté du Québec", "la Gendarmerie
# royale du Canada"); others take "le" ("le Service de police", "le FBI").
_FEMININE_HEADS = frozenset(
    [
        "agence",
        "brigade",
        "direction",
        "division",
        "gendarmerie",
        "garde",
        "police",
        "préfecture",
        "sûreté",
        "unité",
        "organisation",
        "commission",
        "cour",
    ]
)


def agency_with_article(name: str, lang: str) -> str:
    """An agency as a sentence names it: "the Los Angeles Police Department", "la Sûreté
    du Québec", "l'Office...", "la Policía Federal", "a Polícia Federal", and no article
    for a one-word name (Europol, INTERPOL)."""
    words = name.split()
    if len(words) < 2 or words[0].lower() in ("the", "le", "la", "les", "l'", "el", "o", "a"):
        return name
    if name[:2].lower() in ("l'", "l\u2019"):
        return name
    if lang in iberian.FEMININE_HEADS:
        feminine = words[0].lower() in iberian.FEMININE_HEADS[lang]
        if lang == "es":
            return f"{'la' if feminine else 'el'} {name}"
        return f"{'a' if feminine else 'o'} {name}"
    if lang != "fr":
        return f"the {name}"
    head = words[0].lower()
    if head[0] in "aeiouâéèêîôû":  # no elision before h: "le Haut-Commissariat"
        return f"l'{name}"
    return f"{'la' if head in _FEMININE_HEADS else 'le'} {name}"


_ELIDED = re.compile(r"\b([Dd]e) (?=[aeiouyàâäéèêëîïôöùûüœæAEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜŒÆ])")


def elided(text: str) -> str:
    """French elision before a vowel: "comté de Orange" -> "comté d'Orange" (none
    before h: "comté de Harris")."""
    return _ELIDED.sub(lambda m: f"{m.group(1)[0]}'", text)


COUNTY = {"es": ("condado de", "parroquia de"), "pt": ("condado de", "paróquia de")}


@cache
def _territories(lang: str) -> tuple[gettext.NullTranslations, ...]:
    """pycountry's catalogues of country and subdivision names in ``lang``."""
    import pycountry

    out: list[gettext.NullTranslations] = []
    for domain in ("iso3166-1", "iso3166-2"):
        try:
            out.append(gettext.translation(domain, pycountry.LOCALES_DIR, languages=[lang]))
        except OSError:
            continue
    return tuple(out)


def place(name_en: str, name_fr: str, lang: str) -> str:
    """A place's name in the report's language ("comté d'Orange", "Orange County",
    "condado de Orange", "México")."""
    if lang == "fr":
        return elided(name_fr or name_en)
    if lang in COUNTY:
        for suffix, french in zip((" County", " Parish"), COUNTY[lang], strict=True):
            if name_en.endswith(suffix):
                return f"{french} {name_en[: -len(suffix)]}"
        for catalogue in _territories(lang):
            found = catalogue.gettext(name_en)
            if found != name_en:
                return found
    return name_en


AND = {"en": " and ", "fr": " et ", "es": " y ", "pt": " e "}


def listing(items: list[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    joiner = AND.get(lang, AND["en"])
    last = items[-1]
    if lang == "es" and re.match(r"(?i)h?i(?!e)", last):
        joiner = " e "  # "y" becomes "e" before an /i/ sound: "Francia e Italia"
    return ", ".join(items[:-1]) + joiner + last
