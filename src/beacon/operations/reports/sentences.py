"""Sentence templates of the report's summary, per language, singular and plural.

``say(key, lang, n, **words)`` picks the form a count needs in that language (French
takes the singular below 2, "1,5 an"; English, Spanish and Portuguese only for 1) and
fills it. Every template is tested with none, one and many (tests/operations).
"""

from __future__ import annotations

from beacon.operations.reports.labels import num

Forms = tuple[str, str]  # singular, plural

SENTENCES: dict[str, dict[str, Forms]] = {
    "missing_minors": {
        "en": ("missing minor", "missing minors"),
        "fr": ("mineur disparu", "mineurs disparus"),
    },
    "missing_persons": {
        "en": ("missing person", "missing persons"),
        "fr": ("personne disparue", "personnes disparues"),
    },
    "target_list": {
        "en": ("Of {n} {who} on the target list{ages}", "Of {n} {who} on the target list{ages}"),
        "fr": ("Sur une liste de {n} {who}{ages}", "Sur une liste de {n} {who}{ages}"),
    },
    # Ages of the people on a target list (minors: masculine; persons: feminine).
    "target_ages": {
        "en": (" (aged {a})", " (aged {a} to {b})"),
        "fr": (" (âgés de {a} ans)", " (âgés de {a} à {b} ans)"),
    },
    "person_ages": {
        "en": (" (aged {a})", " (aged {a} to {b})"),
        "fr": (" (âgées de {a} ans)", " (âgées de {a} à {b} ans)"),
    },
    "person_youngest": {
        "en": (" (the youngest aged {a})", " (the youngest aged {a})"),
        "fr": (" (la plus jeune âgée de {a} ans)", " (la plus jeune âgée de {a} ans)"),
    },
    "person_oldest": {
        "en": (" (the oldest aged {b})", " (the oldest aged {b})"),
        "fr": (" (la plus âgée ayant {b} ans)", " (la plus âgée ayant {b} ans)"),
    },
    "target_youngest": {
        "en": (" (the youngest aged {a})", " (the youngest aged {a})"),
        "fr": (" (le plus jeune âgé de {a} ans)", " (le plus jeune âgé de {a} ans)"),
    },
    "target_oldest": {
        "en": (" (the oldest aged {b})", " (the oldest aged {b})"),
        "fr": (" (le plus âgé ayant {b} ans)", " (le plus âgé ayant {b} ans)"),
    },
    "recovered": {
        "en": ("{n} was recovered", "{n} were recovered"),
        "fr": ("{n} a été récupéré", "{n} ont été récupérés"),
    },
    "located": {
        "en": ("{n} was located", "{n} were located"),
        "fr": ("{n} a été localisé", "{n} ont été localisés"),
    },
    "outstanding": {
        "en": ("{n} remains outstanding", "{n} remain outstanding"),
        "fr": ("{n} reste en suspens", "{n} restent en suspens"),
    },
    "recovered_or_located": {
        "en": ("{n} recovered or located", "{n} recovered or located"),
        "fr": ("{n} récupéré ou localisé", "{n} récupérés ou localisés"),
    },
    "located_abroad": {
        "en": ("{n} located abroad ({countries}).", "{n} located abroad ({countries})."),
        "fr": (
            "{n} localisé à l'étranger ({countries}).",
            "{n} localisés à l'étranger ({countries}).",
        ),
    },
    "screenings": {
        "en": (
            "{n} of those recovered or located was offered a screening for potential exploitation.",
            "{n} of those recovered or located were offered a screening for potential "
            "exploitation.",
        ),
        "fr": (
            "{n} personne récupérée ou localisée s'est vu proposer un dépistage de "
            "l'exploitation potentielle.",
            "{n} personnes récupérées ou localisées se sont vu proposer un dépistage de "
            "l'exploitation potentielle.",
        ),
    },
    "adults": {"en": ("{n} adult", "{n} adults"), "fr": ("{n} adulte", "{n} adultes")},
    "minors": {"en": ("{n} minor", "{n} minors"), "fr": ("{n} mineur", "{n} mineurs")},
    # Ages of the victims (their number decides the agreement: "âgée" / "âgées").
    "victim_ages": {
        "en": (", aged {a} to {b}", ", aged {a} to {b}"),
        "fr": (", âgée de {a} à {b} ans", ", âgées de {a} à {b} ans"),
    },
    "victim_age": {
        "en": (", aged {a}", ", aged {a}"),
        "fr": (", âgée de {a} ans", ", âgées de {a} ans"),
    },
    "victim_youngest": {
        "en": (", the youngest aged {a}", ", the youngest aged {a}"),
        "fr": (", la plus jeune âgée de {a} ans", ", la plus jeune âgée de {a} ans"),
    },
    "victim_oldest": {
        "en": (", the oldest aged {b}", ", the oldest aged {b}"),
        "fr": (", la plus âgée ayant {b} ans", ", la plus âgée ayant {b} ans"),
    },
    "mean_age": {
        "en": (" (mean age {m})", " (mean age {m})"),
        "fr": (" (âge moyen {m} an)", " (âge moyen {m} ans)"),
    },
    "medical": {
        "en": (
            "; {n} of them was given medical services",
            "; {n} of them were given medical services",
        ),
        "fr": (
            " ; {n} d'entre elles a reçu des services médicaux",
            " ; {n} d'entre elles ont reçu des services médicaux",
        ),
    },
    "warrants_served": {
        "en": (
            "; {n} outstanding arrest warrant served",
            "; {n} outstanding arrest warrants served",
        ),
        "fr": (
            " ; {n} mandat d'arrêt en attente exécuté",
            " ; {n} mandats d'arrêt en attente exécutés",
        ),
    },
    "cash_seized": {
        "en": ("Cash seized: ", "Cash seized: "),
        "fr": ("Argent saisi : ", "Argent saisi : "),
    },
    "by_agency": {"en": ("; by ", "; by "), "fr": (" ; par ", " ; par ")},
    "referred_to": {
        "en": ("Victims referred to ", "Victims referred to "),
        "fr": ("Victimes orientées vers ", "Victimes orientées vers "),
    },
    "hub": {
        "en": (
            "Hub coordinating {n} operation run at the same time.",
            "Hub coordinating {n} operations run at the same time.",
        ),
        "fr": (
            "Centre de coordination de {n} opération.",
            "Centre de coordination de {n} opérations menées simultanément.",
        ),
    },
    "partners": {
        "en": (" with {n} partner agency", " with {n} partner agencies"),
        "fr": (" avec {n} agence partenaire", " avec {n} agences partenaires"),
    },
}


def singular(n: float | int, lang: str) -> bool:
    """Whether a count takes the singular: French below 2 (0, 1, 1,5), others only 1."""
    return 0 <= n < 2 if lang == "fr" else n == 1


def say(key: str, lang: str, n: float | int = 0, **words: str) -> str:
    forms = SENTENCES[key].get(lang) or SENTENCES[key]["en"]
    template = forms[0] if singular(n, lang) else forms[1]
    return template.format(n=num(n, lang), **words)
