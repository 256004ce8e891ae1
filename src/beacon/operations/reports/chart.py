"""The per-jurisdiction bar chart (PNG) embedded in the HTML and PDF reports."""

from __future__ import annotations

import io

from beacon.operations.reports.labels import word
from beacon.operations.reports.model import Report
from beacon.operations.reports.tables import CHART_METRICS


def chart_png(report: Report, lang: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    metrics = [m for m in CHART_METRICS if report.totals.value(m)][:3]
    rows = report.by_jurisdiction
    names = [row.jurisdiction for row in rows]
    figure, axes = plt.subplots(figsize=(8, 3.6), dpi=100)
    width = 0.8 / max(1, len(metrics))
    for index, metric in enumerate(metrics):
        positions = [i + index * width for i in range(len(rows))]
        axes.bar(
            positions,
            [row.totals.value(metric) or 0 for row in rows],
            width,
            label=word(metric, lang),
        )
    axes.set_xticks([i + width * (len(metrics) - 1) / 2 for i in range(len(rows))])
    axes.set_xticklabels(
        names,
        rotation=30 if len(rows) > 4 else 0,
        ha="right" if len(rows) > 4 else "center",
        fontsize=8,
    )
    axes.set_title(report.operation, fontsize=10)
    if metrics:
        axes.legend(fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()
