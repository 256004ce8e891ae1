"""The press-release style summary of a report, in English or French."""

from __future__ import annotations

from collections.abc import Mapping

from beacon.operations.catalogue import Catalogue, catalogue
from beacon.operations.reports import phrases
from beacon.operations.reports.labels import (
    agency_with_article,
    counted,
    day,
    listing,
    num,
    word,
)
from beacon.operations.reports.model import Figure, Report, Stated, Totals
from beacon.operations.reports.sentences import phrase, say


def _counted(items: Mapping[str, int | float], lang: str) -> str:
    return listing([f"{word(k, lang)} ({num(v, lang)})" for k, v in items.items()], lang)


def _by(name: str, lang: str) -> str:
    """An agency after "led by": Portuguese contracts "por" with the article ("pelo")."""
    named = agency_with_article(name, lang)
    if lang != "pt":
        return named
    if named.startswith("o "):
        return "pel" + named
    if named.startswith("a "):
        return "pel" + named
    return f"por {named}"


def _opening(r: Report, lang: str) -> str:
    named = r.lead_agencies or r.agencies[:2]
    leads = listing([_by(a, lang) for a in named], lang)
    others = r.participating_agencies - len(r.lead_agencies)
    places = list(r.jurisdictions)
    where = ""
    if len(places) == 1:
        where = f" in {places[0]}" if lang == "en" else f" ({places[0]})"
    elif places:
        where = f" ({listing(places, lang)})"
    name = r.operation
    for prefix in ("Operation ", "Opération ", "Operación ", "Operação "):
        name = name.removeprefix(prefix)
    words = {"op": r.operation, "name": name, "leads": leads}
    text = phrase("op_led" if leads else "op_bare", lang, **words)
    if others > 0 and leads:
        text += say("partners", lang, others)
    return text + _when(r, lang, where)


def _when(r: Report, lang: str, where: str) -> str:
    """The rest of the opening sentence: when the operation ran, and where."""
    active = r.status == "active"
    published = r.period_as_published
    start, end = published.start, published.end
    if not start:
        if not end:
            return f"{where}."  # no date given: none invented
        return phrase("ended", lang, period=phrases.when(end, end, lang), where=where)
    if len(start) < 10 or (end and len(end) < 10):  # as precise as published
        period = phrases.when(start, end or start, lang)
        single = not end or end == start
        key = "began_partial" if active else "took_place" if single else "ran"
        return phrase(key, lang, period=period, where=where)
    first, last = day(start, lang), day(end, lang)
    if active:
        return phrase("began_ongoing", lang, first=first, where=where)
    if not end:
        return phrase("began", lang, first=first, where=where)
    if first == last:
        return phrase("on_day", lang, first=first, where=where)
    return phrase("from_to", lang, first=first, last=last, where=where)


def _ages(
    low: float | int | None, high: float | int | None, lang: str, prefix: str, n: float | int
) -> str:
    """The age range of a group: both ends, one end, or nothing ("" when unknown)."""
    if low is None and high is None:
        return ""
    a = num(low, lang) if low is not None else ""
    b = num(high, lang) if high is not None else ""
    if low is None:
        return say(f"{prefix}_oldest", lang, n, b=b)
    if high is None:
        return say(f"{prefix}_youngest", lang, n, a=a)
    if prefix == "victim":  # agrees with the number of victims
        return say("victim_age" if low == high else "victim_ages", lang, n, a=a, b=b)
    return say(f"{prefix}_ages", lang, 1 if low == high else 2, a=a, b=b)  # one age or two


def _targets(t: Totals, lang: str) -> list[str]:
    if not t.targets:
        return []
    minors = t.target_age_max is not None and t.target_age_max <= 18
    who = say("missing_minors" if minors else "missing_persons", lang, t.targets)
    prefix = "target" if minors else "person"  # French: "âgés" / "âgées"
    ages = _ages(t.target_age_min, t.target_age_max, lang, prefix, t.targets)
    both = t.recovered + t.located
    parts = [
        say("recovered", lang, t.recovered),
        say("located", lang, t.located),
        say("outstanding", lang, t.outstanding),
    ]
    out = [
        f"{say('target_list', lang, t.targets, who=who, ages=ages)}, "
        f"{listing(parts, lang)} ({say('recovered_or_located', lang, both)})."
    ]
    if t.located_abroad:
        countries = listing(list(t.located_abroad_by_country), lang)
        out.append(say("located_abroad", lang, t.located_abroad, countries=countries))
    if t.screenings:
        out.append(say("screenings", lang, t.screenings))
    return out


def _field(t: Totals, lang: str) -> list[str]:
    out = []
    if t.victims_rescued:
        parts = []
        if t.victims_adult:
            parts.append(say("adults", lang, t.victims_adult))
        if t.victims_minor:
            parts.append(say("minors", lang, t.victims_minor))
        text = counted(t.victims_rescued, "victims_rescued", lang)
        if parts:
            text += f" ({listing(parts, lang)})"
        text += _ages(t.victim_age_min, t.victim_age_max, lang, "victim", t.victims_rescued)
        mean = t.victim_age_mean
        if mean is not None and t.victim_age_min != t.victim_age_max:
            text += say("mean_age", lang, mean, m=num(mean, lang))
        if t.medical_services:
            text += say("medical", lang, t.medical_services)
        out.append(text + ".")
    if t.arrests:
        text = counted(t.arrests, "arrests", lang)
        if t.arrests_by_role:
            text += f" ({_counted(t.arrests_by_role, lang)})"
        if t.warrants_served:
            text += say("warrants_served", lang, t.warrants_served)
        out.append(text + ".")
    for metric, value in (("search_warrants", t.search_warrants), ("raids", t.raids)):
        if value:
            out.append(counted(value, metric, lang) + ".")
    if t.cash_seized:
        by_currency = t.cash_seized_by_currency
        amounts = listing([f"{num(v, lang)} {c}" for c, v in by_currency.items()], lang)
        out.append(say("cash_seized", lang) + (amounts or num(t.cash_seized, lang)) + ".")
    if t.files_seized:
        out.append(counted(t.files_seized, "files_seized", lang) + ".")
    if t.investigations_opened:
        text = counted(t.investigations_opened, "investigations_opened", lang)
        if t.investigations_by_type:
            text += phrase("colon", lang) + _counted(t.investigations_by_type, lang)
        if t.investigations_by_agency:
            text += say("by_agency", lang) + _counted(t.investigations_by_agency, lang)
        out.append(text + ".")
    if t.referrals:
        if t.referrals_by_agency:
            out.append(say("referred_to", lang) + _counted(t.referrals_by_agency, lang) + ".")
        else:
            out.append(counted(t.referrals, "referrals", lang) + ".")
    return out


def _places(r: Report, lang: str) -> list[str]:
    rows = r.by_jurisdiction
    if len(rows) < 2 or not any(row.totals.arrests or row.totals.victims_rescued for row in rows):
        return []
    lines = []
    for row in rows:
        t = row.totals
        parts = []
        if t.victims_minor and t.victims_adult:
            parts.append(counted(t.victims_adult, "victims_adult", lang))
            parts.append(counted(t.victims_minor, "victims_minor", lang))
        elif t.victims_rescued:
            parts.append(counted(t.victims_rescued, "victims_rescued", lang))
        for metric, value in (("arrests", t.arrests), ("search_warrants", t.search_warrants)):
            if value:
                parts.append(counted(value, metric, lang))
        if t.cash_seized:
            parts.append(word("cash_seized", lang))
        if parts:
            lines.append(f"{row.jurisdiction}{phrase('colon', lang)}{', '.join(parts)}")
    return ["; ".join(lines) + "."]


def _series(r: Report, lang: str, known: Catalogue) -> list[str]:
    series = r.series
    if series is None:
        return []
    naming = series.edition_naming
    year = str(series.first_year) if series.first_year else ""
    began = phrase("series_began", lang, year=year) if year else ""
    words = {"op": r.operation, "name": series.name, "began": began}
    if series.edition is None:
        out = [phrase("series_part", lang, **words)]
    else:
        this = phrases.edition(series.edition, naming, lang)
        out = [phrase("series_is", lang, this=this, **words)]
    for row in series.editions:
        if row.source != "reported":
            continue
        facts = [
            phrases.figure(
                Stated(metric=k, value=v, qualifier=row.qualifiers.get(k, "exact")), known, lang
            )
            for k, v in row.values.items()
        ]
        if facts:
            name = phrases.edition(row.edition, naming, lang)
            name = name[0].upper() + name[1:]
            out.append(phrase("edition_published", lang, name=name) + listing(facts, lang) + ".")
    facts = [
        phrases.figure(Stated(metric=m, value=t.value, qualifier=t.qualifier), known, lang)
        for m, t in series.totals.items()
        if t.value
    ]
    if facts:
        out.append(phrase("across_series", lang) + listing(facts, lang) + ".")
    return out


def _source(e: Figure, lang: str) -> str:
    date = phrases.partial_day(e.source.date, lang)
    return f"{e.source.name}, {date}" if date else e.source.name


def _ordered(entries: list[Figure]) -> list[tuple[Figure, int]]:
    """Each figure followed by its parts ("of which"), with its depth."""
    refs = {e.ref for e in entries}
    children: dict[str, list[Figure]] = {}
    for e in entries:
        if e.parent in refs:
            children.setdefault(e.parent, []).append(e)
    out: list[tuple[Figure, int]] = []

    def visit(e: Figure, depth: int) -> None:
        out.append((e, depth))
        for child in children.get(e.ref, []):
            visit(child, depth + 1)

    for e in entries:
        if e.parent not in refs:
            visit(e, 0)
    return out


def _phrases(entries: list[Figure], known: Catalogue, lang: str, naming: str) -> str:
    texts = []
    for e, depth in _ordered(entries):
        text = phrases.figure(e, known, lang)
        if e.edition:
            text += f" ({phrases.edition(e.edition, naming, lang)})"
        if e.note:
            text += f" ({phrase('quoted', lang, text=e.note)})"
        if depth:
            text = phrase("of_which", lang) + text
        texts.append(text)
    return "; ".join(texts)


def _reported(r: Report, lang: str, known: Catalogue) -> list[str]:
    out = []
    entries = list(r.figures)
    naming = r.naming

    def said(group: list[Figure]) -> str:
        return _phrases(group, known, lang, naming)

    context = [e for e in entries if e.context]
    if context:
        facts = [f"{said([e])} ({_source(e, lang)})" for e in context]
        out.append(phrase("context", lang) + "; ".join(facts) + ".")
    current = [e for e in entries if not e.context and e.status != "superseded"]
    by_source: dict[str, list[Figure]] = {}
    for e in current:
        by_source.setdefault(_source(e, lang), []).append(e)
    for source, group in by_source.items():
        out.append(phrase("published", lang, source=source) + said(group) + ".")
    superseded = [e for e in entries if e.status == "superseded"]
    if superseded:
        facts = [f"{said([e])} ({_source(e, lang)})" for e in superseded]
        out.append(phrase("superseded", lang) + "; ".join(facts) + ".")
    differ = [e for e in entries if e.status == "publishers_differ"]
    if differ:
        facts = [f"{said([e])} ({e.source.name})" for e in differ]
        out.append(phrase("differ", lang) + "; ".join(facts) + ".")
    for e in r.disagreements:
        stated = said([e])
        given = num(e.computed, lang)
        out.append(phrase("disagree", lang, source=e.source.name, said=stated, n=given))
    return out


def _counts(r: Report, lang: str, known: Catalogue) -> list[str]:
    if not r.counts:
        return []
    facts = []
    for row in r.counts:
        text = phrases.figure(row, known, lang, where=False)
        where = [w for w in (row.jurisdiction, row.agency) if w]
        if where:
            text += f" ({', '.join(where)})"
        facts.append(text)
    return [phrase("counted", lang) + "; ".join(facts) + "."]


def summary(report: Report, lang: str) -> list[str]:
    """Paragraphs of the results summary."""
    t = report.totals
    paragraphs = [_opening(report, lang)]
    for part in (_targets(t, lang), _field(t, lang)):
        if part:
            paragraphs.append(" ".join(part))
    if report.sub_operations:
        paragraphs.append(say("hub", lang, len(report.sub_operations)))
    known = catalogue({k: dict(v) for k, v in report.local_metrics.items()}, stored=False)
    paragraphs += _places(report, lang) + _counts(report, lang, known)
    paragraphs += _series(report, lang, known) + _reported(report, lang, known)
    if lang == "fr":
        paragraphs = [phrases.french(p) for p in paragraphs]
    return paragraphs
