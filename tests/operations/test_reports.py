"""Reports on the demo: renderings, drill-down, hub and series, disagreements, access."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from beacon.agencies.models import Agency
from beacon.core.actor import system_actor
from beacon.operations.bundles import FORMAT, VERSION
from beacon.operations.bundles.importer import import_bundle
from beacon.operations.models import Referral, Victim
from beacon.operations.reports.compute import build_report
from beacon.operations.reports.drilldown import drilldown
from beacon.operations.reports.mapimage import map_png
from beacon.operations.reports.model import Hub
from beacon.operations.reports.render import render
from beacon.records.models import MissingPersonRecord
from tests.personas import acting

pytestmark = pytest.mark.django_db
RM, PC8, UF, RR = (
    "RESCUE-ME-2021",
    "PROTECTED-CHILDHOOD-8",
    "UNITED-FRONT",
    "RECLAIM-AND-REBUILD-2021",
)
ClientFor = Callable[[str, Agency], Client]


@pytest.mark.parametrize(
    ("code", "metric", "jurisdiction", "expected"),
    [
        (RM, "recovered", "", 3),
        (RM, "located", "", 75),
        (RM, "outstanding", "", 2),
        (RM, "located_abroad", "", 1),
        (RM, "screenings", "", 78),
        (RM, "investigations_by_type.human_trafficking", "", 1),
        (UF, "arrests", "state:KY", 46),
        (UF, "victims_minor", "state:KY", 2),
        (UF, "medical_services", "", 41),
        (UF, "cash_seized", "state:IA", 1),
        (PC8, "victims_rescued", "country:AR", 15),
        (PC8, "search_warrants", "", 172),
        (PC8, "arrests", "country:US", 20),
        (RR, "arrests_by_role.pimp_panderer", "", None),
        (RR, "referrals_by_agency.Journey Out", "", None),
        (RR, "victims_minor", "county:06037", 6),
    ],
)
def test_every_figure_drills_down_to_its_records(
    demo: Path, code: str, metric: str, jurisdiction: str, expected: int | None
) -> None:
    report = build_report(system_actor(), code)
    rows = drilldown(system_actor(), code, metric, jurisdiction=jurisdiction)
    name, _dot, key = metric.partition(".")
    if jurisdiction:
        row = next(r for r in report.by_jurisdiction if r.jurisdiction_code == jurisdiction)
        totals = row.totals
    else:
        totals = report.totals
    figure = totals.value(name) if not key else totals.breakdown(name)[key]
    if name == "cash_seized":
        assert sum(r["cash_amount"] for r in rows["rows"]) == figure
    else:
        assert rows["count"] == figure
    if expected is not None:
        assert rows["count"] == expected


def test_drilldown_of_located_abroad_names_the_target(demo: Path) -> None:
    rows = drilldown(system_actor(), RM, "located_abroad")["rows"]
    assert len(rows) == 1 and rows[0]["outcome"] == "located"
    assert rows[0]["record_status"] == "located" and rows[0]["nic"]


def test_recovered_targets_are_cleared_in_the_registry(demo: Path) -> None:
    rows = drilldown(system_actor(), RM, "recovered")["rows"]
    assert {r["record_status"] for r in rows} == {"cleared"}
    located = drilldown(system_actor(), RM, "located")["rows"]
    assert {r["record_status"] for r in located} == {"located"}


def test_report_queries_do_not_grow_with_sub_operations(demo: Path) -> None:
    with CaptureQueriesContext(connection) as single:
        build_report(system_actor(), RR)
    with CaptureQueriesContext(connection) as hub:
        build_report(system_actor(), UF)
    assert len(hub) <= len(single) + 2
    assert len(hub) < 30


def test_a_sub_operation_reports_its_own_figures_and_names_its_hub(demo: Path) -> None:
    report = build_report(system_actor(), "UNITED-FRONT-KY", lang="fr")
    assert report.hub == Hub(UF, "Operation United Front")
    assert (report.totals.victims_rescued, report.totals.arrests) == (23, 46)
    assert "sub_operations" not in report.as_dict()


def test_disagreeing_sources_are_shown_not_hidden(demo: Path) -> None:
    import_bundle(
        system_actor(),
        {
            "format": FORMAT,
            "version": VERSION,
            "reported_figures": [
                {
                    "ref": "other-source-arrests",
                    "operation": UF,
                    "metric": "arrests",
                    "value": 104,
                    "scope": "operation",
                    "source_name": "A newspaper",
                },
                {
                    "ref": "other-source-ky",
                    "operation": UF,
                    "metric": "arrests",
                    "value": 40,
                    "qualifier": "about",
                    "scope": "jurisdiction",
                    "jurisdiction": "state:KY",
                    "source_name": "A newspaper",
                },
            ],
        },
    )
    report = build_report(system_actor(), UF)
    assert report.totals.arrests == 102
    disagreements = {(d.source.name, d.value, d.computed) for d in report.disagreements}
    assert disagreements == {("A newspaper", 104, 102)}  # 46 is "about 40": within 20 %
    agreeing = [f for f in report.figures if f.value == 102 and f.metric == "arrests"]
    assert agreeing[0].status == "agrees"
    text = " ".join(render(report, "md", "en").decode().split())
    assert "Sources disagree: A newspaper published 104 arrests; the records give 102." in text


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_html_report_has_the_table_and_an_embedded_chart(demo: Path, lang: str) -> None:
    html = render(build_report(system_actor(), UF, lang=lang), "html", lang).decode()
    assert 'id="by-jurisdiction"' in html and "data:image/png;base64," in html
    assert "Kentucky" in html
    assert ("Par juridiction" if lang == "fr" else "By jurisdiction") in html
    assert ("victimes secourues" if lang == "fr" else "victims rescued") in html


def test_pdf_report_has_the_map_of_the_jurisdictions_and_the_chart(demo: Path) -> None:
    report = build_report(system_actor(), "UNITED-FRONT", lang="fr")
    drawn = map_png(report, "fr")
    assert drawn is not None and drawn.startswith(b"\x89PNG")
    pdf = render(report, "pdf", "fr")
    # The chart and the map: reportlab stores each PNG as an image and its alpha mask.
    assert pdf.count(b"/Subtype /Image") == 4


def test_pdf_report_is_a_pdf_with_the_chart(demo: Path) -> None:
    pdf = render(build_report(system_actor(), RM, lang="fr"), "pdf", "fr")
    assert pdf.startswith(b"%PDF-") and b"/Image" in pdf and len(pdf) > 10_000


def test_markdown_report_marks_computed_and_reported(demo: Path) -> None:
    md = render(build_report(system_actor(), RM, lang="fr"), "md", "fr").decode()
    assert "| Chiffre | Calculé à partir des dossiers | Publié | Contrôle |" in md
    assert "| mis en sécurité | 3 | 3 | concorde |" in md
    assert "| toujours recherchés | 2 | 2 | concorde |" in md


def test_report_command_writes_a_file_and_refuses_unknown_operations(
    demo: Path, tmp_path: Path
) -> None:
    path = tmp_path / "rm.html"
    call_command("report", RM, "--format", "html", "--output", str(path), stderr=StringIO())
    assert "Rescue Me" in path.read_text(encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("report", "NO-SUCH-OP")
    assert caught.value.returncode == 4


# --- access -----------------------------------------------------------------------------


def _agency(name: str) -> Agency:
    return Agency.objects.get(name=name)


def test_pio_gets_the_aggregate_report_but_no_records(demo: Path, api_client_as: ClientFor) -> None:
    client = api_client_as("pio", _agency("Missouri Attorney General's Office"))
    response = client.get(f"/api/operations/{UF}/report?lang=fr")
    assert response.status_code == 200
    assert response.json()["totals"]["arrests"] == 102
    assert client.get(f"/api/operations/{UF}/figures/arrests/records").status_code == 403
    assert client.get(f"/api/operations/{UF}/bundle").status_code == 403


def test_report_formats_over_the_api(demo: Path, api_client_as: ClientFor) -> None:
    client = api_client_as("investigator", _agency("HSI Las Cruces"))
    pdf = client.get(f"/api/operations/{RM}/report?format=pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    html = client.get(f"/api/operations/{RM}/report?format=html&lang=fr")
    assert "mis en sécurité" in html.content.decode()
    assert client.get(f"/api/operations/{RM}/report?format=doc").status_code == 422


def test_hub_coordinators_see_sub_operations_and_states_see_only_their_own(
    demo: Path, api_client_as: ClientFor
) -> None:
    hub = api_client_as("hub_coordinator", _agency("Missouri State Highway Patrol"))
    codes = {o["code"] for o in hub.get("/api/operations/").json()}
    assert {UF, "UNITED-FRONT-KY", "UNITED-FRONT-IA"} <= codes and RM not in codes
    assert hub.get("/api/operations/UNITED-FRONT-KY/report").json()["totals"]["arrests"] == 46
    kentucky = api_client_as(
        "investigator", _agency("Kentucky participating police agencies (United Front)")
    )
    codes = {o["code"] for o in kentucky.get("/api/operations/").json()}
    assert codes == {"UNITED-FRONT-KY"}
    assert kentucky.get(f"/api/operations/{UF}/report").status_code == 404
    rows = kentucky.get("/api/operations/UNITED-FRONT-KY/figures/victims_rescued/records").json()
    assert rows["count"] == 23


def test_an_agency_outside_the_operation_gets_404(demo: Path, api_client_as: ClientFor) -> None:
    outsider = api_client_as("investigator", _agency("Journey Out"))
    assert outsider.get(f"/api/operations/{RM}/report").status_code == 404
    assert outsider.get(f"/api/operations/{RM}/figures/recovered/records").status_code == 404


def test_ngo_caseworker_sees_only_the_victims_referred_to_it(demo: Path) -> None:
    caseworker = acting(_agency("ZOE International"), "caseworker", "carmen")
    victims = Victim.objects.visible_to(caseworker)
    referrals = Referral.objects.visible_to(caseworker)
    report = build_report(system_actor(), RR)
    assert victims.count() == report.totals.referrals_by_agency["ZOE International"]
    assert set(referrals.values_list("to_agency__name", flat=True)) == {"ZOE International"}
    assert not MissingPersonRecord.objects.visible_to(caseworker).exists()


def test_drilldown_reads_are_audited(demo: Path) -> None:
    from beacon.audit.models import AuditEvent

    drilldown(system_actor(), RR, "victims_minor")
    event = AuditEvent.objects.filter(action="operations.drilldown").latest("seq")
    assert event.detail["metric"] == "victims_minor" and event.detail["rows"] == 6


def test_recording_an_outcome_over_the_api(demo: Path, api_client_as: ClientFor) -> None:
    client = api_client_as("investigator", _agency("U.S. Marshals Service, District of New Mexico"))
    outstanding = drilldown(system_actor(), RM, "outstanding")["rows"]
    ref = outstanding[0]["target"]
    body: dict[str, Any] = {
        "kind": "located",
        "how": "welfare_check",
        "at": "2021-07-21T10:00:00Z",
        "place": "Anthony, NM",
        "jurisdiction": "county:35013",
    }
    response = client.post(
        f"/api/operations/{RM}/targets/{ref}/outcome", body, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["record_status"] == "located"
    again = client.post(
        f"/api/operations/{RM}/targets/{ref}/outcome", body, content_type="application/json"
    )
    assert again.status_code == 409
    bad = client.post(
        f"/api/operations/{RM}/targets/{outstanding[1]['target']}/outcome",
        body | {"how": "returned_to_guardian"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "how" in bad.json()["fields"]
    report = build_report(system_actor(), RM)
    assert (report.totals.located, report.totals.outstanding) == (76, 1)
