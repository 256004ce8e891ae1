"""The dashboard's card titles name report metrics: a metric renamed in the report's
contract (operations.reports.labels.METRICS) cannot leave a card behind."""

from __future__ import annotations

from django.utils import translation

from beacon.operations.reports.labels import METRICS
from beacon.web import metrics


def test_every_card_and_map_metric_is_a_report_metric() -> None:
    assert set(metrics.LABELS) <= set(METRICS)
    assert set(metrics.HEADLINE) <= set(metrics.LABELS)
    assert set(metrics.MAPPABLE) <= set(metrics.LABELS)


def test_card_titles_are_translated() -> None:
    with translation.override("fr"):
        french = {m: metrics.label(m) for m in metrics.HEADLINE}
    english = {m: metrics.label(m) for m in metrics.HEADLINE}
    untranslated = [m for m in metrics.HEADLINE if french[m] == english[m]]
    assert untranslated == []
