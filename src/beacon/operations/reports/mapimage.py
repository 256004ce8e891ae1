"""The jurisdictions map (PNG) embedded in the PDF report: outlines shaded by a metric.

Outlines come from the installed data packages through beacon.geo.shapes (the same
ones the dashboard map is drawn with), so the PDF needs no network either.
"""

from __future__ import annotations

import io
from typing import Any

import us

from beacon.operations.reports.colours import INK, SCALE
from beacon.operations.reports.labels import word
from beacon.operations.reports.model import Report
from beacon.operations.reports.tables import CHART_METRICS


def _outline(reference: str) -> dict[str, Any] | None:
    from beacon.geo.shapes import feature_for

    kind, _, code = reference.partition(":")
    if kind == "state":
        state = us.states.lookup(code)
        if state is None or not state.fips:
            return None
        code = state.fips
    return feature_for(kind, code)


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    """Outer rings of a Polygon or MultiPolygon (holes are not drawn at this scale)."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry["type"] == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    return []


def map_metric(report: Report) -> str | None:
    """The first chart metric the report has a non-zero total for."""
    return next((m for m in CHART_METRICS if report.totals.value(m)), None)


def map_png(report: Report, lang: str) -> bytes | None:
    """A choropleth of the report's jurisdictions, or None when none has an outline."""
    metric = map_metric(report)
    shaded = []
    for row in report.by_jurisdiction:
        reference = row.jurisdiction_code
        feature = _outline(reference) if reference else None
        if feature is not None and metric is not None:
            shaded.append((_rings(feature["geometry"]), float(row.totals.value(metric) or 0)))
    if not shaded or metric is None:
        return None

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.colors import LinearSegmentedColormap, Normalize
    from matplotlib.patches import Polygon

    top = max(value for _rings_, value in shaded) or 1.0
    norm = Normalize(vmin=0, vmax=top)
    blues = LinearSegmentedColormap.from_list("beacon", list(SCALE))  # the web map's scale
    figure, axes = plt.subplots(figsize=(8, 5), dpi=100)
    for rings, value in shaded:
        for ring in rings:
            axes.add_patch(
                Polygon(
                    ring,
                    closed=True,
                    facecolor=blues(norm(value)),
                    edgecolor=INK,
                    linewidth=0.5,
                )
            )
    axes.autoscale_view()
    axes.set_aspect("equal")
    axes.set_axis_off()
    mappable = plt.cm.ScalarMappable(norm=norm, cmap=blues)
    figure.colorbar(mappable, ax=axes, shrink=0.6, label=word(metric, lang))
    axes.set_title(f"{report.operation}: {word(metric, lang)}", fontsize=10)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()
