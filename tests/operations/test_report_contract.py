"""The report's JSON contract is unchanged by the typed report object (issue 13).

The API and ``beacon report --format json`` give the same document; its keys are the
ones (in the order) the dictionary-based report code gave, and its values are what the
seed's records say, counted here straight from the database.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from beacon.agencies.models import Agency
from beacon.core.actor import system_actor
from beacon.operations.models import (
    Arrest,
    Operation,
    Participation,
    ReportedFigure,
    SearchWarrant,
    Target,
    Victim,
)
from beacon.operations.reports.compute import build_report
from beacon.operations.reports.tally import BREAKDOWNS, METRICS
from beacon.operations.reports.text import summary
from tests.operations.conftest import report_json

pytestmark = pytest.mark.django_db
ClientFor = Callable[[str, Agency], Client]

# The keys of main's report dictionary, in its order (compute.build_report before the
# typed report): optional sections in brackets are present only where they apply.
TOP = [
    "operation", "code", "language", "description", "status", "period", "announced", "focus",
    "agencies", "lead_agencies", "participants", "jurisdictions", "totals", "by_jurisdiction",
    "by_agency", "hub", "[sub_operations]", "computed", "local_metrics", "by_place", "counts",
    "period_as_published", "[series]", "[edition]", "[series_totals]", "[series_sources]",
    "[series_editions]", "reported_figures", "nibrs", "disagreements", "summary",
]  # fmt: skip
FIGURE = [
    "ref", "metric", "label", "breakdown", "value", "qualifier", "unit", "base",
    "base_metric", "base_value", "currency", "scope", "operation", "series", "edition",
    "jurisdiction", "jurisdiction_kind", "agency", "period", "context", "parent",
    "publication", "supersedes", "superseded_by", "source", "note", "computed", "status",
    "publishers",
]  # fmt: skip
TALLY = [*METRICS, *BREAKDOWNS]


def _expected_top(data: dict[str, Any]) -> list[str]:
    return [k.strip("[]") for k in TOP if not k.startswith("[") or k.strip("[]") in data]


def _family(code: str) -> list[int]:
    root = Operation.objects.get(code=code)
    return [root.pk, *Operation.objects.filter(parent=root).values_list("pk", flat=True)]


@pytest.mark.parametrize(
    "code", ["RESCUE-ME-2021", "UNITED-FRONT", "PROTECTED-CHILDHOOD-8", "RECLAIM-AND-REBUILD-2021"]
)
def test_the_api_json_keeps_main_s_shape_and_the_records_values(
    demo: Path, api_client_as: ClientFor, code: str
) -> None:
    agency = Participation.objects.filter(operation__code=code).first()
    assert agency is not None
    client = api_client_as("hub_coordinator", agency.agency)
    response = client.get(f"/api/operations/{code}/report?lang=fr")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data == report_json(code, "fr")  # the CLI prints the same document
    assert list(data) == _expected_top(data)
    assert list(data["totals"]) == [*TALLY, "countries", "participating_agencies"]
    for row in data["by_jurisdiction"]:
        assert list(row) == ["jurisdiction", "jurisdiction_code", *TALLY]
    for row in data["by_agency"]:
        assert list(row) == ["agency", *TALLY]
    for sub in data.get("sub_operations", []):
        assert list(sub) == ["operation", "code", "status", "jurisdictions", "agencies", "totals"]
        assert list(sub["totals"]) == TALLY
    for figure in data["reported_figures"]:
        assert list(figure) == FIGURE
        assert list(figure["period"]) == ["start", "end"]
        assert list(figure["source"]) == ["name", "date", "document"]
    if "series" in data:
        assert list(data["series"]) == ["code", "name", "first_year", "edition_naming"]
        assert next(iter(data["series_totals"])) == "editions"
        assert set(data["series_sources"]) == set(data["series_totals"]) - {"editions"}
        for source in data["series_sources"].values():
            assert list(source) == ["value", "from", "sum_of_editions", "qualifier"]
        for row in data["series_editions"]:
            assert list(row)[:4] == ["edition", "operation", "code", "source"]

    ops = _family(code)
    totals = data["totals"]
    assert totals["arrests"] == Arrest.objects.filter(operation_id__in=ops).count()
    assert totals["victims_rescued"] == Victim.objects.filter(operation_id__in=ops).count()
    assert totals["targets"] == Target.objects.filter(operation_id__in=ops).count()
    assert totals["search_warrants"] == SearchWarrant.objects.filter(operation_id__in=ops).count()
    assert totals["participating_agencies"] == len(data["agencies"])
    assert sum(row["arrests"] for row in data["by_jurisdiction"]) == totals["arrests"]
    stored = ReportedFigure.objects.filter(operation_id__in=ops, withdrawn=False)
    own = [f for f in data["reported_figures"] if f["operation"] is not None]
    assert [f["ref"] for f in own] == list(stored.order_by("pk").values_list("ref", flat=True))
    assert data["disagreements"] == [
        f for f in data["reported_figures"] if f["status"] == "disagrees"
    ]
    report = build_report(system_actor(), code, lang="fr")
    assert data["summary"] == summary(report, "fr")
    assert data["operation"] == report.operation == Operation.objects.get(code=code).name
