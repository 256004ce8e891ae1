"""Rendering a report: JSON, Markdown, HTML (with the chart embedded) and PDF."""

from __future__ import annotations

import base64
import json
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from beacon.operations.reports.chart import chart_png
from beacon.operations.reports.model import Report
from beacon.operations.reports.phrases import french
from beacon.operations.reports.status import status_line
from beacon.operations.reports.tables import (
    HEAD,
    agency_table,
    area_table,
    figures_table,
    jurisdiction_table,
    sub_table,
    totals_table,
)
from beacon.operations.reports.text import summary

FORMATS = ("json", "md", "html", "pdf")


def as_json(report: Report, lang: str) -> dict[str, Any]:
    """The JSON contract: the report and its summary paragraphs."""
    return report.as_dict() | {"summary": summary(report, lang)}


def to_json(report: Report, lang: str) -> str:
    return json.dumps(as_json(report, lang), indent=2, ensure_ascii=False)


def _md_table(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines)


def to_markdown(report: Report, lang: str) -> str:
    head = HEAD[lang]
    parts = [
        f"# {report.operation}",
        f"*{status_line(report, lang)}*",
        *summary(report, lang),
        f"## {head['totals']}",
        _md_table(totals_table(report, lang)),
    ]
    for title, table in (
        ("by_jurisdiction", jurisdiction_table(report, lang)),
        ("by_agency", agency_table(report, lang)),
    ):
        if table:  # nothing recorded: no table of empty rows
            parts += [f"## {head[title]}", _md_table(table)]
    if report.by_place:
        parts += [f"## {head['by_place']}", _md_table(area_table(report, lang))]
    if report.sub_operations:
        parts += [f"## {head['subs']}", _md_table(sub_table(report, lang))]
    if report.figures:
        parts += [f"## {head['figures']}", _md_table(figures_table(report, lang))]
    parts += [f"## {head['agencies']}", ", ".join(report.agencies), f"_{head['note']}_"]
    text = "\n\n".join(parts) + "\n"
    return french(text) if lang == "fr" else text


def to_html(report: Report, lang: str) -> str:
    chart = base64.b64encode(chart_png(report, lang)).decode()
    with translation.override(lang):
        places = jurisdiction_table(report, lang)
        agencies = agency_table(report, lang)
        return render_to_string(
            "operations/report.html",
            {
                "report": report,
                "lang": lang,
                "head": HEAD[lang],
                "status_line": status_line(report, lang),
                "summary": summary(report, lang),
                "totals": totals_table(report, lang),
                "places": places or None,
                "agencies": agencies or None,
                "areas": area_table(report, lang) if report.by_place else None,
                "subs": sub_table(report, lang) if report.sub_operations else None,
                "figures": figures_table(report, lang) if report.figures else None,
                "chart": chart,
            },
        )


def render(report: Report, fmt: str, lang: str) -> bytes:
    if fmt == "json":
        return to_json(report, lang).encode()
    if fmt == "md":
        return to_markdown(report, lang).encode()
    if fmt == "html":
        return to_html(report, lang).encode()
    from beacon.operations.reports.pdf import to_pdf

    return to_pdf(report, lang)
