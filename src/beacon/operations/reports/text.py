"""The press-release style summary of a report, in English or French."""

from __future__ import annotations

from functools import partial
from typing import Any

from beacon.operations.reports.labels import counted, day, listing, num, word


def _counted(items: dict[str, int | float], lang: str) -> str:
    return listing([f"{word(k, lang)} ({num(v, lang)})" for k, v in items.items()], lang)


def _opening(r: dict[str, Any], lang: str) -> str:
    fr = lang == "fr"
    leads = listing(r["lead_agencies"], lang) or listing(r["agencies"][:2], lang)
    others = r["totals"]["participating_agencies"] - len(r["lead_agencies"])
    start, end = day(r["period"]["start"], lang), day(r["period"]["end"], lang)
    places = r["jurisdictions"]
    where = ""
    if len(places) == 1:
        where = f" ({places[0]})" if fr else f" in {places[0]}"
    elif places:
        where = f" ({listing(places, lang)})"
    if fr:
        name = r["operation"].removeprefix("Operation ").removeprefix("Opération ")
        text = f"L'opération {name}, menée par {leads}"
        if others > 0:
            text += f" avec {num(others, lang)} agences partenaires"
        if r["status"] == "active":
            text += f", a débuté le {start}{where} et se poursuit."
        elif start == end:
            text += f", a eu lieu le {start}{where}."
        else:
            text += f", s'est déroulée du {start} au {end}{where}."
        return text
    text = f"{r['operation']}, led by {leads}"
    if others > 0:
        text += f" with {num(others, lang)} partner agencies"
    if r["status"] == "active":
        text += f", began on {start}{where} and is ongoing."
    elif start == end:
        text += f", took place on {start}{where}."
    else:
        text += f", ran from {start} to {end}{where}."
    return text


def _targets(t: dict[str, Any], lang: str) -> list[str]:
    if not t["targets"]:
        return []
    fr = lang == "fr"
    n = partial(num, lang=lang)
    ages = ""
    if t["target_age_min"] is not None:
        ages = (
            f" (âgés de {n(t['target_age_min'])} à {n(t['target_age_max'])} ans)"
            if fr
            else f" (aged {n(t['target_age_min'])} to {n(t['target_age_max'])})"
        )
    both = t["recovered"] + t["located"]
    minors = t["target_age_max"] is not None and t["target_age_max"] <= 18
    who = (
        ("mineurs disparus" if minors else "personnes disparues")
        if fr
        else ("missing minors" if minors else "missing persons")
    )
    if fr:
        out = [
            f"Sur une liste de {n(t['targets'])} {who}{ages}, {n(t['recovered'])} "
            f"ont été récupérés, {n(t['located'])} ont été localisés et {n(t['outstanding'])} "
            f"restent en suspens ({n(both)} récupérés ou localisés)."
        ]
    else:
        out = [
            f"Of {n(t['targets'])} {who} on the target list{ages}, "
            f"{n(t['recovered'])} were recovered, {n(t['located'])} were located and "
            f"{n(t['outstanding'])} remain outstanding ({n(both)} recovered or located)."
        ]
    if t["located_abroad"]:
        countries = listing(list(t["located_abroad_by_country"]), lang)
        out.append(
            f"{n(t['located_abroad'])} localisé{'s' if t['located_abroad'] > 1 else ''} à "
            f"l'étranger ({countries})."
            if fr
            else f"{n(t['located_abroad'])} located abroad ({countries})."
        )
    if t["screenings"]:
        out.append(
            f"{n(t['screenings'])} personnes récupérées ou localisées se sont vu proposer un "
            "dépistage de l'exploitation potentielle."
            if fr
            else f"{n(t['screenings'])} of those recovered or located were offered a screening "
            "for potential exploitation."
        )
    return out


def _field(t: dict[str, Any], lang: str) -> list[str]:
    fr = lang == "fr"
    n = partial(num, lang=lang)
    out = []
    if t["victims_rescued"]:
        parts = []
        if t["victims_adult"]:
            parts.append(f"{n(t['victims_adult'])} " + ("adultes" if fr else "adults"))
        if t["victims_minor"]:
            parts.append(f"{n(t['victims_minor'])} " + ("mineurs" if fr else "minors"))
        text = counted(t["victims_rescued"], "victims_rescued", lang)
        if parts:
            text += f" ({listing(parts, lang)})"
        if t["victim_age_min"] is not None:
            text += (
                f", âgées de {n(t['victim_age_min'])} à {n(t['victim_age_max'])} ans "
                f"(âge moyen {n(t['victim_age_mean'])} ans)"
                if fr
                else f", aged {n(t['victim_age_min'])} to {n(t['victim_age_max'])} "
                f"(mean age {n(t['victim_age_mean'])})"
            )
        if t["medical_services"]:
            text += (
                f" ; {n(t['medical_services'])} d'entre elles ont reçu des services médicaux"
                if fr
                else f"; {n(t['medical_services'])} of them were given medical services"
            )
        out.append(text + ".")
    if t["arrests"]:
        text = counted(t["arrests"], "arrests", lang)
        if t["arrests_by_role"]:
            text += f" ({_counted(t['arrests_by_role'], lang)})"
        if t["warrants_served"]:
            text += (
                f" ; {n(t['warrants_served'])} mandats d'arrêt en attente exécutés"
                if fr
                else f"; {n(t['warrants_served'])} outstanding arrest warrants served"
            )
        out.append(text + ".")
    for metric in ("search_warrants", "raids"):
        if t[metric]:
            out.append(counted(t[metric], metric, lang) + ".")
    if t["cash_seized"]:
        amounts = listing([f"{n(v)} {c}" for c, v in t["cash_seized_by_currency"].items()], lang)
        out.append(("Argent saisi : " if fr else "Cash seized: ") + amounts + ".")
    if t["files_seized"]:
        out.append(f"{n(t['files_seized'])} {word('files_seized', lang)}.")
    if t["investigations_opened"]:
        text = counted(t["investigations_opened"], "investigations_opened", lang)
        text += (
            f" : {_counted(t['investigations_by_type'], lang)}"
            if fr
            else (f": {_counted(t['investigations_by_type'], lang)}")
        )
        if t["investigations_by_agency"]:
            text += (" ; par " if fr else "; by ") + _counted(t["investigations_by_agency"], lang)
        out.append(text + ".")
    if t["referrals"]:
        out.append(
            ("Victimes orientées vers " if fr else "Victims referred to ")
            + _counted(t["referrals_by_agency"], lang)
            + "."
        )
    return out


def _places(r: dict[str, Any], lang: str) -> list[str]:
    rows = r["by_jurisdiction"]
    if len(rows) < 2 or not any(row["arrests"] or row["victims_rescued"] for row in rows):
        return []
    fr = lang == "fr"
    lines = []
    for row in rows:
        parts = []
        if row["victims_minor"] and row["victims_adult"]:
            parts.append(counted(row["victims_adult"], "victims_adult", lang))
            parts.append(counted(row["victims_minor"], "victims_minor", lang))
        elif row["victims_rescued"]:
            parts.append(counted(row["victims_rescued"], "victims_rescued", lang))
        for metric in ("arrests", "search_warrants"):
            if row[metric]:
                parts.append(counted(row[metric], metric, lang))
        if row["cash_seized"]:
            parts.append("argent saisi" if fr else "cash seized")
        if parts:
            lines.append(f"{row['jurisdiction']}{' :' if fr else ':'} {', '.join(parts)}")
    return ["; ".join(lines) + "."]


def _series(r: dict[str, Any], lang: str) -> list[str]:
    if "series_totals" not in r:
        return []
    fr = lang == "fr"
    totals, series = r["series_totals"], r["series"]
    n = partial(num, lang=lang)
    text = (
        f"{r['operation']} est la {n(r['edition'])}e édition de la série {series['name']}"
        f", commencée en {series['first_year']}."
        if fr
        else f"{r['operation']} is edition {n(r['edition'])} of the {series['name']} series, "
        f"which began in {series['first_year']}."
    )
    out = [text]
    for edition in r["series_editions"]:
        if edition["source"] == "reported":
            facts = [
                f"{n(v)} {word(k, lang)}"
                for k, v in edition.items()
                if k not in ("edition", "operation", "code", "source")
            ]
            out.append(
                (
                    f"Édition {edition['edition']} (chiffres publiés) : "
                    if fr
                    else f"Edition {edition['edition']} (published figures): "
                )
                + listing(facts, lang)
                + "."
            )
    sources = r["series_sources"]
    facts = []
    for metric in ("arrests", "victims_rescued"):
        if totals.get(metric):
            q = word(sources[metric]["qualifier"], lang)
            facts.append(f"{q}{n(totals[metric])} {word(metric, lang)}")
    if facts:
        out.append(
            ("Sur l'ensemble de la série : " if fr else "Across the series: ")
            + listing(facts, lang)
            + "."
        )
    return out


def _reported(r: dict[str, Any], lang: str) -> list[str]:
    fr = lang == "fr"
    out = []
    context = [e for e in r["reported_figures"] if e["context"]]
    if context:
        facts = []
        for e in context:
            where = (
                f" ({e['jurisdiction'] or e['agency']})"
                if (e["jurisdiction"] or e["agency"])
                else ""
            )
            period = e["period"]["start"][:4] if e["period"]["start"] else ""
            facts.append(
                f"{word(e['qualifier'], lang)}{num(e['value'], lang)} {word(e['metric'], lang)}"
                f"{where}{' ' + period if period else ''} ({e['source']['name']})"
            )
        out.append(("Contexte : " if fr else "Context: ") + "; ".join(facts) + ".")
    for e in r["disagreements"]:
        out.append(
            f"Les sources divergent : {e['source']['name']} a publié "
            f"{word(e['qualifier'], lang)}{num(e['value'], lang)} {word(e['metric'], lang)}, "
            f"les dossiers en donnent {num(e['computed'], lang)}."
            if fr
            else f"Sources disagree: {e['source']['name']} published "
            f"{word(e['qualifier'], lang)}{num(e['value'], lang)} {word(e['metric'], lang)}; "
            f"the records give {num(e['computed'], lang)}."
        )
    return out


def summary(report: dict[str, Any], lang: str) -> list[str]:
    """Paragraphs of the results summary."""
    t = report["totals"]
    paragraphs = [_opening(report, lang)]
    for part in (_targets(t, lang), _field(t, lang)):
        if part:
            paragraphs.append(" ".join(part))
    if report.get("sub_operations"):
        count = len(report["sub_operations"])
        paragraphs.append(
            f"Centre de coordination de {count} opérations menées simultanément."
            if lang == "fr"
            else f"Hub coordinating {count} operations run at the same time."
        )
    paragraphs += _places(report, lang) + _series(report, lang) + _reported(report, lang)
    return paragraphs
