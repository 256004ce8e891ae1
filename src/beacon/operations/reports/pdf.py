"""The PDF report (reportlab): summary, totals, per-jurisdiction table and chart."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from beacon.operations.reports.chart import chart_png
from beacon.operations.reports.labels import day, word
from beacon.operations.reports.mapimage import map_png
from beacon.operations.reports.model import Report
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


def _table(rows: list[list[str]], styles: Any) -> Table:
    small = styles["BodyText"].clone("small", fontSize=7, leading=8)
    cells = [[Paragraph(_escape(c), small) for c in row] for row in rows]
    table = Table(cells, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde4ee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _escape(text: str) -> str:
    # The PDF's standard fonts have no narrow no-break space, ≈ or →: their nearest glyphs.
    text = text.replace("\u202f", "\u00a0").replace("≈", "~").replace("→", "->")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("≠", "/=")


def to_pdf(report: Report, lang: str) -> bytes:
    styles = getSampleStyleSheet()
    head = HEAD[lang]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        title=report.operation,
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
    )
    start, end = day(report.period.start, lang), day(report.period.end, lang)
    story: list[Any] = [
        Paragraph(_escape(report.operation), styles["Title"]),
        Paragraph(
            _escape(
                f"{head['status_op']}: {word(report.status, lang)} · {head['period']}: "
                f"{start} - {end}"
            ),
            styles["Italic"],
        ),
    ]
    story += [Paragraph(_escape(p), styles["BodyText"]) for p in summary(report, lang)]
    story += [Spacer(1, 6), Paragraph(head["totals"], styles["Heading2"])]
    story.append(_table(totals_table(report, lang), styles))
    places = jurisdiction_table(report, lang)
    if places:
        story += [Paragraph(head["by_jurisdiction"], styles["Heading2"])]
        story.append(_table(places, styles))
    story.append(Image(io.BytesIO(chart_png(report, lang)), width=20 * cm, height=9 * cm))
    drawn_map = map_png(report, lang)
    if drawn_map is not None:
        story.append(Image(io.BytesIO(drawn_map), width=16 * cm, height=10 * cm))
    agencies = agency_table(report, lang)
    if agencies:
        story += [Paragraph(head["by_agency"], styles["Heading2"]), _table(agencies, styles)]
    if report.sub_operations:
        story += [
            Paragraph(head["subs"], styles["Heading2"]),
            _table(sub_table(report, lang), styles),
        ]
    if report.by_place:
        story += [Paragraph(head["by_place"], styles["Heading2"])]
        story.append(_table(area_table(report, lang), styles))
    if report.figures:
        story += [Paragraph(head["figures"], styles["Heading2"])]
        story.append(_table(figures_table(report, lang), styles))
    story.append(Paragraph(_escape(head["note"]), styles["Italic"]))
    doc.build(story)
    return buffer.getvalue()
