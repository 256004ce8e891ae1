"""The aggregates behind every report: grouped facts tallied per cell.

The facts come grouped by (operation, jurisdiction, agency, category) in one statement
(reports.facts), so a hub with twelve sub-operations costs the same two statements as a
single operation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Q

from beacon.agencies.models import Jurisdiction
from beacon.operations import codes
from beacon.operations.models import Operation
from beacon.operations.reports.facts import facts
from beacon.operations.reports.tally import Tally, age_on

Cell = tuple[int, int | None, int | None]  # (operation, jurisdiction, agency) ids


class Places:
    """Jurisdictions by id, and how an event's place maps to an operation's declared one."""

    def __init__(self, ids: Iterable[int | None], declared: dict[int, list[int]]) -> None:
        wanted = {i for i in ids if i is not None} | {i for v in declared.values() for i in v}
        rows = Jurisdiction.objects.filter(Q(pk__in=wanted) | Q(kind="country", code="US"))
        self.by_id: dict[int, Jurisdiction] = {j.pk: j for j in rows}
        self.us = next(
            (j.pk for j in self.by_id.values() if j.kind == "country" and j.code == "US"), None
        )
        self.declared = declared
        # Record types each operation holds, and those with a row that has no place
        # (docs/metrics.md, "How a metric is compared"); filled by tally_cells.
        self.present: dict[int, set[str]] = defaultdict(set)
        self.placeless: dict[int, set[str]] = defaultdict(set)

    def country_code(self, jurisdiction_id: int) -> str:
        place = self.by_id[jurisdiction_id]
        return place.code if place.kind == "country" else "US"

    def countries(self, operation_id: int) -> set[str]:
        return {self.country_code(j) for j in self.declared.get(operation_id, [])}

    def fold(self, operation_id: int, jurisdiction_id: int | None) -> int | None:
        """The operation's own jurisdiction an event's place belongs to (or the place)."""
        if jurisdiction_id is None:
            return None
        declared = self.declared.get(operation_id, [])
        if jurisdiction_id in declared:
            return jurisdiction_id
        place = self.by_id.get(jurisdiction_id)
        if place is None:
            return jurisdiction_id
        if place.parent_id in declared:
            return place.parent_id
        if place.kind in ("state", "county") and self.us in declared:
            return self.us
        return jurisdiction_id


def declared_jurisdictions(operation_ids: list[int]) -> dict[int, list[int]]:
    through = Operation.jurisdictions.through
    declared: dict[int, list[int]] = defaultdict(list)
    for op_id, j_id in (
        through.objects.filter(operation_id__in=operation_ids)
        .order_by("id")
        .values_list("operation_id", "jurisdiction_id")
    ):
        declared[op_id].append(j_id)
    return declared


# The record type (docs/metrics.md, ``computed_from``) of each kind of fact.
RECORD_TYPES = {
    "target": "targets",
    "arrest": "arrests",
    "victim": "victims",
    "service": "services",
    "warrant": "search_warrants",
    "raid": "raids",
    "investigation": "investigations",
    "seizure": "seizures",
    "referral": "referrals",
}


def folded(cells: dict[Cell, Tally], places: Places) -> dict[Cell, Tally]:
    """The cells with each event's place folded into the operation's declared one (the
    by-jurisdiction table's rows)."""
    out: dict[Cell, Tally] = defaultdict(Tally)
    for (op_id, place, agency), tally in cells.items():
        out[(op_id, places.fold(op_id, place), agency)].add(tally)
    return out


def tally_cells(operations: dict[int, Operation]) -> tuple[dict[Cell, Tally], Places]:
    """Every fact of these operations, tallied per (operation, place, agency) cell, each
    at the place where it happened (``folded`` gives the declared places' view).

    The agency is the one that recorded the event (a target's: its assigned agency).
    Two statements: the grouped facts with the declared jurisdictions (reports.facts),
    then the places they name."""
    cells: dict[Cell, Tally] = defaultdict(Tally)
    declared: dict[int, list[int]] = defaultdict(list)
    raw: list[tuple[str, dict[str, Any]]] = []
    for kind, row in facts(operations):
        if kind == "declared":
            declared[row["operation_id"]].append(row["jurisdiction_id"])
        else:
            raw.append((kind, row))
    places = Places([r["jurisdiction_id"] for _k, r in raw], declared)
    for kind, fact in raw:
        op_id = fact["operation_id"]
        places.present[op_id].add(RECORD_TYPES[kind])
        if fact["jurisdiction_id"] is None:
            places.placeless[op_id].add(RECORD_TYPES[kind])
        cell = cells[(op_id, fact["jurisdiction_id"], fact["by"])]
        _add(kind, fact, cell, operations[op_id], places)
    return cells, places


def _add(kind: str, row: dict[str, Any], cell: Tally, operation: Operation, places: Places) -> None:
    n = int(row.get("n") or 0)
    c = cell.counts
    if kind == "target":
        c["targets"] += n
        outcome = row["kind"]
        if outcome == codes.OutcomeKind.RECOVERED:
            c["recovered"] += n
        elif outcome == codes.OutcomeKind.LOCATED:
            c["located"] += n
        else:
            c["outstanding"] += n
        if outcome and row["out_kind"]:
            country = row["out_code"] if row["out_kind"] == "country" else "US"
            if country not in places.countries(operation.pk):
                c["located_abroad"] += n
                cell.breakdowns["located_abroad_by_country"][str(country)] += n
        if operation.start and row["dob_min"] and row["dob_max"]:
            cell.see_target_ages(
                age_on(row["dob_max"], operation.start),
                age_on(row["dob_min"], operation.start),
            )
    elif kind == "arrest":
        c["arrests"] += n
        c["warrants_served"] += int(row["served"] or 0)
        cell.breakdowns["arrests_by_role"][str(row["role"])] += n
    elif kind == "victim":
        c["victims_rescued"] += n
        if row["age_group"] == codes.AgeGroup.MINOR:
            c["victims_minor"] += n
        elif row["age_group"] == codes.AgeGroup.ADULT:
            c["victims_adult"] += n
        cell.see_victim_ages(row["age_low"], row["age_high"])
        if row["aged"]:
            cell.victim_age_sum += float(row["age_sum"]) / 2
            cell.victim_age_count += int(row["aged"])
    elif kind == "service":
        c["services"] += n
        cell.breakdowns["services_by_kind"][str(row["kind"])] += n
        if row["kind"] == codes.ServiceKind.MEDICAL:
            c["medical_services"] += n
        elif row["kind"] == codes.ServiceKind.SCREENING:
            c["screenings"] += n
    elif kind == "warrant":
        c["search_warrants"] += n
    elif kind == "raid":
        c["raids"] += n
        cell.breakdowns["raids_by_kind"][str(row["kind"])] += n
    elif kind == "investigation":
        c["investigations_opened"] += n
        cell.breakdowns["investigations_by_type"][str(row["type"])] += n
        cell.breakdowns["investigations_by_agency"][str(row["agency__name"])] += n
    elif kind == "seizure":
        cash = Decimal(str(row["cash"] or 0))
        cell.cash += cash
        if cash:
            cell.breakdowns["cash_seized_by_currency"][str(row["currency"] or "?")] += cash  # type: ignore[assignment]
        c["devices_seized"] += int(row["devices"] or 0)
        c["files_seized"] += int(row["files"] or 0)
    elif kind == "referral":
        c["referrals"] += n
        cell.breakdowns["referrals_by_agency"][str(row["to"])] += n
