"""The per-jurisdiction bar chart (PNG) embedded in the HTML and PDF reports."""

from __future__ import annotations

import io

from beacon.operations.reports.colours import BRAND, INK
from beacon.operations.reports.labels import word
from beacon.operations.reports.model import Report
from beacon.operations.reports.tables import CHART_METRICS


def chart_png(report: Report, lang: str) -> bytes:
    """One panel per figure (up to three), each like the web page's chart: horizontal
    bars per jurisdiction, smallest first, in the web's colour."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    metrics = [m for m in CHART_METRICS if report.totals.value(m)][:3]
    rows = report.by_jurisdiction
    panels = max(1, len(metrics))
    height = max(2.4, 0.9 + 0.28 * len(rows))
    figure, grid = plt.subplots(1, panels, figsize=(8, height), dpi=100, squeeze=False)
    if not metrics:
        grid[0][0].set_axis_off()
    for axes, metric in zip(grid[0], metrics, strict=False):
        ordered = sorted(rows, key=lambda row: row.totals.value(metric) or 0)
        axes.barh(
            [row.jurisdiction for row in ordered],
            [row.totals.value(metric) or 0 for row in ordered],
            color=BRAND,
        )
        axes.set_xlabel(word(metric, lang), fontsize=8, color=INK)
        axes.tick_params(labelsize=7, colors=INK)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
    figure.suptitle(report.operation, fontsize=10, color=INK)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()
