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
from beacon.operations.reports.sentences import say


def _counted(items: Mapping[str, int | float], lang: str) -> str:
    return listing([f"{word(k, lang)} ({num(v, lang)})" for k, v in items.items()], lang)


def _opening(r: Report, lang: str) -> str:
    fr = lang == "fr"
    named = r.lead_agencies or r.agencies[:2]
    leads = listing([agency_with_article(a, lang) for a in named], lang)
    others = r.participating_agencies - len(r.lead_agencies)
    places = list(r.jurisdictions)
    where = ""
    if len(places) == 1:
        where = f" ({places[0]})" if fr else f" in {places[0]}"
    elif places:
        where = f" ({listing(places, lang)})"
    if fr:
        name = r.operation.removeprefix("Operation ").removeprefix("Opération ")
        text = f"L'opération {name}, menée par {leads}" if leads else f"L'opération {name}"
    else:
        text = f"{r.operation}, led by {leads}" if leads else r.operation
    if others > 0 and leads:
        text += say("partners", lang, others)
    return text + _when(r, lang, where)


def _when(r: Report, lang: str, where: str) -> str:
    """The rest of the opening sentence: when the operation ran, and where."""
    fr, active = lang == "fr", r.status == "active"
    published = r.period_as_published
    start, end = published.start, published.end
    if not start:
        if not end:
            return f"{where}."  # no date given: none invented
        return f", {'a pris fin' if fr else 'ended'} {phrases.when(end, end, lang)}{where}."
    if len(start) < 10 or (end and len(end) < 10):  # as precise as published
        period = phrases.when(start, end or start, lang)
        if active:
            return (
                f", a débuté {period}{where}." if fr else f", began {period}{where} and is ongoing."
            )
        single = not end or end == start
        if fr:
            verb = "a eu lieu" if single else "s'est déroulée"
            return f", {verb} {period}{where}."
        return f", {'took place' if single else 'ran'} {period}{where}."
    first, last = day(start, lang), day(end, lang)
    if active:
        return (
            f", a débuté le {first}{where} et se poursuit."
            if fr
            else f", began on {first}{where} and is ongoing."
        )
    if not end:
        return f", a débuté le {first}{where}." if fr else f", began on {first}{where}."
    if first == last:
        return f", a eu lieu le {first}{where}." if fr else f", took place on {first}{where}."
    return (
        f", s'est déroulée du {first} au {last}{where}."
        if fr
        else f", ran from {first} to {last}{where}."
    )


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
            colon = " : " if lang == "fr" else ": "
            text += colon + _counted(t.investigations_by_type, lang)
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
    fr = lang == "fr"
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
            parts.append("argent saisi" if fr else "cash seized")
        if parts:
            lines.append(f"{row.jurisdiction}{' :' if fr else ':'} {', '.join(parts)}")
    return ["; ".join(lines) + "."]


def _series(r: Report, lang: str, known: Catalogue) -> list[str]:
    series = r.series
    if series is None:
        return []
    fr = lang == "fr"
    naming = series.edition_naming
    this = phrases.edition(series.edition, naming, lang)
    began = f", commencée en {series.first_year}" if fr else f", which began in {series.first_year}"
    if not series.first_year:
        began = ""
    text = (
        f"{r.operation} est {this} de la série {series.name}{began}."
        if fr
        else f"{r.operation} is {this} of the {series.name} series{began}."
    )
    out = [text]
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
            out.append(
                f"{name} ({'chiffres publiés' if fr else 'published figures'}) : "
                + listing(facts, lang)
                + "."
            )
    facts = [
        phrases.figure(Stated(metric=m, value=t.value, qualifier=t.qualifier), known, lang)
        for m, t in series.totals.items()
        if t.value
    ]
    if facts:
        out.append(
            ("Sur l'ensemble de la série : " if fr else "Across the series: ")
            + listing(facts, lang)
            + "."
        )
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
            text += f" ({chr(8220)}{e.note}{chr(8221)})" if lang != "fr" else f" (« {e.note} »)"
        if depth:
            text = ("dont " if lang == "fr" else "of which ") + text
        texts.append(text)
    return "; ".join(texts)


def _reported(r: Report, lang: str, known: Catalogue) -> list[str]:
    fr = lang == "fr"
    out = []
    entries = list(r.figures)
    naming = r.naming

    def said(group: list[Figure]) -> str:
        return _phrases(group, known, lang, naming)

    context = [e for e in entries if e.context]
    if context:
        facts = [f"{said([e])} ({_source(e, lang)})" for e in context]
        out.append(("Contexte : " if fr else "Context: ") + "; ".join(facts) + ".")
    current = [e for e in entries if not e.context and e.status != "superseded"]
    by_source: dict[str, list[Figure]] = {}
    for e in current:
        by_source.setdefault(_source(e, lang), []).append(e)
    for source, group in by_source.items():
        heading = "Publié" if fr else "Published"
        out.append(f"{heading} ({source}){' :' if fr else ':'} {said(group)}.")
    superseded = [e for e in entries if e.status == "superseded"]
    if superseded:
        facts = [f"{said([e])} ({_source(e, lang)})" for e in superseded]
        out.append(
            (
                "Chiffres provisoires remplacés depuis : "
                if fr
                else "Interim figures since superseded: "
            )
            + "; ".join(facts)
            + "."
        )
    differ = [e for e in entries if e.status == "publishers_differ"]
    if differ:
        facts = [f"{said([e])} ({e.source.name})" for e in differ]
        out.append(
            ("Les sources publiées diffèrent : " if fr else "Publishers differ: ")
            + "; ".join(facts)
            + "."
        )
    for e in r.disagreements:
        stated = said([e])
        out.append(
            f"Les sources divergent : {e.source.name} a publié {stated}, "
            f"les dossiers en donnent {num(e.computed, lang)}."
            if fr
            else f"Sources disagree: {e.source.name} published {stated}; "
            f"the records give {num(e.computed, lang)}."
        )
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
    lead = "Comptés par l'opération : " if lang == "fr" else "Counted by the operation: "
    return [lead + "; ".join(facts) + "."]


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
