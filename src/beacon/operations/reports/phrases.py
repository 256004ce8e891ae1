"""Figures in words, English, French, Spanish and Portuguese, from the metric
catalogue's labels.

Numbers as each language writes them (French: a narrow no-break space between
thousands and before %, : ; ! ?; Spanish and Portuguese: their locale's separators and
no such spacing rule), dates as precise as the source, editions by number or year,
qualifiers as published.
"""

from __future__ import annotations

import re
from datetime import date

from beacon.operations.catalogue import Catalogue, Metric
from beacon.operations.reports import iberian
from beacon.operations.reports.labels import MONTHS_EN, MONTHS_FR, localized, num
from beacon.operations.reports.model import Stated

NNBSP = "\u202f"  # narrow no-break space (French thousands, before : ; ! ? %)
QUALIFIERS: dict[str, dict[str, str]] = {
    **iberian.KEYS,  # their qualifiers (the other keys are never looked up here)
    "en": {
        "exact": "",
        "about": "about ",
        "nearly": "nearly ",
        "almost": "almost ",
        "at_least": "at least ",
        "more_than": "more than ",
        "over": "over ",
        "up_to": "up to ",
        "fewer_than": "fewer than ",
    },
    "fr": {
        "exact": "",
        "about": "environ ",
        "nearly": "près de ",
        "almost": "presque ",
        "at_least": "au moins ",
        "more_than": "plus de ",
        "over": "plus de ",
        "up_to": "jusqu'à ",
        "fewer_than": "moins de ",
    },
}
UNITS: dict[str, dict[str, tuple[str, str]]] = {
    "years": {"en": ("year", "years"), "fr": ("an", "ans"), "es": ("año", "años"),
              "pt": ("ano", "anos")},
    "months": {"en": ("month", "months"), "fr": ("mois", "mois"), "es": ("mes", "meses"),
               "pt": ("mês", "meses")},
    "weeks": {"en": ("week", "weeks"), "fr": ("semaine", "semaines"),
              "es": ("semana", "semanas"), "pt": ("semana", "semanas")},
    "days": {"en": ("day", "days"), "fr": ("jour", "jours"), "es": ("día", "días"),
             "pt": ("dia", "dias")},
    "hours": {"en": ("hour", "hours"), "fr": ("heure", "heures"), "es": ("hora", "horas"),
              "pt": ("hora", "horas")},
}  # fmt: skip
# "60 % of the victims": the preposition, and in Spanish and Portuguese the article that
# agrees with the metric's gender ("de las víctimas", "dos detidos").
OF = {"en": ("of", "of"), "fr": ("des", "des"), "es": ("de los", "de las"),
      "pt": ("dos", "das")}  # fmt: skip
BASE = {"en": "of", "fr": "sur", "es": "de", "pt": "de"}
VOWEL_START = re.compile(r"^[aeiouyàâéèêëîïôöùûüœæh]", re.I)


def number(value: float | int | None, lang: str) -> str:
    """1,883 / 1 883 (narrow no-break space); 23.5 / 23,5."""
    return num(value, lang)


def percent(value: float | int, lang: str) -> str:
    """25 % (French: narrow no-break space; Spanish: a no-break space, as the RAE
    writes it), 25% (English, Portuguese)."""
    if lang == "fr":
        return f"{number(value, lang)}{NNBSP}%"
    if lang == "es":
        return f"{number(value, lang)}\u00a0%"
    return f"{number(value, lang)}%"


def french(text: str) -> str:
    """French typographic spacing: a narrow no-break space before : ; ! ? and %."""
    text = re.sub(r"[ \u00a0]([:;!?%])", NNBSP + r"\1", text)
    return re.sub(r"(?<=[\w)])([;!?])(?=\s|$)", NNBSP + r"\1", text)


def partial_day(text: str | None, lang: str) -> str:
    """2019 / June 2021 / June 11, 2021 (juin 2021, 11 juin 2021, 1er juin 2021;
    junio de 2021, 11 de junio de 2021; junho de 2021, 11 de junho de 2021)."""
    if not text:
        return ""
    if re.fullmatch(r"\d{4}", text):
        return text
    if re.fullmatch(r"\d{4}-\d{2}", text):
        year, month = int(text[:4]), int(text[5:])
        if lang in iberian.METRICS:
            return localized(date(year, month, 1), lang, "YEAR_MONTH_FORMAT")
        return f"{(MONTHS_FR if lang == 'fr' else MONTHS_EN)[month - 1]} {year}"
    d = date.fromisoformat(text[:10])
    if lang in iberian.METRICS:
        return localized(d, lang)
    if lang == "fr":
        first = "1er" if d.day == 1 else str(d.day)
        return f"{first} {MONTHS_FR[d.month - 1]} {d.year}"
    return f"{MONTHS_EN[d.month - 1]} {d.day}, {d.year}"


def _precision(text: str) -> str:
    return "year" if len(text) == 4 else "month" if len(text) == 7 else "day"


def _de(word: str) -> str:
    return f"d'{word}" if VOWEL_START.match(word) else f"de {word}"


# How a period reads: since, on/in (a day / a month or year), until, from-to.
PERIOD = {
    "en": {"since": "since {t}", "since_day": "since {t}", "on": "on {t}", "in": "in {t}",
           "until": "until {t}", "until_day": "until {t}", "range": "from {a} to {b}",
           "range_day": "from {a} to {b}"},
    "fr": {"since": "depuis {t}", "since_day": "depuis le {t}", "on": "le {t}", "in": "en {t}",
           "until": "jusqu'en {t}", "until_day": "jusqu'au {t}", "range": "",
           "range_day": "du {a} au {b}"},
    "es": {"since": "desde {t}", "since_day": "desde el {t}", "on": "el {t}", "in": "en {t}",
           "until": "hasta {t}", "until_day": "hasta el {t}", "range": "de {a} a {b}",
           "range_day": "del {a} al {b}"},
    "pt": {"since": "desde {t}", "since_day": "desde {t}", "on": "em {t}", "in": "em {t}",
           "until": "até {t}", "until_day": "até {t}", "range": "de {a} a {b}",
           "range_day": "de {a} a {b}"},
}  # fmt: skip


def when(start: str | None, end: str | None, lang: str) -> str:
    """The period a figure covers, as a phrase: "in 2019", "from June to July 2021"."""
    says = PERIOD.get(lang, PERIOD["en"])
    if not start and not end:
        return ""
    if start and end and re.fullmatch(r"\d{4}-01-01", start) and end == f"{start[:4]}-12-31":
        start = end = start[:4]  # a whole year, given as its first and last days
    if start and (not end or end == start):
        text = partial_day(start, lang)
        day = _precision(start) == "day"
        if not end:
            return says["since_day" if day else "since"].format(t=text)
        return says["on" if day else "in"].format(t=text)
    if not start:
        assert end is not None
        text = partial_day(end, lang)
        return says["until_day" if _precision(end) == "day" else "until"].format(t=text)
    assert end is not None
    a, b = partial_day(start, lang), partial_day(end, lang)
    if _precision(start) == _precision(end) == "month" and start[:4] == end[:4]:
        if lang in iberian.METRICS:  # "de junio a julio de 2021"
            a = localized(date.fromisoformat(f"{start}-01"), lang, "F")
        else:
            a = a.rsplit(" ", 1)[0]  # "June to July 2021"
    if _precision(start) == "day":
        return says["range_day"].format(a=a, b=b)
    if lang == "fr":
        return f"{_de(a)} à {b}"
    return says["range"].format(a=a, b=b)


EDITION = {
    "en": ("edition {n}", "the {n} edition"),
    "fr": ("la {n}{suffix} édition", "l'édition {n}"),
    "es": ("la {n}.ª edición", "la edición {n}"),
    "pt": ("a {n}.ª edição", "a edição {n}"),
}


def edition(value: int | None, naming: str, lang: str) -> str:
    """Edition 8 / 8e édition / 8.ª edición / 8.ª edição; the 2018 edition / l'édition
    2018 / la edición 2018 / a edição 2018 (never "2 018e")."""
    if value is None:
        return ""
    by_number, by_year = EDITION.get(lang, EDITION["en"])
    template = by_year if naming == "year" else by_number
    return template.format(n=value, suffix="re" if value == 1 else "e")


def singular(value: float | int, lang: str) -> bool:
    return 0 <= value < 2 if lang == "fr" else value == 1


def noun(metric: Metric, value: float | int, lang: str) -> str:
    words = metric.words(lang)
    return words.one if singular(value, lang) else words.other


def figure(e: Stated, known: Catalogue, lang: str, *, where: bool = True) -> str:
    """One published figure as a phrase: "nearly 200 victims identified (minors) in
    Quebec in 2023", "60 % des victimes identifiées (mineurs)"."""
    metric_id, crumbs = known.resolve(e.metric, dict(e.breakdown))
    metric = known.get(metric_id)
    q = QUALIFIERS.get(lang, QUALIFIERS["en"]).get(e.qualifier, "")
    value = e.value
    if metric is None:  # not in the catalogue any more: say it as stored
        text = f"{q}{number(value, lang)} {e.metric.replace('_', ' ')}"
    elif e.unit == "percent" or metric.unit == "percent":
        base = known.get(known.resolve(e.base_metric)[0]) if e.base_metric else None
        over = base if base is not None and metric.unit == "percent" else metric
        words = over.words(lang)
        of = OF.get(lang, OF["en"])[1 if words.gender == "f" else 0]
        text = f"{q}{percent(value, lang)} {of} {words.other}"
        if over is not metric:  # say what the percentage counts, not only its base
            text += f" ({metric.words(lang).other})"
    elif metric.unit == "money":
        text = f"{q}{number(value, lang)} {e.currency} {noun(metric, value, lang)}"
    elif metric.unit in ("age", "duration"):
        units = UNITS.get(e.unit or "years", UNITS["years"])
        pair = units.get(lang, units["en"])
        word = pair[0] if singular(value, lang) else pair[1]
        colon = " : " if lang == "fr" else ": "
        text = f"{noun(metric, value, lang)}{colon}{q}{number(value, lang)} {word}"
    else:
        text = f"{q}{number(value, lang)} {noun(metric, value, lang)}"
    parts = [known.dimensions[d].word(v, lang) for d, v in crumbs.items() if d in known.dimensions]
    parts += [v for d, v in crumbs.items() if d not in known.dimensions]
    if parts:
        text += f" ({', '.join(parts)})"
    if e.base_value is not None and e.unit == "percent":
        text += f" ({BASE.get(lang, 'of')} {number(e.base_value, lang)})"
    if where:
        scope = e.jurisdiction or e.agency
        if scope:
            text += f" in {scope}" if lang == "en" and e.jurisdiction else f" ({scope})"
    period = when(e.period.start, e.period.end, lang)
    if period:
        text += f" {period}"
    return re.sub(r" {2,}", " ", text).strip()  # not split(): it breaks on U+202F too
