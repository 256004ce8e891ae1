"""The PDF report: page numbers, generation date in the reader's locale, a TLP marking on
every page, the web's chart colours (issue 17)."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest

from beacon.core.actor import system_actor
from beacon.operations.reports import colours
from beacon.operations.reports.chart import chart_png
from beacon.operations.reports.compute import build_report
from beacon.operations.reports.mapimage import map_png
from beacon.operations.reports.pdf import generated_on, to_pdf
from tests.web.pdftext import pdf_text

pytestmark = pytest.mark.django_db
DASHBOARD = Path(__file__).parents[2] / "src/beacon/web/static/web/js/dashboard.js"
PAGE = {"en": r"page (\d+) of (\d+)", "fr": r"page (\d+) sur (\d+)"}
DAY = date(2026, 3, 1)
GENERATED = {"en": "generated on March 1, 2026", "fr": "généré le 1 mars 2026"}


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_page_has_its_number_the_date_and_the_tlp_marking(demo: Path, lang: str) -> None:
    report = build_report(system_actor(), "RECLAIM-AND-REBUILD-2021", lang=lang)
    pdf = to_pdf(report, lang, today=DAY)
    text = pdf_text(pdf)
    pages = _pages(pdf)
    assert pages >= 2
    numbers = [(int(a), int(b)) for a, b in re.findall(PAGE[lang], text)]
    assert numbers == [(n, pages) for n in range(1, pages + 1)]
    assert text.count("TLP:CLEAR") == 2 * pages  # top and bottom of each page
    assert report.sharing == "TLP:CLEAR"  # a results report: aggregates, made to publish
    assert text.count(GENERATED[lang]) >= pages


def test_the_generation_date_is_written_as_the_reader_s_locale_writes_it() -> None:
    assert generated_on("en", DAY) == "March 1, 2026"
    assert generated_on("fr", DAY) == "1 mars 2026"


def test_the_charts_use_the_web_pages_colours(demo: Path) -> None:
    script = DASHBOARD.read_text(encoding="utf-8")
    assert f'marker: {{ color: "{colours.BRAND}" }}' in script
    # The web map shades by whole-number classes from the lightest to the brand colour.
    palette = re.search(r"var PALETTE = \[([^\]]*)\]", script)
    assert palette is not None
    shades = re.findall(r'"(#[0-9a-f]{6})"', palette.group(1))
    assert (shades[0], shades[-1]) == (colours.LIGHT, colours.BRAND)
    from PIL import Image

    report = build_report(system_actor(), "UNITED-FRONT", lang="fr")
    bars = Image.open(io.BytesIO(chart_png(report, "fr"))).convert("RGB")
    counts = bars.getcolors(maxcolors=1_000_000) or []
    brand = tuple(int(colours.BRAND[i : i + 2], 16) for i in (1, 3, 5))
    coloured = [(n, c) for n, c in counts if isinstance(c, tuple) and len(set(c)) > 1]  # hue
    assert max(coloured)[1] == brand  # the bars' colour is the web's
    drawn = map_png(report, "fr")
    assert drawn is not None
    shades = Image.open(io.BytesIO(drawn)).convert("RGB").getcolors(maxcolors=1_000_000) or []
    assert any(c == brand for _n, c in shades)  # the top class is the web map's darkest


def test_the_status_line_follows_french_typography_in_every_rendering(demo: Path) -> None:
    from beacon.operations.reports.render import render

    report = build_report(system_actor(), "RESCUE-ME-2021", lang="fr")
    html = render(report, "html", "fr").decode()
    assert "Statut\u202f: en cours · Période\u202f: depuis le 1er mai 2021" in html
    assert "TLP:CLEAR" in html
    # The PDF's fonts have no narrow no-break space: a no-break space, laid out as a space.
    assert re.search("Statut[ \u00a0]: en cours", pdf_text(to_pdf(report, "fr")))
