"""Labels of the report metrics (the operations report's JSON contract), in both languages."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

LABELS: dict[str, str | Promise] = {
    "targets": _("Targets"),
    "recovered": _("Recovered"),
    "located": _("Located"),
    "outstanding": _("Outstanding"),
    "located_abroad": _("Located abroad"),
    "arrests": _("Arrests"),
    "victims_rescued": _("Victims rescued"),
    "victims_minor": _("Minor victims"),
    "victims_adult": _("Adult victims"),
    "medical_services": _("Medical services"),
    "screenings": _("Screenings"),
    "search_warrants": _("Search warrants"),
    "raids": _("Raids"),
    "investigations_opened": _("Investigations opened"),
    "cash_seized": _("Cash seized"),
    "referrals": _("Referrals"),
    "services": _("Services"),
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
