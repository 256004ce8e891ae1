"""The report's chart colours: the web dashboard's (web/static/web/js/dashboard.js), so
a chart in the PDF or the standalone HTML looks like the one on the page."""

from __future__ import annotations

BRAND = "#0b3d91"  # the bars of the web chart, the darkest class of the web map
LIGHT = "#dce6f5"  # the lightest class of the web map
INK = "#1b1f24"  # text and outlines
SCALE = (LIGHT, BRAND)  # the map's colour scale, light to dark
