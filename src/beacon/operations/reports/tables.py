"""Rows and columns shared by the Markdown, HTML and PDF renderings."""

from __future__ import annotations

from beacon.operations.reports.labels import num, word
from beacon.operations.reports.model import Figure, Report, Totals

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
MARKS = {
    "agrees": "=",
    "disagrees": "≠",
    "not_compared": "",
    "superseded": "→",
    "publishers_differ": "≈",
}
STATUS = {
    "en": {
        "agrees": "agrees",
        "disagrees": "DISAGREES",
        "not_compared": "not recorded",
        "superseded": "superseded",
        "publishers_differ": "publishers differ",
    },
    "fr": {
        "agrees": "concorde",
        "disagrees": "DIVERGE",
        "not_compared": "non enregistré",
        "superseded": "remplacé",
        "publishers_differ": "les sources diffèrent",
    },
}
STATUS |= {
    "es": {
        "agrees": "coincide",
        "disagrees": "NO COINCIDE",
        "not_compared": "no registrado",
        "superseded": "reemplazado",
        "publishers_differ": "las fuentes difieren",
    },
    "pt": {
        "agrees": "confere",
        "disagrees": "NÃO CONFERE",
        "not_compared": "não registrado",
        "superseded": "substituído",
        "publishers_differ": "as fontes divergem",
    },
}
PUBLICATION = {
    "en": {"interim": "interim", "preliminary": "preliminary"},
    "fr": {"interim": "provisoire", "preliminary": "préliminaire"},
    "es": {"interim": "provisional", "preliminary": "preliminar"},
    "pt": {"interim": "provisório", "preliminary": "preliminar"},
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
        "scope": "Scope",
        "fig_period": "Period",
        "part_of": "Part of",
        "fig_note": "Note",
        "summary": "Summary",
        "totals": "Totals",
        "by_jurisdiction": "By jurisdiction",
        "by_place": "Places named by the figures",
        "figures": "Reported figures",
        "subs": "Sub-operations",
        "series": "Series",
        "edition": "Edition",
        "operation": "Operation",
        "agencies": "Agencies",
        "status_op": "Status",
        "period": "Period",
        "note": "Computed figures come from records; reported figures are as published.",
        "page": "page {n} of {total}",
        "generated": "generated on {date}",
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
        "scope": "Portée",
        "fig_period": "Période",
        "part_of": "Partie de",
        "fig_note": "Note",
        "summary": "Résumé",
        "totals": "Totaux",
        "by_jurisdiction": "Par juridiction",
        "by_place": "Lieux nommés par les chiffres",
        "figures": "Chiffres publiés",
        "subs": "Opérations",
        "series": "Série",
        "edition": "Édition",
        "operation": "Opération",
        "agencies": "Agences",
        "status_op": "Statut",
        "period": "Période",
        "note": "Les chiffres calculés viennent des dossiers ; les chiffres publiés sont tels que publiés.",
        "page": "page {n} sur {total}",
        "generated": "généré le {date}",
    },
    "es": {
        "jurisdiction": "Jurisdicción",
        "agency": "Organismo",
        "by_agency": "Por organismo",
        "metric": "Cifra",
        "computed": "Calculado a partir de los registros",
        "reported": "Publicado",
        "source": "Fuente",
        "status": "Control",
        "scope": "Ámbito",
        "fig_period": "Periodo",
        "part_of": "Parte de",
        "fig_note": "Nota",
        "summary": "Resumen",
        "totals": "Totales",
        "by_jurisdiction": "Por jurisdicción",
        "by_place": "Lugares citados por las cifras",
        "figures": "Cifras publicadas",
        "subs": "Operaciones",
        "series": "Serie",
        "edition": "Edición",
        "operation": "Operación",
        "agencies": "Organismos",
        "status_op": "Estado",
        "period": "Periodo",
        "note": "Las cifras calculadas proceden de los registros; las publicadas, tal como se publicaron.",
        "page": "página {n} de {total}",
        "generated": "generado el {date}",
    },
    "pt": {
        "jurisdiction": "Jurisdição",
        "agency": "Órgão",
        "by_agency": "Por órgão",
        "metric": "Número",
        "computed": "Calculado a partir dos registros",
        "reported": "Publicado",
        "source": "Fonte",
        "status": "Verificação",
        "scope": "Âmbito",
        "fig_period": "Período",
        "part_of": "Parte de",
        "fig_note": "Nota",
        "summary": "Resumo",
        "totals": "Totais",
        "by_jurisdiction": "Por jurisdição",
        "by_place": "Locais citados pelos números",
        "figures": "Números publicados",
        "subs": "Operações",
        "series": "Série",
        "edition": "Edição",
        "operation": "Operação",
        "agencies": "Órgãos",
        "status_op": "Situação",
        "period": "Período",
        "note": "Os números calculados vêm dos registros; os publicados, tal como publicados.",
        "page": "página {n} de {total}",
        "generated": "gerado em {date}",
    },
}


def columns(report: Report) -> list[str]:
    return [m for m in TABLE_METRICS if report.totals.value(m)]


def _nums(totals: Totals, cols: list[str], lang: str) -> list[str]:
    return [num(totals.value(c), lang) for c in cols]


def jurisdiction_table(report: Report, lang: str) -> list[list[str]]:
    cols = columns(report)
    if not cols:
        return []  # nothing recorded: no table of empty rows
    rows = [[HEAD[lang]["jurisdiction"], *(word(c, lang) for c in cols)]]
    for row in report.by_jurisdiction:
        rows.append([row.jurisdiction, *_nums(row.totals, cols, lang)])
    rows.append([HEAD[lang]["totals"], *_nums(report.totals, cols, lang)])
    return rows


def agency_table(report: Report, lang: str) -> list[list[str]]:
    cols = columns(report)
    if not cols or not report.by_agency:
        return []
    rows = [[HEAD[lang]["agency"], *(word(c, lang) for c in cols)]]
    for row in report.by_agency:
        rows.append([row.agency, *_nums(row.totals, cols, lang)])
    return rows


def totals_table(report: Report, lang: str) -> list[list[str]]:
    """Each computed total with every published figure for it beside it (one row per
    publisher: none is hidden), marked."""
    published: dict[str, list[Figure]] = {}
    for f in report.figures:
        if f.scope == "operation" and f.operation == report.code and not f.breakdown and not f.unit:
            published.setdefault(f.metric, []).append(f)
    head = HEAD[lang]
    rows = [[head["metric"], head["computed"], head["reported"], head["status"], head["source"]]]
    metrics = [*columns(report), "victim_age_min", "victim_age_max", "victim_age_mean"]
    metrics += ["target_age_min", "target_age_max", "countries", "participating_agencies"]
    computed = report.computed
    metrics += [m for m in computed if m not in metrics]
    metrics += [m for m in published if m not in metrics]
    labels = {e.metric: e.label.lower() for e in report.figures if e.label}
    for metric in metrics:
        value = computed[metric] if metric in computed else report.total(metric)
        if value in (None, 0) and metric not in published:
            continue
        shown = num(value, lang) if metric in computed or value else ""
        entries: list[Figure | None] = [*published.get(metric, [])] or [None]
        for entry in entries:
            rows.append(
                [
                    word(metric, lang)
                    if metric in TABLE_METRICS
                    else labels.get(metric) or word(metric, lang),
                    shown,
                    f"{word(entry.qualifier, lang)}{num(entry.value, lang)}" if entry else "",
                    STATUS[lang][entry.status] if entry else "",
                    entry.source.name if entry else "",
                ]
            )
    return rows


def _figure_label(e: Figure, lang: str) -> str:
    from beacon.operations.reports.phrases import BASE

    label = e.label or word(e.metric, lang)
    if e.breakdown:
        from beacon.operations.catalogue import builtin

        dims = builtin().dimensions
        label += (
            " ("
            + ", ".join(dims[d].word(v, lang) if d in dims else v for d, v in e.breakdown.items())
            + ")"
        )
    if e.unit == "percent" and e.base_value is not None:
        label += f" ({BASE.get(lang, 'of')} {num(e.base_value, lang)})"
    return label


def figures_table(report: Report, lang: str) -> list[list[str]]:
    """Every reported figure: value as published, scope, period, parent, source (with its
    document), note, the computed value where recorded, and the check."""
    from beacon.operations.reports.phrases import edition, partial_day, percent, when

    head = HEAD[lang]
    rows = [
        [
            head["metric"],
            head["reported"],
            head["scope"],
            head["fig_period"],
            head["part_of"],
            head["computed"],
            head["status"],
            head["source"],
            head["fig_note"],
        ]
    ]
    naming = report.naming
    labels = {e.ref: e.label or word(e.metric, lang) for e in report.figures}
    for e in report.figures:
        scope = [x for x in (e.jurisdiction, e.agency) if x]
        if e.edition:
            scope.append(edition(e.edition, naming, lang))
        unit = e.currency or ("" if e.unit == "percent" else e.unit)
        source = e.source.name
        if e.source.date:
            source += f", {partial_day(e.source.date, lang)}"
        if e.source.document:
            source += f" ({e.source.document})"
        if e.publication != "final":
            source += f" [{PUBLICATION[lang][e.publication]}]"
        rows.append(
            [
                _figure_label(e, lang),
                word(e.qualifier, lang)
                + (
                    percent(e.value, lang)
                    if e.unit == "percent"
                    else num(e.value, lang) + (f" {unit}" if unit else "")
                ),
                ", ".join(scope),
                when(e.period.start, e.period.end, lang),
                labels.get(e.parent, "") if e.parent else "",
                num(e.computed, lang) if e.computed is not None else "",
                STATUS[lang][e.status],
                source,
                e.note,
            ]
        )
    return rows


def area_table(report: Report, lang: str) -> list[list[str]]:
    """Every place the figures name, at any level: computed, or "not recorded"."""
    rows = report.by_place
    if not rows:
        return []
    metrics = list(rows[0].values)
    head = HEAD[lang]
    out = [[head["jurisdiction"], *(word(m, lang) for m in metrics)]]
    dash = STATUS[lang]["not_compared"]
    for row in rows:
        values = row.values
        out.append(
            [
                row.jurisdiction,
                *(num(values[m], lang) if values[m] is not None else dash for m in metrics),
            ]
        )
    return out


def sub_table(report: Report, lang: str) -> list[list[str]]:
    cols = columns(report)
    rows = [[HEAD[lang]["operation"], *(word(c, lang) for c in cols)]]
    for sub in report.sub_operations:
        rows.append([sub.operation, *_nums(sub.totals, cols, lang)])
    return rows
