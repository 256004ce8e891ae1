"""The PDF report (reportlab): summary, totals, per-jurisdiction table and chart.

Every page carries the report's TLP marking (top and bottom), the generation date in
the reader's locale and "page n of N"."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.utils import formats, timezone, translation
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from beacon.operations.reports.chart import chart_png
from beacon.operations.reports.colours import INK
from beacon.operations.reports.mapimage import map_png
from beacon.operations.reports.model import Report
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

# TLP 2.0 label colours (text on a black background), FIRST's specification.
TLP_COLOURS = {
    "TLP:CLEAR": "#FFFFFF",
    "TLP:GREEN": "#33FF00",
    "TLP:AMBER": "#FFC000",
    "TLP:AMBER+STRICT": "#FFC000",
    "TLP:RED": "#FF2B2B",
}


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


def _glyphs(text: str) -> str:
    # The PDF's standard fonts have no narrow no-break space, ≈, → or ≠: their nearest.
    text = text.replace("\u202f", "\u00a0").replace("≈", "~").replace("→", "->")
    return text.replace("≠", "/=")


def _escape(text: str) -> str:
    return _glyphs(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def generated_on(lang: str, today: date | None = None) -> str:
    """The generation date in the reader's locale (Django's l10n formats and month names)."""
    with translation.override(lang):
        return formats.date_format(today or timezone.localdate(), "DATE_FORMAT")


def _marking(canvas: Canvas, text: str, x: float, y: float) -> None:
    """A TLP 2.0 label: the colour's own text on black (TLP:CLEAR is white on black)."""
    colour = TLP_COLOURS.get(text, "#FFFFFF")
    width = canvas.stringWidth(text, "Helvetica-Bold", 8) + 6
    canvas.setFillColor(colors.black)
    canvas.rect(x - width, y - 3, width, 12, stroke=0, fill=1)
    canvas.setFillColor(colors.HexColor(colour))
    canvas.setFont("Helvetica-Bold", 8)
    canvas.drawRightString(x - 3, y, text)


def _numbered(report: Report, lang: str, generated: str) -> type[Canvas]:
    """A canvas that writes, on every page, the TLP marking (top and bottom), the
    generation date and "page n of N" (known once every page is laid out)."""
    head = HEAD[lang]

    class Numbered(Canvas):  # type: ignore[misc]  # reportlab has no type hints
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._decorate(number, total)
                super().showPage()
            super().save()

        def _decorate(self, number: int, total: int) -> None:
            width, height = self._pagesize
            margin = 1.5 * cm
            _marking(self, report.sharing, width - margin, height - 1.0 * cm)
            _marking(self, report.sharing, width - margin, 0.7 * cm)
            self.setFillColor(colors.HexColor(INK))
            self.setFont("Helvetica", 8)
            self.drawString(margin, 0.7 * cm, _glyphs(f"{report.operation} · {generated}"))
            page = head["page"].format(n=number, total=total)
            self.drawCentredString(width / 2, 0.7 * cm, page)

    return Numbered


def to_pdf(report: Report, lang: str, *, today: date | None = None) -> bytes:
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
    generated = HEAD[lang]["generated"].format(date=generated_on(lang, today))
    story: list[Any] = [
        Paragraph(_escape(report.operation), styles["Title"]),
        Paragraph(
            _escape(f"{status_line(report, lang)} · {generated}"),
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
    doc.build(story, canvasmaker=_numbered(report, lang, generated))
    return buffer.getvalue()
