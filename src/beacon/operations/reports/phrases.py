"""Figures in words, English and French, from the metric catalogue's labels.

Numbers as each language writes them (French: a narrow no-break space between
thousands and before %, : ; ! ?), dates as precise as the source, editions by number or
year, qualifiers as published.
"""

from __future__ import annotations

import re
from datetime import date

from beacon.operations.catalogue import Catalogue, Metric
from beacon.operations.reports.labels import MONTHS_EN, MONTHS_FR, num
from beacon.operations.reports.model import Stated

NNBSP = "\u202f"  # narrow no-break space (French thousands, before : ; ! ? %)
QUALIFIERS = {
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
UNITS = {
    "years": (("year", "years"), ("an", "ans")),
    "months": (("month", "months"), ("mois", "mois")),
    "weeks": (("week", "weeks"), ("semaine", "semaines")),
    "days": (("day", "days"), ("jour", "jours")),
    "hours": (("hour", "hours"), ("heure", "heures")),
}
VOWEL_START = re.compile(r"^[aeiouyàâéèêëîïôöùûüœæh]", re.I)


def number(value: float | int | None, lang: str) -> str:
    """1,883 / 1 883 (narrow no-break space); 23.5 / 23,5."""
    return num(value, lang)


def percent(value: float | int, lang: str) -> str:
    return f"{number(value, lang)}{NNBSP}%" if lang == "fr" else f"{number(value, lang)}%"


def french(text: str) -> str:
    """French typographic spacing: a narrow no-break space before : ; ! ? and %."""
    text = re.sub(r"[ \u00a0]([:;!?%])", NNBSP + r"\1", text)
    return re.sub(r"(?<=[\w)])([;!?])(?=\s|$)", NNBSP + r"\1", text)


def partial_day(text: str | None, lang: str) -> str:
    """2019 / June 2021 / June 11, 2021 (juin 2021, 11 juin 2021, 1er juin 2021)."""
    if not text:
        return ""
    if re.fullmatch(r"\d{4}", text):
        return text
    if re.fullmatch(r"\d{4}-\d{2}", text):
        year, month = int(text[:4]), int(text[5:])
        return f"{(MONTHS_FR if lang == 'fr' else MONTHS_EN)[month - 1]} {year}"
    d = date.fromisoformat(text[:10])
    if lang == "fr":
        first = "1er" if d.day == 1 else str(d.day)
        return f"{first} {MONTHS_FR[d.month - 1]} {d.year}"
    return f"{MONTHS_EN[d.month - 1]} {d.day}, {d.year}"


def _precision(text: str) -> str:
    return "year" if len(text) == 4 else "month" if len(text) == 7 else "day"


def _de(word: str) -> str:
    return f"d'{word}" if VOWEL_START.match(word) else f"de {word}"


def when(start: str | None, end: str | None, lang: str) -> str:
    """The period a figure covers, as a phrase: "in 2019", "from June to July 2021"."""
    fr = lang == "fr"
    if not start and not end:
        return ""
    if start and end and re.fullmatch(r"\d{4}-01-01", start) and end == f"{start[:4]}-12-31":
        start = end = start[:4]  # a whole year, given as its first and last days
    if start and (not end or end == start):
        text = partial_day(start, lang)
        if not end:
            if fr:
                return f"depuis le {text}" if _precision(start) == "day" else f"depuis {text}"
            return f"since {text}"
        if _precision(start) == "day":
            return f"le {text}" if fr else f"on {text}"
        return f"en {text}" if fr else f"in {text}"
    if not start:
        assert end is not None
        text = partial_day(end, lang)
        return (
            f"jusqu'en {text}"
            if fr and _precision(end) != "day"
            else (f"jusqu'au {text}" if fr else f"until {text}")
        )
    assert end is not None
    a, b = partial_day(start, lang), partial_day(end, lang)
    if _precision(start) == _precision(end) == "month" and start[:4] == end[:4]:
        a = a.rsplit(" ", 1)[0]  # "June to July 2021"
    if fr:
        if _precision(start) == "day":
            return f"du {a} au {b}"
        return f"{_de(a)} à {b}"
    return f"from {a} to {b}"


def edition(value: int | None, naming: str, lang: str) -> str:
    """Edition 8 / 8e édition; the 2018 edition / l'édition 2018 (never "2 018e")."""
    if value is None:
        return ""
    if naming == "year":
        return f"l'édition {value}" if lang == "fr" else f"the {value} edition"
    if lang == "fr":
        return f"la {value}{'re' if value == 1 else 'e'} édition"
    return f"edition {value}"


def noun(metric: Metric, value: float | int, lang: str) -> str:
    words = metric.words(lang)
    singular = value < 2 if lang == "fr" else value == 1
    return words.one if singular else words.other


def figure(e: Stated, known: Catalogue, lang: str, *, where: bool = True) -> str:
    """One published figure as a phrase: "nearly 200 victims identified (minors) in
    Quebec in 2023", "60 % des victimes identifiées (mineurs)"."""
    metric_id, crumbs = known.resolve(e.metric, dict(e.breakdown))
    metric = known.get(metric_id)
    q = QUALIFIERS[lang].get(e.qualifier, "")
    value = e.value
    if metric is None:  # not in the catalogue any more: say it as stored
        text = f"{q}{number(value, lang)} {e.metric.replace('_', ' ')}"
    elif e.unit == "percent" or metric.unit == "percent":
        of = "des" if lang == "fr" else "of"
        base = known.get(known.resolve(e.base_metric)[0]) if e.base_metric else None
        over = base if base is not None and metric.unit == "percent" else metric
        text = f"{q}{percent(value, lang)} {of} {over.words(lang).other}"
        if over is not metric:  # say what the percentage counts, not only its base
            text += f" ({metric.words(lang).other})"
    elif metric.unit == "money":
        text = f"{q}{number(value, lang)} {e.currency} {noun(metric, value, lang)}"
    elif metric.unit in ("age", "duration"):
        unit = e.unit or "years"
        en, fr = UNITS.get(unit, UNITS["years"])
        pair = fr if lang == "fr" else en
        word = pair[0] if (value < 2 if lang == "fr" else value == 1) else pair[1]
        text = f"{noun(metric, value, lang)} : {q}{number(value, lang)} {word}"
        if lang != "fr":
            text = text.replace(" : ", ": ")
    else:
        text = f"{q}{number(value, lang)} {noun(metric, value, lang)}"
    parts = [known.dimensions[d].word(v, lang) for d, v in crumbs.items() if d in known.dimensions]
    parts += [v for d, v in crumbs.items() if d not in known.dimensions]
    if parts:
        text += f" ({', '.join(parts)})"
    if e.base_value is not None and e.unit == "percent":
        text += f" ({'sur' if lang == 'fr' else 'of'} {number(e.base_value, lang)})"
    if where:
        scope = e.jurisdiction or e.agency
        if scope:
            text += f" ({scope})" if lang == "fr" or not e.jurisdiction else f" in {scope}"
    period = when(e.period.start, e.period.end, lang)
    if period:
        text += f" {period}"
    return re.sub(r" {2,}", " ", text).strip()  # not split(): it breaks on U+202F too
