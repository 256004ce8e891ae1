"""Labels of the report metrics (the operations report's JSON contract), in both languages."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

LABELS: dict[str, str | Promise] = {
    "targets": pgettext_lazy("metric", "Targets"),
    "recovered": pgettext_lazy("metric", "Recovered"),
    "located": pgettext_lazy("metric", "Located"),
    "outstanding": pgettext_lazy("metric", "Outstanding"),
    "located_abroad": pgettext_lazy("metric", "Located abroad"),
    "arrests": pgettext_lazy("metric", "Arrests"),
    "victims_rescued": pgettext_lazy("metric", "Victims rescued"),
    "victims_minor": pgettext_lazy("metric", "Minor victims"),
    "victims_adult": pgettext_lazy("metric", "Adult victims"),
    "medical_services": pgettext_lazy("metric", "Medical services"),
    "screenings": pgettext_lazy("metric", "Screenings"),
    "search_warrants": pgettext_lazy("metric", "Search warrants"),
    "raids": pgettext_lazy("metric", "Raids"),
    "investigations_opened": pgettext_lazy("metric", "Investigations opened"),
    "cash_seized": pgettext_lazy("metric", "Cash seized"),
    "referrals": pgettext_lazy("metric", "Referrals"),
    "services": pgettext_lazy("metric", "Services"),
}

# Shown as cards on the dashboard, in this order, when the operation has any.
HEADLINE = (
    "targets",
    "recovered",
    "located",
    "outstanding",
    "arrests",
    "victims_rescued",
    "search_warrants",
    "raids",
    "investigations_opened",
    "medical_services",
)

# Metrics a map or chart may be shaded by (counts per jurisdiction).
MAPPABLE = (
    "arrests",
    "victims_rescued",
    "recovered",
    "located",
    "outstanding",
    "targets",
    "search_warrants",
    "raids",
)


def label(metric: str) -> str:
    return str(LABELS.get(metric, metric.replace("_", " ")))
