"""The press-release style summary of a report, in English or French."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

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


def _counted(items: Mapping[str, int | float], lang: str) -> str:
    return listing([f"{word(k, lang)} ({num(v, lang)})" for k, v in items.items()], lang)


def _opening(r: Report, lang: str) -> str:
    fr = lang == "fr"
    named = r.lead_agencies or r.agencies[:2]
    leads = listing([agency_with_article(a, lang) for a in named], lang)
    others = r.participating_agencies - len(r.lead_agencies)
    start, end = day(r.period.start, lang), day(r.period.end, lang)
    published = r.period_as_published
    partial = any(v and len(v) < 10 for v in (published.start, published.end))
    places = list(r.jurisdictions)
    where = ""
    if len(places) == 1:
        where = f" ({places[0]})" if fr else f" in {places[0]}"
    elif places:
        where = f" ({listing(places, lang)})"
    if fr:
        name = r.operation.removeprefix("Operation ").removeprefix("Opération ")
        text = f"L'opération {name}, menée par {leads}"
        if others > 0:
            text += (
                f" avec {num(others, lang)} agence{'s' if others > 1 else ''} "
                f"partenaire{'s' if others > 1 else ''}"
            )
        if partial:
            period = phrases.when(published.start, published.end or published.start, lang)
            verb = "a débuté" if r.status == "active" else "s'est déroulée"
            if not published.end or published.end == published.start:
                verb = "a débuté" if r.status == "active" else "a eu lieu"
            return f"{text}, {verb} {period}{where}."
        if r.status == "active":
            text += f", a débuté le {start}{where} et se poursuit."
        elif start == end:
            text += f", a eu lieu le {start}{where}."
        else:
            text += f", s'est déroulée du {start} au {end}{where}."
        return text
    text = f"{r.operation}, led by {leads}"
    if others > 0:
        text += f" with {num(others, lang)} partner agenc{'ies' if others > 1 else 'y'}"
    if partial:
        period = phrases.when(published.start, published.end or published.start, lang)
        if r.status == "active":
            return f"{text}, began {period}{where} and is ongoing."
        verb = "took place" if not published.end or published.end == published.start else "ran"
        return f"{text}, {verb} {period}{where}."
    if r.status == "active":
        text += f", began on {start}{where} and is ongoing."
    elif start == end:
        text += f", took place on {start}{where}."
    else:
        text += f", ran from {start} to {end}{where}."
    return text


def _targets(t: Totals, lang: str) -> list[str]:
    if not t.targets:
        return []
    fr = lang == "fr"
    n = partial(num, lang=lang)
    ages = ""
    if t.target_age_min is not None:
        ages = (
            f" (âgés de {n(t.target_age_min)} à {n(t.target_age_max)} ans)"
            if fr
            else f" (aged {n(t.target_age_min)} to {n(t.target_age_max)})"
        )
    both = t.recovered + t.located
    minors = t.target_age_max is not None and t.target_age_max <= 18
    who = (
        ("mineurs disparus" if minors else "personnes disparues")
        if fr
        else ("missing minors" if minors else "missing persons")
    )
    if fr:
        out = [
            f"Sur une liste de {n(t.targets)} {who}{ages}, {n(t.recovered)} "
            f"ont été récupérés, {n(t.located)} ont été localisés et {n(t.outstanding)} "
            f"restent en suspens ({n(both)} récupérés ou localisés)."
        ]
    else:
        out = [
            f"Of {n(t.targets)} {who} on the target list{ages}, "
            f"{n(t.recovered)} were recovered, {n(t.located)} were located and "
            f"{n(t.outstanding)} remain outstanding ({n(both)} recovered or located)."
        ]
    if t.located_abroad:
        countries = listing(list(t.located_abroad_by_country), lang)
        out.append(
            f"{n(t.located_abroad)} localisé{'s' if t.located_abroad > 1 else ''} à "
            f"l'étranger ({countries})."
            if fr
            else f"{n(t.located_abroad)} located abroad ({countries})."
        )
    if t.screenings:
        out.append(
            f"{n(t.screenings)} personnes récupérées ou localisées se sont vu proposer un "
            "dépistage de l'exploitation potentielle."
            if fr
            else f"{n(t.screenings)} of those recovered or located were offered a screening "
            "for potential exploitation."
        )
    return out


def _field(t: Totals, lang: str) -> list[str]:
    fr = lang == "fr"
    n = partial(num, lang=lang)
    out = []
    if t.victims_rescued:
        parts = []
        if t.victims_adult:
            parts.append(f"{n(t.victims_adult)} " + ("adultes" if fr else "adults"))
        if t.victims_minor:
            parts.append(f"{n(t.victims_minor)} " + ("mineurs" if fr else "minors"))
        text = counted(t.victims_rescued, "victims_rescued", lang)
        if parts:
            text += f" ({listing(parts, lang)})"
        if t.victim_age_min is not None:
            text += (
                f", âgées de {n(t.victim_age_min)} à {n(t.victim_age_max)} ans "
                f"(âge moyen {n(t.victim_age_mean)} ans)"
                if fr
                else f", aged {n(t.victim_age_min)} to {n(t.victim_age_max)} "
                f"(mean age {n(t.victim_age_mean)})"
            )
        if t.medical_services:
            text += (
                f" ; {n(t.medical_services)} d'entre elles ont reçu des services médicaux"
                if fr
                else f"; {n(t.medical_services)} of them were given medical services"
            )
        out.append(text + ".")
    if t.arrests:
        text = counted(t.arrests, "arrests", lang)
        if t.arrests_by_role:
            text += f" ({_counted(t.arrests_by_role, lang)})"
        if t.warrants_served:
            text += (
                f" ; {n(t.warrants_served)} mandats d'arrêt en attente exécutés"
                if fr
                else f"; {n(t.warrants_served)} outstanding arrest warrants served"
            )
        out.append(text + ".")
    for metric, value in (("search_warrants", t.search_warrants), ("raids", t.raids)):
        if value:
            out.append(counted(value, metric, lang) + ".")
    if t.cash_seized:
        amounts = listing([f"{n(v)} {c}" for c, v in t.cash_seized_by_currency.items()], lang)
        out.append(("Argent saisi : " if fr else "Cash seized: ") + amounts + ".")
    if t.files_seized:
        out.append(f"{n(t.files_seized)} {word('files_seized', lang)}.")
    if t.investigations_opened:
        text = counted(t.investigations_opened, "investigations_opened", lang)
        text += (
            f" : {_counted(t.investigations_by_type, lang)}"
            if fr
            else (f": {_counted(t.investigations_by_type, lang)}")
        )
        if t.investigations_by_agency:
            text += (" ; par " if fr else "; by ") + _counted(t.investigations_by_agency, lang)
        out.append(text + ".")
    if t.referrals:
        out.append(
            ("Victimes orientées vers " if fr else "Victims referred to ")
            + _counted(t.referrals_by_agency, lang)
            + "."
        )
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
        count = len(report.sub_operations)
        paragraphs.append(
            f"Centre de coordination de {count} opérations menées simultanément."
            if lang == "fr"
            else f"Hub coordinating {count} operations run at the same time."
        )
    known = catalogue({k: dict(v) for k, v in report.local_metrics.items()}, stored=False)
    paragraphs += _places(report, lang) + _counts(report, lang, known)
    paragraphs += _series(report, lang, known) + _reported(report, lang, known)
    if lang == "fr":
        paragraphs = [phrases.french(p) for p in paragraphs]
    return paragraphs
