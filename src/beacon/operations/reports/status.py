"""A report's status line and period ("Status: closed · Period: ..."), shared by every
rendering (Markdown, HTML and the PDF, which render.py itself hands reports to)."""

from __future__ import annotations

from beacon.operations.reports.labels import word
from beacon.operations.reports.model import Report
from beacon.operations.reports.phrases import french, partial_day, when
from beacon.operations.reports.sentences import phrase
from beacon.operations.reports.tables import HEAD

NOT_STATED = {"en": "not stated", "fr": "non précisée", "es": "sin precisar", "pt": "não indicado"}


def period(report: Report, lang: str) -> str:
    """The operation's period as precise as it was given (June 2023 - July 2023)."""
    given = report.period_as_published
    if given.start and given.end:
        return f"{partial_day(given.start, lang)} - {partial_day(given.end, lang)}"
    if given.start or given.end:  # "since May 1, 2021", "until 2019": never "May 1, 2021 -"
        return when(given.start, given.end, lang)
    return NOT_STATED[lang]


def status_line(report: Report, lang: str) -> str:
    """ "Status: closed · Period: ..." ("Statut : terminée · Période : ...")."""
    head = HEAD[lang]
    colon = phrase("colon", lang)  # "Statut : ..." in French
    line = (
        f"{head['status_op']}{colon}{word(report.status, lang)} · {head['period']}{colon}"
        f"{period(report, lang)}"
    )
    return french(line) if lang == "fr" else line
