"""Rows and columns shared by the Markdown, HTML and PDF renderings."""

from __future__ import annotations

from typing import Any

from beacon.operations.reports.labels import num, word

TABLE_METRICS = (
    "targets",
    "recovered",
    "located",
    "outstanding",
    "located_abroad",
    "victims_rescued",
    "victims_adult",
    "victims_minor",
    "medical_services",
    "screenings",
    "arrests",
    "search_warrants",
    "raids",
    "investigations_opened",
    "referrals",
    "cash_seized",
)
CHART_METRICS = (
    "recovered",
    "located",
    "outstanding",
    "victims_rescued",
    "arrests",
    "search_warrants",
    "raids",
)
MARKS = {"agrees": "=", "disagrees": "≠", "not_compared": ""}
STATUS = {
    "en": {"agrees": "agrees", "disagrees": "DISAGREES", "not_compared": "not compared"},
    "fr": {"agrees": "concorde", "disagrees": "DIVERGE", "not_compared": "non comparé"},
}
HEAD = {
    "en": {
        "jurisdiction": "Jurisdiction",
        "agency": "Agency",
        "by_agency": "By agency",
        "metric": "Figure",
        "computed": "Computed from records",
        "reported": "Reported",
        "source": "Source",
        "status": "Check",
        "summary": "Summary",
        "totals": "Totals",
        "by_jurisdiction": "By jurisdiction",
        "figures": "Reported figures",
        "subs": "Sub-operations",
        "series": "Series",
        "edition": "Edition",
        "operation": "Operation",
        "agencies": "Agencies",
        "status_op": "Status",
        "period": "Period",
        "note": "Computed figures come from records; reported figures are as published.",
    },
    "fr": {
        "jurisdiction": "Juridiction",
        "agency": "Agence",
        "by_agency": "Par agence",
        "metric": "Chiffre",
        "computed": "Calculé à partir des dossiers",
        "reported": "Publié",
        "source": "Source",
        "status": "Contrôle",
        "summary": "Résumé",
        "totals": "Totaux",
        "by_jurisdiction": "Par juridiction",
        "figures": "Chiffres publiés",
        "subs": "Opérations",
        "series": "Série",
        "edition": "Édition",
        "operation": "Opération",
        "agencies": "Agences",
        "status_op": "Statut",
        "period": "Période",
        "note": "Les chiffres calculés viennent des dossiers ; les chiffres publiés sont tels que publiés.",
    },
}


def columns(report: dict[str, Any]) -> list[str]:
    totals = report["totals"]
    return [m for m in TABLE_METRICS if totals.get(m)]


def jurisdiction_table(report: dict[str, Any], lang: str) -> list[list[str]]:
    cols = columns(report)
    rows = [[HEAD[lang]["jurisdiction"], *(word(c, lang) for c in cols)]]
    for row in report["by_jurisdiction"]:
        rows.append([row["jurisdiction"], *(num(row[c], lang) for c in cols)])
    rows.append([HEAD[lang]["totals"], *(num(report["totals"][c], lang) for c in cols)])
    return rows


def agency_table(report: dict[str, Any], lang: str) -> list[list[str]]:
    cols = columns(report)
    rows = [[HEAD[lang]["agency"], *(word(c, lang) for c in cols)]]
    for row in report["by_agency"]:
        rows.append([row["agency"], *(num(row[c], lang) for c in cols)])
    return rows


def totals_table(report: dict[str, Any], lang: str) -> list[list[str]]:
    """Each computed total with the published figure for it beside it, marked."""
    published: dict[str, dict[str, Any]] = {}
    for entry in report["reported_figures"]:
        if entry["scope"] == "operation" and entry["operation"] == report["code"]:
            published[entry["metric"]] = entry
    head = HEAD[lang]
    rows = [[head["metric"], head["computed"], head["reported"], head["status"]]]
    metrics = [*columns(report), "victim_age_min", "victim_age_max", "victim_age_mean"]
    metrics += ["target_age_min", "target_age_max", "countries", "participating_agencies"]
    for metric in metrics:
        value = report["totals"].get(metric)
        if value in (None, 0) and metric not in published:
            continue
        entry = published.get(metric)
        rows.append(
            [
                word(metric, lang),
                num(value, lang),
                f"{word(entry['qualifier'], lang)}{num(entry['value'], lang)}" if entry else "",
                STATUS[lang][entry["status"]] if entry else "",
            ]
        )
    return rows


def figures_table(report: dict[str, Any], lang: str) -> list[list[str]]:
    head = HEAD[lang]
    rows = [[head["metric"], head["reported"], head["computed"], head["status"], head["source"]]]
    for e in report["reported_figures"]:
        scope = (
            e["jurisdiction"]
            or e["agency"]
            or (f"{head['edition']} {e['edition']}" if e["edition"] else "")
        )
        label = word(e["metric"], lang) + (f" ({scope})" if scope else "")
        source = e["source"]["name"] + (f", {e['source']['date']}" if e["source"]["date"] else "")
        rows.append(
            [
                label,
                f"{word(e['qualifier'], lang)}{num(e['value'], lang)}",
                num(e["computed"], lang) if e["computed"] is not None else "",
                STATUS[lang][e["status"]],
                source,
            ]
        )
    return rows


def sub_table(report: dict[str, Any], lang: str) -> list[list[str]]:
    cols = columns(report)
    rows = [[HEAD[lang]["operation"], *(word(c, lang) for c in cols)]]
    for sub in report.get("sub_operations", []):
        rows.append([sub["operation"], *(num(sub["totals"][c], lang) for c in cols)])
    return rows
