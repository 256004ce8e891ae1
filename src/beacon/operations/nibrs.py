"""An operation's NIBRS counts: offences cleared (by arrest or exceptionally) beside
arrests and people arrested, for reports and the NIBRS summary.

Offences cleared and people arrested are different counts: one arrest can clear an
incident of several offences, several arrests one offence. Aggregates only, no names.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Count

from beacon.operations import codes
from beacon.operations.models import Arrest, Incident, Offense

NOT_APPLICABLE = codes.ExceptionalClearance.NOT_APPLICABLE.value


def status(has_arrests: bool, exceptional: str) -> str:
    """How an incident (and so each of its offences) is cleared: ``arrest``, A-E, or
    ``none``."""
    if has_arrests:
        return codes.Clearance.ARREST
    return exceptional if exceptional != NOT_APPLICABLE else codes.Clearance.NOT_CLEARED


@dataclass
class CodeCounts:
    code: str
    label: str
    offenses: int = 0
    cleared_by_arrest: int = 0
    cleared_exceptionally: int = 0
    arrests: int = 0  # arrest events charged with this code

    @property
    def cleared(self) -> int:
        return self.cleared_by_arrest + self.cleared_exceptionally


@dataclass
class NibrsSummary:
    """Offences cleared next to people arrested, for one operation and its sub-operations."""

    operation: str
    offenses: int = 0
    offenses_cleared: int = 0
    cleared_by_arrest: int = 0
    cleared_exceptionally: dict[str, int] = field(default_factory=dict)
    arrests: int = 0
    people_arrested: int = 0
    by_code: list[CodeCounts] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for row, counts in zip(out["by_code"], self.by_code, strict=True):
            row["cleared"] = counts.cleared
        return out


def summarise_offenses(operation_code: str, scope: list[int]) -> NibrsSummary:
    """Counts over operations already resolved (and allowed) by the caller, e.g. a report."""
    summary = NibrsSummary(operation_code)
    by_code: dict[str, CodeCounts] = {}

    def row(code: str) -> CodeCounts:
        if code not in by_code:
            by_code[code] = CodeCounts(code, str(codes.NibrsOffense(code).label))
        return by_code[code]

    cleared = {
        i.pk: status(bool(i.n_arrests), i.exceptional)
        for i in Incident.objects.filter(operation_id__in=scope).annotate(
            n_arrests=Count("arrests")
        )
    }
    for code, incident_id in Offense.objects.filter(operation_id__in=scope).values_list(
        "code", "incident_id"
    ):
        clearance = cleared[incident_id]
        counts = row(code)
        counts.offenses += 1
        summary.offenses += 1
        if clearance == codes.Clearance.ARREST:
            counts.cleared_by_arrest += 1
            summary.cleared_by_arrest += 1
        elif clearance in codes.EXCEPTIONAL:  # A-E
            counts.cleared_exceptionally += 1
            summary.cleared_exceptionally[clearance] = (
                summary.cleared_exceptionally.get(clearance, 0) + 1
            )
    summary.offenses_cleared = summary.cleared_by_arrest + sum(
        summary.cleared_exceptionally.values()
    )
    arrests = Arrest.objects.filter(operation_id__in=scope)
    # Counted in the database, grouped by code: a report of 40,000 arrests reads a few
    # rows, not 40,000 (bench/reports.py). COUNT(*), not COUNT(id): both counts are then
    # read from the index arrest_people alone, people in index order.
    totals = arrests.aggregate(n=Count("*"), people=Count("person_id", distinct=True))
    summary.arrests = totals["n"]
    summary.people_arrested = totals["people"]
    for code, n in (
        arrests.exclude(nibrs="").values("nibrs").annotate(n=Count("*")).values_list("nibrs", "n")
    ):
        row(code).arrests += n
    summary.by_code = [by_code[c] for c in sorted(by_code)]
    return summary
